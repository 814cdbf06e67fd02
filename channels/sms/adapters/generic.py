"""The generic JSON gateway, the counterpart of the `http` send provider.

Incoming: `{"id": "…", "from": "+8490…", "text": "…", "date": "2026-11-23T10:00:00Z"}`
(`date` optional). Delivery report: `{"id": "<the id our send got back>", "status":
"delivered" | "failed" | "sent", "reason": "…"}`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request

from channels.sms.records import DeliveryReport, InboundSms, gateway_field, message_text
from domain.errors import InvalidInput
from infra.json_input import JsonRefused, read_json
from models.enums import OutboxStatus
from notifications.providers.http_sms import HttpSmsProvider

NAME = "generic"
# Its delivery reports speak of what this send provider handed over.
SENDER = HttpSmsProvider.name
_Body = TypeVar("_Body", bound=BaseModel)

STATUSES: dict[str, OutboxStatus] = {
    "sent": OutboxStatus.SENT,
    "delivered": OutboxStatus.DELIVERED,
    "failed": OutboxStatus.FAILED,
}


class _Inbound(BaseModel):
    id: str = Field(min_length=1, max_length=128)
    sender: str = Field(alias="from", min_length=1, max_length=32)
    text: str = Field(default="", max_length=5000)
    date: datetime | None = None


class _Delivery(BaseModel):
    id: str = Field(min_length=1, max_length=128)
    status: str = Field(min_length=1, max_length=32)
    reason: str = Field(default="", max_length=500)


async def _parsed(request: Request, model: type[_Body]) -> _Body:
    try:
        return model.model_validate(read_json(await request.body()))
    except JsonRefused as refused:
        detail = f"the body is not JSON we read ({refused.code})"
        raise InvalidInput("sms_callback_invalid", detail, field=refused.fields[0]) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise InvalidInput("sms_callback_invalid", first["msg"], field=where) from None


async def parse_inbound(request: Request) -> InboundSms:
    body = await _parsed(request, _Inbound)
    return InboundSms(
        gateway=NAME,
        message_id=gateway_field(body.id, "id"),
        phone=gateway_field(body.sender, "from", limit=32),
        text=message_text(body.text),
        received_at=body.date.replace(tzinfo=body.date.tzinfo or UTC) if body.date else None,
    )


async def parse_delivery(request: Request) -> DeliveryReport:
    body = await _parsed(request, _Delivery)
    return DeliveryReport(
        gateway=NAME,
        message_id=gateway_field(body.id, "id"),
        status=STATUSES.get(body.status.lower()),
        reason=message_text(body.reason) or body.status,
    )
