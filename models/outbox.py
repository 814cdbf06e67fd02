"""The outbox: messages to citizens, written in the same transaction as the change behind them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from models.enums import Channel, Language, OutboxStatus, Priority

if TYPE_CHECKING:
    from models.citizens import Citizen


class OutboxMessage(Model):
    """One message on one channel. Its UUID is the reference providers use to drop duplicates."""

    id = fields.UUIDField(primary_key=True)
    citizen: fields.ForeignKeyNullableRelation[Citizen] = fields.ForeignKeyField(
        "models.Citizen", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    citizen_id: int | None
    phone = fields.CharField(max_length=16)
    channel = fields.CharEnumField(Channel, max_length=8)
    # Whether this message may go by SMS, as chosen or as a push's fallback: stamped by
    # `domain.alerts.choices` when queued and whenever the citizen's SMS choice changes.
    sms_allowed = fields.BooleanField(default=True, db_default=True)
    template = fields.CharField(max_length=64)
    params: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    language = fields.CharEnumField(Language, max_length=2)
    body = fields.TextField(default="")
    priority = fields.CharEnumField(Priority, max_length=8, default=Priority.NORMAL)
    status = fields.CharEnumField(OutboxStatus, max_length=12, default=OutboxStatus.QUEUED)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    lease_until = fields.DatetimeField(null=True)
    claim_token = fields.CharField(max_length=32, null=True, db_index=True)
    provider = fields.CharField(max_length=32, default="")
    provider_message_id = fields.CharField(max_length=128, null=True, db_index=True)
    segments = fields.IntField(default=0)
    dedupe_key = fields.CharField(max_length=128, null=True, unique=True)
    last_error = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
        indexes = (
            ("status", "next_attempt_at"),
            ("status", "lease_until"),
            ("citizen_id", "created_at"),
            ("created_at",),
        )


class Device(Model):
    """A phone's push token. Removed when the push service says the token is dead."""

    id = fields.IntField(primary_key=True)
    citizen: fields.ForeignKeyRelation[Citizen] = fields.ForeignKeyField(
        "models.Citizen", related_name="devices", on_delete=fields.CASCADE
    )
    citizen_id: int
    platform = fields.CharField(max_length=16)
    token = fields.CharField(max_length=512, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "device"
