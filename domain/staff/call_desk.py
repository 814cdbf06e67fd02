"""What a call-centre agent does for a caller: find them by the number they say, read their file,
book or cancel on their behalf, resend an alert. Every read and every change is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from tortoise.transactions import in_transaction

from domain.alerts.enqueue import enqueue_message
from domain.alerts.quiet_hours import HELD_FOR_QUIET_HOURS
from domain.appointments.booking import (
    book_appointment,
    cancel_appointment,
    list_citizen_appointments,
)
from domain.auth.otp_login import body_for_staff
from domain.citizens import find_citizen
from domain.dossiers.records import is_overdue
from domain.errors import Conflict, InvalidInput, NotFound
from domain.local_time import utc_now
from domain.phones import mask_phone, normalise_phone
from domain.sms_text import measure_sms, to_sms_text
from domain.staff.accounts import require_permission
from domain.staff.audit import StaffCaller, record_audit
from models import Appointment, Citizen, Dossier, DossierEvent, InboundMessage, OutboxMessage
from models.enums import Channel, OutboxStatus, StaffRole

# Alerts about a citizen's own case may be sent again; codes (OTPs) never through an agent.
RESENDABLE_PREFIXES = ("dossier_", "appointment_")
# Only a message that has gone out (or given up) is sent again: one still queued is on its way.
RESENT_AFTER = frozenset({OutboxStatus.SENT, OutboxStatus.DELIVERED, OutboxStatus.FAILED})
NOTIFICATION_PAGE = 50
INBOUND_PAGE = 20


@dataclass(frozen=True)
class DossierWithTimeline:
    dossier: Dossier
    events: list[DossierEvent]
    overdue: bool


@dataclass(frozen=True)
class MessageAsSent:
    """A message as the citizen's phone got it (or will get it), so an agent reads what the
    caller reads: an SMS folded to GSM-7 unless diacritics are kept, with its parts."""

    message: OutboxMessage
    body: str
    segments: int  # SMS parts billed (or to be billed); 0 for a push
    held_until: datetime | None  # queued for later: quiet hours or a retry's backoff
    held_for_quiet_hours: bool
    resendable: bool


@dataclass(frozen=True)
class CitizenFile:
    """Everything an agent sees on one screen about a caller."""

    citizen: Citizen
    dossiers: list[DossierWithTimeline]
    appointments: list[Appointment]
    notifications: list[MessageAsSent]
    # The texts they sent us, each with its outcome: why "I texted and got nothing" happened.
    inbound_sms: list[InboundMessage] = field(default_factory=list)

    @property
    def held_slot_ids(self) -> frozenset[int]:
        """Slots the caller already holds: not offered to them again."""
        return frozenset(appointment.slot_id for appointment in self.appointments)


def _required_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason_required", "acting for a citizen needs a reason", field="reason")
    return reason


async def find_citizen_for_staff(*, caller: StaffCaller, phone: str, reason: str = "") -> Citizen:
    """The caller behind a number as they say it; audited even when it finds no one."""
    require_permission(caller.user, "citizen.find")
    e164 = normalise_phone(phone, mobile_only=False)
    citizen = await find_citizen(phone=e164)
    await record_audit(
        caller=caller,
        action="citizen.find",
        citizen=citizen,
        subject=mask_phone(e164),
        reason=reason,
    )
    if citizen is None:
        raise NotFound("citizen_not_found", "no citizen with this phone number")
    return citizen


async def _citizen(citizen_id: int) -> Citizen:
    citizen = await Citizen.get_or_none(id=citizen_id)
    if citizen is None:
        raise NotFound("citizen_not_found", "no such citizen")
    return citizen


async def _dossiers_with_timelines(
    caller: StaffCaller, citizen: Citizen
) -> list[DossierWithTimeline]:
    query = Dossier.filter(citizen=citizen)
    if caller.user.role == StaffRole.OFFICER:
        query = query.filter(office__agency_id=caller.user.agency_id)
    dossiers = await query.order_by("-received_at", "-id").prefetch_related(
        "procedure", "office", "office__agency"
    )
    events = await DossierEvent.filter(dossier_id__in=[d.id for d in dossiers]).order_by(
        "created_at", "id"
    )
    by_dossier: dict[int, list[DossierEvent]] = {}
    for event in events:
        by_dossier.setdefault(event.dossier_id, []).append(event)
    return [DossierWithTimeline(d, by_dossier.get(d.id, []), is_overdue(d)) for d in dossiers]


async def _notifications(citizen: Citizen) -> list[OutboxMessage]:
    """The latest messages, with login codes masked (the rows themselves are not changed)."""
    messages = (
        await OutboxMessage.filter(citizen=citizen)
        .order_by("-created_at", "-id")
        .limit(NOTIFICATION_PAGE)
    )
    for message in messages:
        message.body = body_for_staff(message)
    return messages


def _as_sent(message: OutboxMessage, *, keep_diacritics: bool, now: datetime) -> MessageAsSent:
    body = body_for_staff(message)
    segments = 0
    if message.channel == Channel.SMS:
        body = to_sms_text(body, keep_diacritics=keep_diacritics)
        segments = message.segments or measure_sms(body).segments
    held = message.status == OutboxStatus.QUEUED and message.next_attempt_at > now
    return MessageAsSent(
        message=message,
        body=body,
        segments=segments,
        held_until=message.next_attempt_at if held else None,
        held_for_quiet_hours=held and message.last_error == HELD_FOR_QUIET_HOURS,
        resendable=message.template.startswith(RESENDABLE_PREFIXES)
        and message.status in RESENT_AFTER,
    )


async def view_citizen_dossiers(
    *, caller: StaffCaller, citizen_id: int, reason: str = ""
) -> tuple[Citizen, list[DossierWithTimeline]]:
    """A caller's dossiers with their timelines; an officer sees their own agency's only."""
    require_permission(caller.user, "citizen.dossiers")
    citizen = await _citizen(citizen_id)
    await record_audit(caller=caller, action="citizen.dossiers", citizen=citizen, reason=reason)
    return citizen, await _dossiers_with_timelines(caller, citizen)


async def view_citizen_appointments(
    *, caller: StaffCaller, citizen_id: int, reason: str = ""
) -> tuple[Citizen, list[Appointment]]:
    require_permission(caller.user, "citizen.appointments")
    citizen = await _citizen(citizen_id)
    await record_audit(caller=caller, action="citizen.appointments", citizen=citizen, reason=reason)
    return citizen, await list_citizen_appointments(citizen=citizen)


async def view_citizen_notifications(
    *, caller: StaffCaller, citizen_id: int, reason: str = ""
) -> tuple[Citizen, list[OutboxMessage]]:
    """What was sent to the caller and how it went: the agent's answer to 'I got nothing'."""
    require_permission(caller.user, "citizen.notifications")
    citizen = await _citizen(citizen_id)
    await record_audit(
        caller=caller, action="citizen.notifications", citizen=citizen, reason=reason
    )
    return citizen, await _notifications(citizen)


async def view_citizen_file(
    *, caller: StaffCaller, citizen_id: int, keep_diacritics: bool = False, reason: str = ""
) -> CitizenFile:
    """The console's one screen about a caller: one audit row for the whole file. Messages
    read as sent: `keep_diacritics` is the worker's setting (MGOV_SMS_KEEP_DIACRITICS)."""
    for action in ("citizen.dossiers", "citizen.appointments", "citizen.notifications"):
        require_permission(caller.user, action)
    citizen = await _citizen(citizen_id)
    await record_audit(caller=caller, action="citizen.file", citizen=citizen, reason=reason)
    return CitizenFile(
        citizen=citizen,
        dossiers=await _dossiers_with_timelines(caller, citizen),
        appointments=await list_citizen_appointments(citizen=citizen),
        notifications=[
            _as_sent(message, keep_diacritics=keep_diacritics, now=utc_now())
            for message in await _notifications(citizen)
        ],
        inbound_sms=await InboundMessage.filter(citizen=citizen)
        .order_by("-received_at")
        .limit(INBOUND_PAGE),
    )


async def book_for_citizen(
    *, caller: StaffCaller, citizen_id: int, slot_id: int, reason: str
) -> Appointment:
    """Book for a caller who cannot do it themselves; booking and audit row commit together."""
    require_permission(caller.user, "appointment.book")
    reason = _required_reason(reason)
    citizen = await _citizen(citizen_id)
    async with in_transaction():
        appointment = await book_appointment(citizen=citizen, slot_id=slot_id)
        await record_audit(
            caller=caller,
            action="appointment.book",
            citizen=citizen,
            subject=f"appointment:{appointment.id}",
            reason=reason,
        )
    return appointment


async def cancel_for_citizen(
    *, caller: StaffCaller, citizen_id: int, appointment_id: int, reason: str
) -> Appointment:
    require_permission(caller.user, "appointment.cancel")
    reason = _required_reason(reason)
    citizen = await _citizen(citizen_id)
    async with in_transaction():
        appointment = await cancel_appointment(
            citizen=citizen, appointment_id=appointment_id, reason=reason
        )
        await record_audit(
            caller=caller,
            action="appointment.cancel",
            citizen=citizen,
            subject=f"appointment:{appointment.id}",
            reason=reason,
        )
    return appointment


async def resend_notification(
    *, caller: StaffCaller, citizen_id: int, message_id: str, reason: str
) -> OutboxMessage:
    """Queue a caller's alert again, as a new message, on the channel that suits them now."""
    require_permission(caller.user, "notification.resend")
    reason = _required_reason(reason)
    citizen = await _citizen(citizen_id)
    try:
        key = uuid.UUID(message_id)
    except ValueError:
        raise NotFound("notification_not_found", "not a message id") from None
    original = await OutboxMessage.get_or_none(id=key, citizen=citizen)
    if original is None:
        raise NotFound("notification_not_found", "no such notification for this citizen")
    if not original.template.startswith(RESENDABLE_PREFIXES):
        raise InvalidInput(
            "notification_not_resendable", "this message cannot be resent", field="message_id"
        )
    if original.status not in RESENT_AFTER:
        raise Conflict("notification_not_sent_yet", "this message has not gone out yet")
    async with in_transaction():
        message = await enqueue_message(
            citizen=citizen, template=original.template, params=dict(original.params)
        )
        assert message is not None  # no dedupe key: always queued
        await record_audit(
            caller=caller,
            action="notification.resend",
            citizen=citizen,
            subject=f"message:{original.id}",
            reason=reason,
        )
    return message
