"""What a citizen agreed to be told, and on which channel each message goes: decided here and
nowhere else. Consent is history (every grant and withdrawal kept with its channel). A message
gets its channel when it is queued, and each change of a choice re-decides the messages still
waiting, so the worker delivers what the outbox row says (`channel`, `sms_allowed`), never
reads a citizen's choices, and falls back from push to SMS only when a push cannot be
delivered."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from models import Citizen, ConsentRecord, Device, OutboxMessage
from models.enums import Channel, ConsentPurpose, OutboxStatus, Priority


async def record_consent(
    *, citizen: Citizen, purpose: ConsentPurpose, granted: bool, channel: str
) -> ConsentRecord:
    """The current SMS choice is also kept on the citizen, where enqueueing reads it. The
    citizen's row is locked first, so a message being queued for them at this moment is either
    stamped before this change (and restamped by it) or queued after it."""
    async with in_transaction():
        await Citizen.select_for_update().filter(id=citizen.id).first()
        record = await ConsentRecord.create(
            citizen=citizen, purpose=purpose, granted=granted, channel=channel
        )
        if purpose == ConsentPurpose.SMS_ALERTS:
            citizen.sms_opt_out = not granted
            await citizen.save(update_fields=["sms_opt_out", "updated_at"])
        await restamp_queued(citizen=citizen, purpose=purpose, granted=granted)
    return record


async def has_consent(*, citizen: Citizen, purpose: ConsentPurpose) -> bool:
    """The latest word wins; with no record, alerts are on (they concern the citizen's own case)."""
    latest = (
        await ConsentRecord.filter(citizen=citizen, purpose=purpose)
        .order_by("-recorded_at", "-id")
        .first()
    )
    return True if latest is None else latest.granted


async def change_sms_alerts(*, citizen: Citizen, granted: bool, channel: str) -> bool:
    """Record a STOP or START only when it changes the citizen's choice (True), so a repeated
    STOP is neither recorded twice nor confirmed twice, even when two arrive at once."""
    async with in_transaction():
        # The conditional UPDATE row-locks: of two racing STOPs, one sees the change.
        changed = await Citizen.filter(id=citizen.id, sms_opt_out=granted).update(
            sms_opt_out=not granted
        )
        if changed:
            await record_consent(
                citizen=citizen, purpose=ConsentPurpose.SMS_ALERTS, granted=granted, channel=channel
            )
    return bool(changed)


@dataclass(frozen=True, slots=True)
class Route:
    channel: Channel
    # May the message go by SMS (as chosen, or as the fallback of a push)? Urgent messages
    # (login codes, replies to the citizen's own text) always may.
    sms_allowed: bool


async def route_for(*, citizen: Citizen, priority: Priority, channel: Channel | None) -> Route:
    """Push only for a non-urgent message to a citizen with the app who has not turned push
    off; anything else is an SMS, withheld from a citizen who opted out of SMS alerts unless
    urgent (the message stays in the app inbox either way). A door that must answer on one
    channel (an SMS reply) names it. The citizen's row is read locked, so a consent change
    committing meanwhile waits and then restamps this message too."""
    if priority == Priority.URGENT:
        return Route(channel=channel or Channel.SMS, sms_allowed=True)
    current = await Citizen.select_for_update().filter(id=citizen.id).first()
    opted_out = current.sms_opt_out if current is not None else citizen.sms_opt_out
    return Route(channel=channel or await _choose_channel(citizen), sms_allowed=not opted_out)


async def _choose_channel(citizen: Citizen) -> Channel:
    if not await Device.exists(citizen=citizen):
        return Channel.SMS
    pushed = await has_consent(citizen=citizen, purpose=ConsentPurpose.PUSH_ALERTS)
    return Channel.PUSH if pushed else Channel.SMS


async def restamp_queued(*, citizen: Citizen, purpose: ConsentPurpose, granted: bool) -> int:
    """A changed choice applies to what is still waiting: push turned off sends the queued
    pushes by SMS; SMS alerts turned off or on withholds or frees the queued non-urgent SMS.
    Turning push on moves nothing: a message queued as SMS was meant to reach a phone without
    the app. Messages being sent right now keep the choice they were claimed with."""
    waiting = OutboxMessage.filter(citizen_id=citizen.id, status=OutboxStatus.QUEUED)
    if purpose == ConsentPurpose.PUSH_ALERTS and not granted:
        return await waiting.filter(channel=Channel.PUSH).update(channel=Channel.SMS)
    if purpose == ConsentPurpose.SMS_ALERTS:
        return await waiting.exclude(priority=Priority.URGENT).update(sms_allowed=granted)
    return 0
