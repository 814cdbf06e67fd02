"""An agency's officers review what citizens submitted, oldest first: accept it into a dossier
(code and deadline by the counter's rules, the clock starting now), refuse it with a reason the
citizen reads, or receive it and ask for a supplement, naming exactly what is missing. Each
action and each opening of a file is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from domain.applications.catalog import form_spec
from domain.applications.drafts import attached_documents
from domain.applications.forms import FormSpec
from domain.applications.submission import notify_application
from domain.applications.supplements import ask_for_supplement
from domain.dossiers.counter_desk import find_receiving_office, staff_actor
from domain.dossiers.records import SMS_NOTE_LENGTH, receive_dossier
from domain.errors import Conflict, InvalidInput, NotFound
from domain.holidays import load_working_calendar
from domain.local_time import utc_now
from domain.staff.accounts import require_agency, require_permission
from domain.staff.audit import StaffCaller, record_audit
from domain.text import shorten
from models import Application, ApplicationDocument, Dossier
from models.enums import ApplicationStatus, StaffRole

REASON_MAX = 500


@dataclass(frozen=True)
class Waiting:
    application: Application
    waiting_hours: float


async def review_queue(
    *,
    caller: StaffCaller,
    agency_id: int | None = None,
    after: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> list[Waiting]:
    """Submitted applications, oldest first, with the working hours each has waited. An officer
    sees their own agency's; an admin any one agency's, or all."""
    require_permission(caller.user, "application.review")
    if caller.user.role == StaffRole.OFFICER:
        agency_id = caller.user.agency_id
    query = Application.filter(status=ApplicationStatus.SUBMITTED)
    if agency_id is not None:
        query = query.filter(agency_id=agency_id)
    if after is not None:
        submitted_at, last_id = after
        query = query.filter(submitted_at__gte=submitted_at).exclude(
            submitted_at=submitted_at, id__lte=last_id
        )
    rows = await query.order_by("submitted_at", "id").limit(limit)
    await Application.fetch_for_list(rows, "procedure", "citizen")
    now = utc_now()
    calendar = await load_working_calendar(around=now)
    return [
        Waiting(row, calendar.working_hours_between(row.submitted_at or now, now)) for row in rows
    ]


@dataclass(frozen=True)
class ApplicationFile:
    application: Application
    spec: FormSpec
    documents: list[ApplicationDocument]


async def _reviewable(caller: StaffCaller, application_id: int) -> Application:
    require_permission(caller.user, "application.review")
    application = await Application.get_or_none(id=application_id)
    if application is None:
        raise NotFound("application_not_found", "no such application")
    require_agency(caller.user, application.agency_id)
    return application


async def open_for_review(*, caller: StaffCaller, application_id: int) -> ApplicationFile:
    """The answers and the list of documents, as the officer decides on them; the opening is
    audited as any read of a citizen's file is."""
    application = await _reviewable(caller, application_id)
    if application.status == ApplicationStatus.DRAFT:
        raise NotFound("application_not_found", "no such application")
    await application.fetch_related("procedure", "citizen", "form", "dossier")
    await record_audit(
        caller=caller,
        action="application.open",
        citizen=application.citizen,
        subject=f"application:{application.id}",
    )
    return ApplicationFile(
        application, form_spec(application.form), await attached_documents(application)
    )


async def staff_document(
    *, caller: StaffCaller, application_id: int, document_id: int
) -> ApplicationDocument:
    application = await _reviewable(caller, application_id)
    document = await ApplicationDocument.get_or_none(id=document_id, application=application)
    if document is None or application.status == ApplicationStatus.DRAFT:
        raise NotFound("document_not_found", "no such document")
    await record_audit(
        caller=caller,
        action="application.document",
        citizen=await application.citizen,
        subject=f"application:{application.id}:{document.id}",
    )
    return document


async def _decide(caller: StaffCaller, application_id: int) -> Application:
    """The application under a row lock, still waiting: two officers cannot both decide it."""
    application = await Application.select_for_update().get(id=application_id)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(
            "application_decided",
            "this application was already decided",
            current=application.status.value,
        )
    application.decided_at = utc_now()
    application.decided_by = caller.user.username
    return application


async def _accept(
    caller: StaffCaller, application: Application, office_id: int | None, *, notify: bool = True
) -> Dossier:
    agency = await application.agency
    office = await find_receiving_office(agency=agency, office_id=office_id)
    dossier = await receive_dossier(
        citizen=await application.citizen,
        procedure=await application.procedure,
        office=office,
        actor=staff_actor(caller),
        received_at=application.decided_at,
        submitted_online=True,
        notify=notify,
    )
    application.status = ApplicationStatus.ACCEPTED
    application.dossier = dossier
    application.office = office
    await application.save()
    return dossier


async def accept_application(
    *, caller: StaffCaller, application_id: int, office_id: int | None = None
) -> Dossier:
    """Received: the citizen gets the dossier code and result date by their channel and in the
    inbox, exactly as at the counter."""
    await _reviewable(caller, application_id)
    async with in_transaction():
        application = await _decide(caller, application_id)
        dossier = await _accept(caller, application, office_id)
        await record_audit(
            caller=caller,
            action="application.accept",
            citizen=await application.citizen,
            subject=f"application:{application.id}:{dossier.code}",
        )
    return dossier


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason_required", "say why, for the citizen to read", field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput("reason_too_long", "at most 500 characters", field="reason")
    return reason


async def refuse_application(
    *, caller: StaffCaller, application_id: int, reason: str
) -> Application:
    reason = _reason(reason)
    await _reviewable(caller, application_id)
    async with in_transaction():
        application = await _decide(caller, application_id)
        application.status = ApplicationStatus.REFUSED
        application.refusal_reason = reason
        await application.save()
        await notify_application(
            application, "application_refused", reason=shorten(reason, SMS_NOTE_LENGTH)
        )
        await record_audit(
            caller=caller,
            action="application.refuse",
            citizen=await application.citizen,
            subject=f"application:{application.id}",
            reason=reason,
        )
    return application


async def request_supplement(
    *,
    caller: StaffCaller,
    application_id: int,
    fields: list[str],
    documents: list[str],
    note: str,
    office_id: int | None = None,
) -> Dossier:
    """Received into a dossier whose clock stops at once, waiting for exactly what is named."""
    await _reviewable(caller, application_id)
    async with in_transaction():
        application = await _decide(caller, application_id)
        await application.fetch_related("form")
        # One message, the supplement's (it carries the code): the receipt's result date would
        # be wrong a moment later, when the clock stops.
        dossier = await _accept(caller, application, office_id, notify=False)
        dossier = await ask_for_supplement(
            caller=caller,
            dossier=dossier,
            spec=form_spec(application.form),
            fields=fields,
            documents=documents,
            note=note,
            at=application.decided_at,
        )
        await record_audit(
            caller=caller,
            action="application.supplement",
            citizen=await application.citizen,
            subject=f"application:{application.id}:{dossier.code}",
            reason=note,
        )
    return dossier
