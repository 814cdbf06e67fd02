"""What every SMS adapter turns its gateway's callbacks into."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.enums import OutboxStatus


@dataclass(frozen=True)
class InboundSms:
    """A citizen's message as the gateway handed it over."""

    gateway: str
    message_id: str  # the gateway's id: the de-duplication key
    phone: str
    text: str
    received_at: datetime | None = None


@dataclass(frozen=True)
class DeliveryReport:
    """A gateway's word on one message we sent; `status` None means nothing to apply
    (still in flight, or a status we do not know)."""

    gateway: str
    message_id: str
    status: OutboxStatus | None
    reason: str = ""
