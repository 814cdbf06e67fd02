"""Africa's Talking bulk SMS (see docs/channels.md, "Africa's Talking"): one form POST per
message; the gateway's per-recipient status code says whether it took the message."""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

import aiohttp

from notifications.providers.base import (
    Accepted,
    OutgoingMessage,
    Provider,
    SendFailure,
    failure_for_status,
)


class Outcome(Enum):
    ACCEPTED = "accepted"
    PERMANENT = "permanent"
    RETRY = "retry"


# The per-recipient `statusCode` of a send reply: its name at the gateway and what it means for us.
RECIPIENT_STATUS: dict[int, tuple[str, Outcome]] = {
    100: ("Processed", Outcome.ACCEPTED),
    101: ("Sent", Outcome.ACCEPTED),
    102: ("Queued", Outcome.ACCEPTED),
    401: ("RiskHold", Outcome.PERMANENT),
    402: ("InvalidSenderId", Outcome.PERMANENT),
    403: ("InvalidPhoneNumber", Outcome.PERMANENT),
    404: ("UnsupportedNumberType", Outcome.PERMANENT),
    405: ("InsufficientBalance", Outcome.PERMANENT),
    406: ("UserInBlacklist", Outcome.PERMANENT),
    407: ("CouldNotRoute", Outcome.PERMANENT),
    500: ("InternalServerError", Outcome.RETRY),
    501: ("GatewayError", Outcome.RETRY),
    502: ("RejectedByGateway", Outcome.RETRY),
}


class AfricasTalkingProvider(Provider):
    name = "africastalking"

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        username: str,
        api_key: str,
        base_url: str = "https://api.africastalking.com",
        sender_id: str = "",
    ) -> None:
        self.session = session
        self.username = username
        self.api_key = api_key
        self.url = f"{base_url.rstrip('/')}/version1/messaging"
        self.sender_id = sender_id

    async def _send(self, message: OutgoingMessage) -> Accepted:
        form = {"username": self.username, "to": message.phone, "message": message.body}
        if self.sender_id:
            form["from"] = self.sender_id
        form.update(bulkSMSMode="1", enqueue="1")
        headers = {"apiKey": self.api_key, "Accept": "application/json"}
        async with self.session.post(self.url, data=form, headers=headers) as response:
            text = await response.text()
            if response.status >= 300:
                raise failure_for_status(
                    response.status, text[:200], response.headers.get("Retry-After")
                )
        return self._accepted_or_raise(text)

    def _accepted_or_raise(self, text: str) -> Accepted:
        # A 2xx we cannot read is not retried: the gateway may well have sent the message.
        try:
            body: Any = json.loads(text)
        except ValueError:
            raise SendFailure(f"unreadable reply: {text[:200]}", retryable=False) from None
        data = body.get("SMSMessageData") if isinstance(body, dict) else None
        recipients = data.get("Recipients") if isinstance(data, dict) else None
        if not recipients or not isinstance(recipients[0], dict):
            why = data.get("Message") if isinstance(data, dict) else None
            raise SendFailure(f"no recipient accepted: {why or text[:200]}", retryable=False)
        recipient = recipients[0]
        try:
            code = int(recipient.get("statusCode", -1))
        except (TypeError, ValueError):
            code = -1
        status, outcome = RECIPIENT_STATUS.get(
            code, (str(recipient.get("status") or "Unknown"), Outcome.PERMANENT)
        )
        if outcome is Outcome.ACCEPTED:
            message_id = recipient.get("messageId")
            return Accepted(self.name, str(message_id) if message_id else None)
        raise SendFailure(f"{status} ({code})", retryable=outcome is Outcome.RETRY)
