"""Push devices and the notification inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from mobile_api.schemas.common import PageQuery, Strict
from models import OutboxMessage
from models.enums import Channel, OutboxStatus


class DeviceRequest(Strict):
    platform: Literal["android", "ios"]
    token: str = Field(min_length=1, max_length=512, pattern=r"^[A-Za-z0-9_:.\-]+$")


class DeviceOut(BaseModel):
    platform: str
    registered_at: datetime


class NotificationOut(BaseModel):
    id: UUID
    channel: Channel
    template: str
    text: str
    status: OutboxStatus
    created_at: datetime
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    read_at: datetime | None = None

    @classmethod
    def of(cls, message: OutboxMessage) -> NotificationOut:
        return cls(
            id=message.id,
            channel=message.channel,
            template=message.template,
            text=message.body,
            status=message.status,
            created_at=message.created_at,
            sent_at=message.sent_at,
            delivered_at=message.delivered_at,
            read_at=message.read_at,
        )


class NotificationQuery(PageQuery):
    pass


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None = None
