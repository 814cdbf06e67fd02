"""What every SMS adapter turns its gateway's callbacks into."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.errors import InvalidInput
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


def message_text(raw: str) -> str:
    """What a handset can have typed: control characters other than a line break (a NUL, which
    PostgreSQL cannot store) and unpaired surrogates become spaces."""
    return "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in raw)


def gateway_field(raw: str, name: str, *, limit: int = 128) -> str:
    """An id, a number or a status as a gateway sends it; a malformed one is refused, not stored."""
    value = raw.strip()
    if not value or len(value) > limit or not value.isprintable():
        raise InvalidInput("sms_callback_invalid", f"{name} is missing or malformed", field=name)
    return value
