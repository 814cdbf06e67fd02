"""Writing to the outbox. Call it inside the transaction of the change the message is about,
so the message exists exactly when the change does."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from tortoise.connection import get_connection

from domain.alerts.choices import route_for
from domain.catalogue import text
from domain.local_time import utc_now
from models import Citizen, OutboxMessage
from models.enums import Channel, Language, Priority

OUTBOX_CHANNEL = "mgov_outbox"


async def enqueue_message(
    *,
    citizen: Citizen | None,
    template: str,
    params: dict[str, Any],
    priority: Priority = Priority.NORMAL,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    channel: Channel | None = None,
    phone: str | None = None,
    language: Language | None = None,
) -> OutboxMessage | None:
    """Queue one message for a citizen; with a dedupe key, a second call for the same event is a
    no-op (returns None), however often a scheduler or a retried request runs. Without a
    channel, `domain.alerts.choices.route_for` picks it. A number not yet a citizen's (a first
    login code) is given as `phone` and `language`."""
    sms_allowed = True
    if citizen is not None:
        phone, language = citizen.phone, citizen.language
        route = await route_for(citizen=citizen, priority=priority, channel=channel)
        channel, sms_allowed = route.channel, route.sms_allowed
    elif phone is None or language is None or channel is None:
        raise ValueError("a message without a citizen needs a phone, a language and a channel")
    message = OutboxMessage(
        id=uuid.uuid4(),
        citizen=citizen,
        phone=phone,
        channel=channel,
        sms_allowed=sms_allowed,
        template=template,
        params=params,
        language=language,
        body=text(f"sms.{template}", language, **params),
        priority=priority,
        next_attempt_at=not_before or utc_now(),
        dedupe_key=dedupe_key,
    )
    if dedupe_key is None:
        await message.save()
        await _wake_workers()
        return message
    # ON CONFLICT DO NOTHING: a unique violation would abort a PostgreSQL transaction.
    await OutboxMessage.bulk_create([message], ignore_conflicts=True)
    stored = await OutboxMessage.get(dedupe_key=dedupe_key)
    if stored.id != message.id:
        return None
    await _wake_workers()
    return stored


async def _wake_workers() -> None:
    """PostgreSQL delivers a NOTIFY at commit, so workers wake exactly when the row is visible.
    SQLite has no such thing: its workers poll."""
    connection = get_connection("default")
    if connection.capabilities.dialect == "postgres":
        await connection.execute_script(f"NOTIFY {OUTBOX_CHANNEL}")
