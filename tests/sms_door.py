"""Texting mgov through a gateway's inbound door, as the SMS tests do it."""

from __future__ import annotations

from typing import Any

import httpx

from domain.sms_text import measure_sms, to_sms_text
from models import InboundMessage, OutboxMessage


async def sms_reply(
    client: httpx.AsyncClient, adapter: str, text: str, *, phone: str, sms_id: str = ""
) -> str:
    """Send `text` through the gateway door; the reply exactly as the phone gets it, checked to
    be one segment and never missing."""
    message_id = sms_id or f"{adapter}-{await InboundMessage.all().count()}"
    if adapter == "generic":
        body: dict[str, Any] = {"json": {"id": message_id, "from": phone, "text": text}}
    else:
        body = {"data": {"id": message_id, "from": phone, "text": text, "to": "8079"}}
    response = await client.post(f"/channels/sms/{adapter}/inbound", **body)
    assert (response.status_code, response.text) == (200, "")
    record = await InboundMessage.get(gateway=adapter, gateway_message_id=message_id)
    assert record.reply_id is not None, "never silence"
    sent = to_sms_text((await OutboxMessage.get(id=record.reply_id)).body)
    assert measure_sms(sent).segments == 1, sent
    return sent
