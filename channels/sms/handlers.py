"""What each SMS keyword does: one domain call, rendered as a reply from the catalogue
(`sms.reply_*`), in the citizen's language, one GSM-7 segment once diacritics are folded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import replace

from channels.sms.keywords import Action, Command
from channels.sms.requests import request
from channels.summaries import (
    appointment_line,
    appointment_summary,
    dossier_line,
    dossier_summary,
)
from domain.alerts.choices import change_sms_alerts
from domain.appointments.booking import cancel_appointment, list_citizen_appointments
from domain.catalogue import localised_name, text
from domain.dossiers.records import list_citizen_dossiers, lookup_dossier
from domain.errors import DomainError
from domain.inbound_sms import SmsReply
from domain.profile import update_profile
from domain.sms_text import measure_sms, to_sms_text
from models import Appointment, Citizen
from models.enums import Language

CHANNEL = "sms"
ECHO_LENGTH = 30  # of a code the citizen typed, repeated in a "not found" reply
LIST_LENGTH = 10  # dossiers or appointments read for one reply; one segment holds fewer
MIN_OFFICE_LENGTH = 16  # an office name cut shorter than this names no office

# A domain refusal, the reply that explains it and the placeholder that echoes the argument;
# any other refusal gets `reply_failed`.
ERROR_REPLIES: dict[str, tuple[str, str]] = {
    "dossier_not_found": ("reply_dossier_not_found", "code"),
    "dossier_code_ambiguous": ("reply_code_ambiguous", "code"),
    "appointment_not_found": ("reply_appointment_not_found", "id"),
    "appointment_not_active": ("reply_appointment_not_active", "id"),
}

Handler = Callable[[Command, Citizen, bool], Awaitable[SmsReply | None]]


async def _status(command: Command, citizen: Citizen, keep: bool) -> SmsReply:
    if command.argument is None:
        return await _my_dossiers(citizen, keep)
    view = await lookup_dossier(code=command.argument, viewer=citizen)
    summary = dossier_summary(view, citizen.language, keep_diacritics=keep)
    if view.full:
        return SmsReply("reply_dossier", {"summary": summary})
    return SmsReply("reply_dossier_limited", {"short_summary": summary})


async def _my_dossiers(citizen: Citizen, keep: bool) -> SmsReply:
    """`HS` without a code, or words about dossiers: the sender's own, newest first."""
    dossiers = await list_citizen_dossiers(citizen=citizen, limit=LIST_LENGTH)
    if not dossiers:
        return SmsReply("reply_no_dossiers")
    lines = [dossier_line(d, citizen.language, keep_diacritics=keep) for d in dossiers]
    variants = ("; ".join(lines[:count]) for count in range(len(lines), 0, -1))
    return SmsReply(
        "reply_my_dossiers", {"lines": _fitting("reply_my_dossiers", variants, citizen, keep)}
    )


def _fitting(template: str, variants: Iterable[str], citizen: Citizen, keep: bool) -> str:
    """The first of `variants` (most preferred first) whose reply is one SMS segment; the last
    one when none is."""
    last = ""
    for lines in variants:
        body = to_sms_text(
            text(f"sms.{template}", citizen.language, lines=lines), keep_diacritics=keep
        )
        if measure_sms(body).segments <= 1:
            return lines
        last = lines
    return last


def _appointment_lists(appointments: list[Appointment], language: str, keep: bool) -> Iterator[str]:
    """Every list worth trying, best first: as many appointments as possible, soonest first,
    each office named as fully as the segment leaves room for (never under a readable part)."""
    longest = max(len(localised_name(a.slot.office, language)) for a in appointments)
    for count in range(len(appointments), 0, -1):
        for length in range(longest, MIN_OFFICE_LENGTH - 1, -1):
            yield "; ".join(
                appointment_line(a, language, keep_diacritics=keep, office_length=length)
                for a in appointments[:count]
            )


async def _appointments(command: Command, citizen: Citizen, keep: bool) -> SmsReply:
    appointments = await list_citizen_appointments(citizen=citizen)
    if not appointments:
        return SmsReply("reply_no_appointments")
    variants = _appointment_lists(appointments[:LIST_LENGTH], citizen.language, keep)
    return SmsReply(
        "reply_appointments", {"lines": _fitting("reply_appointments", variants, citizen, keep)}
    )


async def _cancel(command: Command, citizen: Citizen, keep: bool) -> SmsReply:
    if command.argument is None:
        return SmsReply("reply_cancel_usage")
    # This reply is the confirmation: the domain's own cancellation SMS would say it twice.
    appointment = await cancel_appointment(
        citizen=citizen, appointment_id=int(command.argument), notify=False
    )
    summary = appointment_summary(appointment, citizen.language, keep_diacritics=keep)
    return SmsReply("reply_cancelled", {"appointment": summary})


async def _help(command: Command, citizen: Citizen, keep: bool) -> SmsReply:
    return SmsReply("reply_help")


async def _stop(command: Command, citizen: Citizen, keep: bool) -> SmsReply | None:
    changed = await change_sms_alerts(citizen=citizen, granted=False, channel=CHANNEL)
    # Confirmed once: a second STOP is not answered, so we never text someone who keeps
    # asking us to stop (nor loop with a gateway's own auto-reply).
    return SmsReply("reply_stopped") if changed else None


async def _start(command: Command, citizen: Citizen, keep: bool) -> SmsReply:
    await change_sms_alerts(citizen=citizen, granted=True, channel=CHANNEL)
    return SmsReply("reply_started")


async def _english(command: Command, citizen: Citizen, keep: bool) -> SmsReply:
    await update_profile(citizen=citizen, language=Language.EN)
    return SmsReply("reply_language")


async def _vietnamese(command: Command, citizen: Citizen, keep: bool) -> SmsReply:
    await update_profile(citizen=citizen, language=Language.VI)
    return SmsReply("reply_language")


HANDLERS: dict[Action, Handler] = {
    Action.STATUS: _status,
    Action.APPOINTMENTS: _appointments,
    Action.CANCEL: _cancel,
    Action.HELP: _help,
    Action.STOP: _stop,
    Action.START: _start,
    Action.ENGLISH: _english,
    Action.VIETNAMESE: _vietnamese,
    Action.REQUEST: request,
    Action.UNKNOWN: _help,
}


def _refusal(command: Command, error: DomainError) -> SmsReply:
    template, echo = ERROR_REPLIES.get(error.code, ("reply_failed", ""))
    params = {echo: (command.argument or "")[:ECHO_LENGTH]} if echo else {}
    return SmsReply(template, params)


async def answer(
    command: Command, citizen: Citizen, *, keep_diacritics: bool = False
) -> SmsReply | None:
    """The reply to a parsed message; a refusal from the domain becomes an explaining reply.
    Whether the reply confirms a change comes from the grammar table, never from a handler; a
    refusal changed nothing."""
    try:
        reply = await HANDLERS[command.action](command, citizen, keep_diacritics)
    except DomainError as error:
        return _refusal(command, error)
    return None if reply is None else replace(reply, confirms=command.changes)
