"""The supplement loop online: an officer names the fields and documents that are missing or
wrong, the dossier's clock stops, the citizen corrects just those and resubmits, and the clock
resumes with the paused working days added to the deadline (`domain.dossiers.records`)."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from domain.alerts.enqueue import enqueue_message
from domain.applications.catalog import form_spec
from domain.applications.drafts import my_application, open_supplement
from domain.applications.forms import FormSpec, check_complete
from domain.dossiers.counter_desk import staff_actor
from domain.dossiers.records import Actor, Notice, find_dossier_by_code, move_dossier
from domain.errors import Conflict, FieldProblem, FormIncomplete, InvalidInput
from domain.local_time import local_date, utc_now
from domain.staff.accounts import require_agency, require_permission
from domain.staff.audit import StaffCaller, record_audit
from domain.text import shorten
from models import Application, ApplicationDocument, Citizen, Dossier, SupplementRequest
from models.enums import ActorKind, ApplicationChannel, ApplicationStatus, DossierStatus

NOTE_MAX = 500


def asked_names(spec: FormSpec, fields: list[str], documents: list[str], language: str) -> str:
    """What is asked, by the names the citizen's form shows, in their language."""
    names = [field.label(language) for f in fields if (field := spec.field(f))]
    names += [doc.name(language) for d in documents if (doc := spec.document(d))]
    return "; ".join(names)


def _check_asked(spec: FormSpec, fields: list[str], documents: list[str]) -> None:
    problems = [FieldProblem(f"fields.{f}", "unknown_field") for f in fields if not spec.field(f)]
    problems += [
        FieldProblem(f"documents.{d}", "unknown_document")
        for d in documents
        if not spec.document(d)
    ]
    if problems:
        raise FormIncomplete(problems)
    if not fields and not documents:
        raise InvalidInput(
            "supplement_empty", "name at least one field or document", field="documents"
        )


async def ask_for_supplement(
    *,
    caller: StaffCaller,
    dossier: Dossier,
    spec: FormSpec,
    fields: list[str],
    documents: list[str],
    note: str,
    at: datetime | None = None,
) -> Dossier:
    """Inside the caller's transaction. The citizen's message lists every item asked for: the
    list is what they need, so only the officer's note is shortened to keep it short. Asked at
    review, `at` is the decision's own moment: that is how the figures tell an application sent
    back from one accepted (`domain.stats.online`)."""
    fields, documents = list(dict.fromkeys(fields)), list(dict.fromkeys(documents))
    _check_asked(spec, fields, documents)
    note = note.strip()[:NOTE_MAX]
    citizen: Citizen = await dossier.citizen
    listed = asked_names(spec, fields, documents, citizen.language)
    await SupplementRequest.create(
        dossier=dossier,
        fields_asked=fields,
        documents_asked=documents,
        note=note,
        requested_by=caller.user.username,
        requested_at=at or utc_now(),
    )
    reason = f"{listed}. {note}" if note else listed
    return await move_dossier(
        dossier_id=dossier.id,
        to_status=DossierStatus.NEEDS_SUPPLEMENT,
        actor=staff_actor(caller),
        note=reason[:NOTE_MAX],
        notice=Notice(await _supplement_template(dossier), listed + _short(note)),
    )


BASIC_PHONE = frozenset({ApplicationChannel.USSD, ApplicationChannel.SMS})


async def _supplement_template(dossier: Dossier) -> str:
    """Where the citizen can bring what is asked: a request made from a basic phone cannot be
    corrected in an app its sender may not have, so they are pointed to the USSD booking."""
    application = await Application.filter(dossier_id=dossier.id).only("id", "channel").first()
    if application is not None and application.channel in BASIC_PHONE:
        return "dossier_supplement_basic_phone"
    return "dossier_supplement_online"


NOTICE_NOTE = 40


def _short(note: str) -> str:
    """The officer's note after the list, in brackets, cut as every door cuts free text."""
    return f" ({shorten(note, NOTICE_NOTE)})" if note else ""


async def _online_application(dossier: Dossier) -> Application:
    application = await Application.filter(dossier=dossier).first()
    if application is None:
        raise Conflict("dossier_not_online", "this dossier was handed in at a counter: ask there")
    return application


async def supplement_dossier(
    *, caller: StaffCaller, code: str, fields: list[str], documents: list[str], note: str
) -> Dossier:
    """An officer handling an online dossier finds something missing later in processing."""
    require_permission(caller.user, "dossier.move")
    found = await find_dossier_by_code(code=code)
    office = await found.office
    require_agency(caller.user, office.agency_id)
    application = await _online_application(found)
    await application.fetch_related("form")
    async with in_transaction():
        dossier = await Dossier.select_for_update().get(id=found.id)
        dossier = await ask_for_supplement(
            caller=caller,
            dossier=dossier,
            spec=form_spec(application.form),
            fields=fields,
            documents=documents,
            note=note,
        )
        await record_audit(
            caller=caller,
            action="dossier.supplement",
            citizen=await dossier.citizen,
            subject=dossier.code,
            reason=note,
        )
    return dossier


async def _fresh_kinds(application: Application, since: datetime) -> set[str]:
    rows = await ApplicationDocument.filter(application=application, uploaded_at__gte=since)
    return {row.kind for row in rows}


async def _answered_by_citizen(dossier_id: int | None) -> Dossier | None:
    """The dossier, when its last supplement was answered and nothing happened since (the
    citizen's move back to processing is its latest event)."""
    if dossier_id is None:
        return None
    last = await SupplementRequest.filter(dossier_id=dossier_id).order_by("-requested_at").first()
    dossier = await Dossier.get(id=dossier_id)
    if last is None or last.resolved_at is None or dossier.status != DossierStatus.IN_PROGRESS:
        return None
    return dossier


async def resubmit_supplement(*, citizen: Citizen, application_id: int) -> Dossier:
    """Every asked document must be a new upload and every asked field answered rightly; then
    the dossier goes back to processing and its clock runs again."""
    async with in_transaction():
        application = await my_application(
            citizen=citizen, application_id=application_id, lock=True
        )
        asked = await open_supplement(application.dossier_id)
        if application.status == ApplicationStatus.ACCEPTED and asked is None:
            answered = await _answered_by_citizen(application.dossier_id)
            if answered is not None:
                return answered  # a retry of a resubmission that went through
        if application.status != ApplicationStatus.ACCEPTED or asked is None:
            raise Conflict("no_supplement_asked", "nothing is asked of this application now")
        await application.fetch_related("form")
        spec = form_spec(application.form)
        fresh = await _fresh_kinds(application, asked.requested_at)
        problems = [
            FieldProblem(f"documents.{kind}", "document_not_replaced")
            for kind in asked.documents_asked
            if kind not in fresh
        ]
        kinds = list(
            await ApplicationDocument.filter(application=application).values_list("kind", flat=True)
        )
        try:
            check_complete(
                spec, application.answers, [str(k) for k in kinds], today=local_date(utc_now())
            )
        except FormIncomplete as incomplete:
            problems += incomplete.problems
        if problems:
            raise FormIncomplete(problems)
        now = utc_now()
        asked.resolved_at = now
        await asked.save()
        application.touched_at = now
        await application.save(update_fields=["touched_at"])
        assert application.dossier_id is not None
        dossier = await move_dossier(
            dossier_id=application.dossier_id,
            to_status=DossierStatus.IN_PROGRESS,
            actor=Actor(ActorKind.CITIZEN, "app"),
            at=now,
        )
        await enqueue_message(
            citizen=citizen,
            template="dossier_supplement_received",
            params={"code": dossier.code},
            dedupe_key=f"supplement:{asked.id}:received",
        )
    return dossier
