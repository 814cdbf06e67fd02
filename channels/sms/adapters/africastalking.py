"""Africa's Talking: incoming messages and delivery reports, both form-encoded POSTs.

Incoming: `from`, `to`, `text`, `date`, `id` (the de-duplication key), `linkId`.
Delivery report: `id` (the `messageId` their send API returned), `status`, `phoneNumber`,
`networkCode`, `failureReason` (Rejected / Failed only), `retryCount`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl

from starlette.requests import Request

from channels.sms.records import DeliveryReport, InboundSms, gateway_field, message_text
from models.enums import OutboxStatus
from notifications.providers.africastalking import AfricasTalkingProvider

NAME = "africastalking"
# Its delivery reports speak of what this send provider handed over.
SENDER = AfricasTalkingProvider.name

# Their statuses, ours: in-flight ones map to SENT, which never moves a message backwards.
STATUSES: dict[str, OutboxStatus] = {
    "Sent": OutboxStatus.SENT,
    "Submitted": OutboxStatus.SENT,
    "Buffered": OutboxStatus.SENT,
    "Success": OutboxStatus.DELIVERED,
    "Rejected": OutboxStatus.FAILED,
    "Failed": OutboxStatus.FAILED,
    "Expired": OutboxStatus.FAILED,
}


async def _form(request: Request) -> dict[str, str]:
    """The url-encoded body (Starlette's own form parser needs an extra package for this)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return dict(parse_qsl(body, keep_blank_values=True))


def parse_date(raw: str) -> datetime | None:
    """`2017-05-03T06:04:45Z` or `2017-05-03 06:04:45` (UTC); anything else is ignored."""
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def parse_inbound(request: Request) -> InboundSms:
    form = await _form(request)
    return InboundSms(
        gateway=NAME,
        message_id=gateway_field(form.get("id", ""), "id"),
        phone=gateway_field(form.get("from", ""), "from", limit=32),
        text=message_text(form.get("text", "")),
        received_at=parse_date(form.get("date", "")),
    )


async def parse_delivery(request: Request) -> DeliveryReport:
    form = await _form(request)
    status = gateway_field(form.get("status", ""), "status", limit=32)
    return DeliveryReport(
        gateway=NAME,
        message_id=gateway_field(form.get("id", ""), "id"),
        status=STATUSES.get(status),
        reason=message_text(form.get("failureReason", "")) or status,
    )
