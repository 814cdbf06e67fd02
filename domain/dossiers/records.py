"""Dossiers: received at a counter, moved through the lifecycle, looked up from any door."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from domain.alerts.enqueue import enqueue_message
from domain.catalogue import localised_name
from domain.dossiers.codes import code_digits_key, code_lookup_key, format_dossier_code
from domain.dossiers.lifecycle import (
    CLOCK_RUNNING,
    FINISHED,
    HANDLED,
    NOTIFY_TEMPLATE,
    REASON_REQUIRED,
    can_move,
)
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests
from domain.holidays import load_working_calendar
from domain.local_time import local_text, utc_now
from domain.policy import current_policy
from domain.throttle import consume_attempt
from models import Citizen, Dossier, DossierEvent, DossierSequence, Office, Procedure
from models.dossiers import CODE_MAX_LENGTH
from models.enums import ActorKind, DossierStatus


@dataclass(frozen=True)
class Actor:
    """Who caused a change, as the event history and the audit trail record it."""

    kind: ActorKind
    name: str = ""


SYSTEM = Actor(ActorKind.SYSTEM, "mgov")


@dataclass(frozen=True)
class DossierView:
    """A dossier as one viewer may see it: `full` is False when only the status word is allowed."""

    dossier: Dossier
    full: bool
    overdue: bool


def is_overdue(dossier: Dossier, *, now: datetime | None = None) -> bool:
    """Past its deadline while the clock runs; a finished or paused dossier is never overdue."""
    return dossier.status in CLOCK_RUNNING and (now or utc_now()) > dossier.due_at


async def _next_number(*, agency_code: str, day: datetime) -> int:
    """The day's next sequence number; the UPDATE row-locks, so concurrent receipts queue."""
    local_day = day.astimezone(current_policy().timezone).date()
    await DossierSequence.bulk_create(
        [DossierSequence(agency_code=agency_code, day=local_day)], ignore_conflicts=True
    )
    await DossierSequence.filter(agency_code=agency_code, day=local_day).update(
        last_number=F("last_number") + 1
    )
    row = await DossierSequence.get(agency_code=agency_code, day=local_day)
    return row.last_number


SMS_NOTE_LENGTH = 60


def _short(note: str) -> str:
    """An officer's note, cut so the SMS stays one segment; the app shows it whole."""
    return note if len(note) <= SMS_NOTE_LENGTH else note[: SMS_NOTE_LENGTH - 3].rstrip() + "..."


@dataclass(frozen=True)
class Notice:
    """What the citizen is told of a move when it is not the usual text with the officer's note
    (a supplement asked online lists the items, and says where to add them)."""

    template: str
    note: str


async def _notify(dossier: Dossier, event: DossierEvent, notice: Notice | None = None) -> None:
    template = notice.template if notice else NOTIFY_TEMPLATE.get(event.to_status)
    if template is None:
        return
    citizen: Citizen = await dossier.citizen
    office: Office = await dossier.office
    await enqueue_message(
        citizen=citizen,
        template=template,
        params={
            "code": dossier.code,
            "due_date": local_text(dossier.due_at, "%d/%m/%Y"),
            "note": notice.note if notice else _short(event.note),
            "office": localised_name(office, citizen.language),
        },
        dedupe_key=f"dossier-event:{event.id}",
    )


async def receive_dossier(
    *,
    citizen: Citizen,
    procedure: Procedure,
    office: Office,
    actor: Actor,
    received_at: datetime | None = None,
    submitted_online: bool = False,
    notify: bool = True,
) -> Dossier:
    """Register a dossier, handed in at a counter or accepted from an online application: its
    code, its deadline, and the citizen's receipt (unless the step that follows at once tells
    them instead: `notify` False)."""
    received_at = received_at or utc_now()
    calendar = await load_working_calendar(around=received_at)
    agency = await office.agency
    async with in_transaction():
        number = await _next_number(agency_code=agency.code, day=received_at)
        code = format_dossier_code(
            agency_code=agency.code, day=calendar.local(received_at).date(), number=number
        )
        dossier = await Dossier.create(
            code=code,
            lookup_key=code_lookup_key(code),
            digits_key=code_digits_key(code),
            citizen=citizen,
            procedure=procedure,
            office=office,
            status=DossierStatus.RECEIVED,
            received_at=received_at,
            due_at=calendar.due_at(received_at, procedure.processing_days),
            submitted_online=submitted_online,
        )
        event = await DossierEvent.create(
            dossier=dossier,
            from_status=None,
            to_status=DossierStatus.RECEIVED,
            actor_kind=actor.kind,
            actor=actor.name,
            created_at=received_at,
        )
        if notify:
            await _notify(dossier, event)
    return dossier


async def _record_handling_time(
    dossier: Dossier, *, from_status: DossierStatus, at: datetime
) -> None:
    """Late or not, and the working days used, fixed when handling ends so statistics are plain
    SQL. A dossier refused while it waited for the citizen stopped its clock when it paused."""
    procedure: Procedure = await dossier.procedure
    stopped_at = at
    if from_status == DossierStatus.NEEDS_SUPPLEMENT and dossier.paused_at is not None:
        stopped_at = dossier.paused_at
    calendar = await load_working_calendar(around=stopped_at)
    taken = calendar.working_days_taken(
        due_at=dossier.due_at, stopped_at=stopped_at, processing_days=procedure.processing_days
    )
    dossier.finished_late = stopped_at > dossier.due_at
    dossier.working_days_taken = taken
    days = procedure.processing_days
    dossier.time_used_percent = round(taken * 100 / days) if days > 0 else None


async def move_dossier(
    *,
    dossier_id: int,
    to_status: DossierStatus,
    actor: Actor,
    note: str = "",
    at: datetime | None = None,
    notice: Notice | None = None,
) -> Dossier:
    """Move a dossier one step; an illegal move is refused and nothing changes. `notice`, when
    given, is what the citizen's message says in place of the note."""
    note = note.strip()
    if to_status in REASON_REQUIRED and not note:
        raise InvalidInput("reason_required", f"moving to {to_status} needs a reason", field="note")
    at = at or utc_now()
    async with in_transaction():
        dossier = await Dossier.select_for_update().get_or_none(id=dossier_id)
        if dossier is None:
            raise NotFound("dossier_not_found", "no such dossier")
        from_status = dossier.status
        if not can_move(from_status, to_status):
            raise Conflict(
                "illegal_transition",
                f"{from_status} -> {to_status} is not allowed",
                from_status=from_status.value,
                to_status=to_status.value,
            )
        if to_status == DossierStatus.NEEDS_SUPPLEMENT:
            dossier.paused_at = at
        elif from_status == DossierStatus.NEEDS_SUPPLEMENT and dossier.paused_at is not None:
            calendar = await load_working_calendar(around=at)
            dossier.due_at = calendar.resume_due_at(
                due_at=dossier.due_at, paused_at=dossier.paused_at, resumed_at=at
            )
            dossier.paused_at = None
            # A new deadline: if it is missed too, the citizen hears about it again.
            dossier.apology_sent_at = None
            dossier.promised_at = None
        if to_status in FINISHED and dossier.finished_at is None:
            if to_status in HANDLED:
                await _record_handling_time(dossier, from_status=from_status, at=at)
            dossier.finished_at = at
            dossier.paused_at = None
        dossier.status = to_status
        dossier.status_note = note
        await dossier.save()
        event = await DossierEvent.create(
            dossier=dossier,
            from_status=from_status,
            to_status=to_status,
            actor_kind=actor.kind,
            actor=actor.name,
            note=note,
            created_at=at,  # the step's own time: a move recorded later keeps its date
        )
        await _notify(dossier, event, notice)
    return dossier


async def find_dossier_by_code(*, code: str) -> Dossier:
    """Resolve a code as typed: any case, without dots, dashes or spaces, or its digits alone."""
    key = code_lookup_key(code)
    if not key or len(key) > CODE_MAX_LENGTH:
        raise NotFound("dossier_not_found", "empty or overlong dossier code")
    # With its procedure in the same query: a status screen names it ("which dossier is this?").
    if key.isdigit():
        matches = await Dossier.filter(digits_key=key).select_related("procedure").limit(2)
        if len(matches) > 1:
            raise Conflict("dossier_code_ambiguous", "several dossiers share these digits")
        dossier = matches[0] if matches else None
    else:
        dossier = await Dossier.filter(lookup_key=key).select_related("procedure").first()
    if dossier is None:
        raise NotFound("dossier_not_found", "no dossier with this code")
    return dossier


async def lookup_dossier(
    *, code: str, viewer: Citizen | None = None, cccd_last4: str | None = None
) -> DossierView:
    """Owner-aware lookup: the owner sees everything, anyone with the code sees the status word,
    and the owner's CCCD last 4 digits open the full view to a helper (a relative, an agent)."""
    dossier = await find_dossier_by_code(code=code)
    overdue = is_overdue(dossier)
    if viewer is not None and viewer.id == dossier.citizen_id:
        return DossierView(dossier, full=True, overdue=overdue)
    if cccd_last4:
        owner = await dossier.citizen
        given = cccd_last4.strip()
        if owner.cccd_last4 and hmac.compare_digest(owner.cccd_last4, given):
            return DossierView(dossier, full=True, overdue=overdue)
        raise Forbidden("cccd_mismatch", "CCCD last 4 digits do not match")
    return DossierView(dossier, full=False, overdue=overdue)


async def dossier_timeline(*, dossier: Dossier) -> list[DossierEvent]:
    return await DossierEvent.filter(dossier=dossier).order_by("created_at", "id")


async def list_citizen_dossiers(
    *,
    citizen: Citizen,
    status: DossierStatus | None = None,
    before_id: int | None = None,
    limit: int = 20,
) -> list[Dossier]:
    """Newest first, in pages keyed by id, so paging stays stable while dossiers arrive."""
    query = Dossier.filter(citizen=citizen)
    if status is not None:
        query = query.filter(status=status)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return await query.order_by("-id").limit(limit)


CCCD_TRIES_PER_DOSSIER = 5
CCCD_TRIES_PER_PHONE = 10
CCCD_TRIES_WINDOW = timedelta(minutes=15)


async def unlock_dossier(*, code: str, caller_phone: str, cccd_last4: str) -> DossierView:
    """A helper's full view by the owner's CCCD last 4 digits, with tries limited per dossier and
    per calling phone: 4 digits are only 10,000 guesses. A wrong try says how many are left
    (`cccd_mismatch`, `tries_left`); the last one is refused as `cccd_tries_used` with when the
    window ends, so the caller is told when to come back rather than to type again."""
    dossier = await find_dossier_by_code(code=code)
    counted = [
        await consume_attempt(
            key=f"cccd:dossier:{dossier.id}",
            limit=CCCD_TRIES_PER_DOSSIER,
            window=CCCD_TRIES_WINDOW,
        ),
        await consume_attempt(
            key=f"cccd:phone:{caller_phone}", limit=CCCD_TRIES_PER_PHONE, window=CCCD_TRIES_WINDOW
        ),
    ]
    try:
        return await lookup_dossier(code=dossier.code, cccd_last4=cccd_last4)
    except Forbidden as mismatch:
        tries_left = min(attempt.remaining for attempt in counted)
        if tries_left:
            raise Forbidden(mismatch.code, mismatch.detail, tries_left=tries_left) from None
        wait = max(attempt.retry_after for attempt in counted if not attempt.remaining)
        raise TooManyRequests("cccd_tries_used", "no CCCD tries left", retry_after=wait) from None
