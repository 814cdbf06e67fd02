"""Writing to the outbox. Call it inside the transaction of the change the message is about,
so the message exists exactly when the change does."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from tortoise.connection import get_connection

from domain.catalogue import text
from domain.citizens import has_consent
from domain.local_time import as_utc, utc_now
from models import Citizen, Device, OutboxMessage
from models.enums import Channel, ConsentPurpose, Language, OutboxStatus, Priority

OUTBOX_CHANNEL = "mgov_outbox"
# The `last_error` of a message the worker held back for the night: with it a reader (the
# console) can say why the message waits, and a worker started with other quiet hours can
# find the messages the old ones held.
HELD_FOR_QUIET_HOURS = "quiet hours"


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
    channel, `choose_channel` picks it. A number not yet a citizen's (a first login code) is
    given as `phone` and `language`."""
    if citizen is not None:
        phone, language = citizen.phone, citizen.language
    elif phone is None or language is None or channel is None:
        raise ValueError("a message without a citizen needs a phone, a language and a channel")
    if channel is None:
        assert citizen is not None
        channel = await choose_channel(citizen=citizen, priority=priority)
    message = OutboxMessage(
        id=uuid.uuid4(),
        citizen=citizen,
        phone=phone,
        channel=channel,
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


async def release_quiet_hours_holds(*, until: datetime) -> int:
    """Messages held for quiet hours past `until` are due at `until` instead: a worker passes
    the moment its own quiet hours allow (now, with `MGOV_QUIET_HOURS=off`), so a held message
    waits for the hours configured now, not for the morning of the hours that held it."""
    return await OutboxMessage.filter(
        status=OutboxStatus.QUEUED,
        last_error=HELD_FOR_QUIET_HOURS,
        next_attempt_at__gt=as_utc(until),
    ).update(next_attempt_at=as_utc(until))


async def choose_channel(*, citizen: Citizen, priority: Priority) -> Channel:
    """Push only for a non-urgent message to a citizen with the app who has not turned push off;
    anything else is an SMS, which the worker holds back from an opted-out citizen unless urgent
    (the message stays in the app inbox either way)."""
    if priority == Priority.URGENT or not await Device.exists(citizen=citizen):
        return Channel.SMS
    if not await has_consent(citizen=citizen, purpose=ConsentPurpose.PUSH_ALERTS):
        return Channel.SMS
    return Channel.PUSH


async def _wake_workers() -> None:
    """PostgreSQL delivers a NOTIFY at commit, so workers wake exactly when the row is visible.
    SQLite has no such thing: its workers poll."""
    connection = get_connection("default")
    if connection.capabilities.dialect == "postgres":
        await connection.execute_script(f"NOTIFY {OUTBOX_CHANNEL}")
