"""Text messages from citizens: each gateway message is recorded once and answered at most once,
through the outbox, whatever the door that parsed it."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from domain.alerts.enqueue import enqueue_message
from domain.citizens import register_citizen
from domain.errors import InvalidInput, TooManyRequests
from domain.local_time import utc_now
from domain.phones import can_text, mask_phone, normalise_phone
from domain.throttle import consume_attempt
from models import Citizen, InboundMessage
from models.enums import Channel, InboundOutcome, Language, Priority

logger = logging.getLogger("mgov.sms")

TEXT_LIMIT = 1600  # ten concatenated parts; anything longer is not a keyword anyway
# Replies one number gets in an hour. Unknown text is answered with help, so a phone that
# auto-replies would otherwise ping-pong with us, at the city's expense, for ever.
REPLY_LIMIT = 30
REPLY_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class SmsReply:
    """What to answer: the catalogue key `sms.<template>` and its parameters. A reply that
    `confirms` a change (a cancellation, a STOP) is sent past the reply limit: without it the
    citizen could not know their text did something."""

    template: str
    params: dict[str, Any] = field(default_factory=dict)
    confirms: bool = False


Responder = Callable[[Citizen], Awaitable[SmsReply | None]]


async def receive_inbound_sms(
    *,
    gateway: str,
    gateway_message_id: str,
    phone: str,
    text: str,
    respond: Responder,
    received_at: datetime | None = None,
    language: Language = Language.VI,
) -> tuple[InboundMessage, bool]:
    """Record a citizen's message and queue the answer `respond` gives, in one transaction keyed
    by the gateway's message id: a retried or doubled callback finds the row and answers nothing.
    The flag says whether the message was new, so a door counts each citizen's text once.

    Replies are URGENT: they answer something the citizen has just sent (HELP, a status, the STOP
    confirmation itself), so neither an earlier opt-out from alerts nor quiet hours hold them.
    `language` is used only for a number we have never seen (the language the keyword was in).
    """
    try:
        e164: str | None = normalise_phone(phone)
    except InvalidInput:
        e164 = None
    async with in_transaction():
        record = InboundMessage(
            id=uuid.uuid4(),
            gateway=gateway,
            gateway_message_id=gateway_message_id,
            phone=e164 or phone[:32],
            text=text[:TEXT_LIMIT],
            received_at=received_at or utc_now(),
        )
        # ON CONFLICT DO NOTHING, then read: on PostgreSQL a concurrent twin waits for our commit
        # and then finds our row; a unique violation would abort the transaction instead.
        await InboundMessage.bulk_create([record], ignore_conflicts=True)
        stored = await InboundMessage.get(gateway=gateway, gateway_message_id=gateway_message_id)
        if stored.id != record.id:
            logger.info("inbound SMS %s from %s already answered", gateway_message_id, gateway)
            return stored, False
        if e164 is None or not can_text(e164):
            # A landline, a foreign number, a sender name: heard, but no citizen is made for
            # it and nothing is sent back (docs/channels.md: only Vietnamese mobiles cost us SMS).
            logger.warning("inbound SMS %s: not a number we text", gateway_message_id)
            await InboundMessage.filter(id=stored.id).update(outcome=InboundOutcome.NOT_TEXTED)
            await stored.refresh_from_db()
            return stored, True
        citizen = await register_citizen(phone=e164, language=language)
        reply = await respond(citizen)
        outcome = InboundOutcome.ANSWERED if reply is not None else InboundOutcome.UNANSWERED
        if reply is not None and not await _within_reply_limit(e164) and not reply.confirms:
            logger.warning(
                "inbound SMS %s: reply limit reached for %s", gateway_message_id, mask_phone(e164)
            )
            reply, outcome = None, InboundOutcome.CAPPED
        message = None
        if reply is not None:
            message = await enqueue_message(
                citizen=citizen,
                template=reply.template,
                params=reply.params,
                priority=Priority.URGENT,
                channel=Channel.SMS,
                dedupe_key=f"sms-reply:{stored.id}",
            )
        await InboundMessage.filter(id=stored.id).update(
            citizen_id=citizen.id, reply_id=message.id if message else None, outcome=outcome
        )
        await stored.refresh_from_db()
    logger.info(
        "inbound SMS %s from %s answered with %s",
        gateway_message_id,
        mask_phone(e164),
        reply.template if reply else "nothing",
    )
    return stored, True


async def _within_reply_limit(e164: str) -> bool:
    """Every reply counts; past the limit the keyword still acts (a STOP is honoured), and only
    a reply that changes nothing (help, a status) goes unsent."""
    try:
        await consume_attempt(key=f"sms:reply:{e164}", limit=REPLY_LIMIT, window=REPLY_WINDOW)
    except TooManyRequests:
        return False
    return True


async def find_inbound_sms(*, gateway: str, gateway_message_id: str) -> InboundMessage | None:
    """A recorded message with its reply, for the development console (`mgov sms`)."""
    return await InboundMessage.get_or_none(
        gateway=gateway, gateway_message_id=gateway_message_id
    ).prefetch_related("reply")
