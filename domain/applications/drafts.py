"""Drafts: a citizen on a slow network fills a form across sessions, attaching documents as they
go. Answers are checked as they are saved (a wrong date is said at once) but may stay incomplete
until submission. The same edits serve a dossier sent back for a supplement, limited to what the
officer asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from domain.applications.catalog import form_of, form_spec, online_form
from domain.applications.documents import DocumentStore, StoredBlob
from domain.applications.forms import DocumentSpec, FormSpec, clean_answers
from domain.errors import Conflict, FieldProblem, FormIncomplete, InvalidInput, NotFound
from domain.local_time import local_date, utc_now
from models import Application, ApplicationDocument, Citizen, Dossier, SupplementRequest
from models.enums import ApplicationChannel, ApplicationStatus, DossierStatus

FILENAME_MAX = 200


async def my_application(
    *, citizen: Citizen, application_id: int, lock: bool = False
) -> Application:
    """Another citizen's application does not exist, as far as this one can tell. With `lock`,
    the row is held until the caller's transaction ends, so a change decides on what it read."""
    query = Application.select_for_update() if lock else Application
    application = await query.get_or_none(id=application_id, citizen=citizen)
    if application is None:
        raise NotFound("application_not_found", "no such application")
    return application


async def open_supplement(dossier_id: int | None) -> SupplementRequest | None:
    """What the officer asked for, while the dossier waits for it."""
    if dossier_id is None:
        return None
    dossier = await Dossier.get_or_none(id=dossier_id)
    if dossier is None or dossier.status != DossierStatus.NEEDS_SUPPLEMENT:
        return None
    return (
        await SupplementRequest.filter(dossier_id=dossier_id, resolved_at__isnull=True)
        .order_by("-requested_at")
        .first()
    )


@dataclass(frozen=True)
class Editable:
    """What the citizen may change now: everything in a draft, the asked items in a supplement."""

    spec: FormSpec
    fields: frozenset[str]
    documents: frozenset[str]
    # When the supplement being answered was asked; None for a draft.
    since: datetime | None = None


async def editable(application: Application) -> Editable:
    spec = form_spec(await form_of(application))
    if application.status == ApplicationStatus.DRAFT:
        return Editable(
            spec,
            frozenset(field.name for field in spec.fields),
            frozenset(doc.kind for doc in spec.documents),
        )
    asked = await open_supplement(application.dossier_id)
    if application.status == ApplicationStatus.ACCEPTED and asked is not None:
        return Editable(
            spec,
            frozenset(asked.fields_asked),
            frozenset(asked.documents_asked),
            asked.requested_at,
        )
    raise Conflict(
        "application_not_editable",
        "this application can no longer be changed",
        current=application.status.value,
    )


def _merge(
    allowed: Editable, current: dict[str, Any], changes: dict[str, Any], *, today: date
) -> dict[str, Any]:
    """The answers after `changes` (a null or blank value clears one), or every problem."""
    refused = [name for name in changes if name not in allowed.fields]
    problems = []
    for name in refused:
        code = "unknown_field" if allowed.spec.field(name) is None else "not_asked"
        problems.append(FieldProblem(f"answers.{name}", code))
    merged = {**current, **{k: v for k, v in changes.items() if k not in refused}}
    kept = {k: v for k, v in merged.items() if v is not None and v != ""}
    cleaned, wrong = clean_answers(allowed.spec, kept, today=today, complete=False)
    problems += wrong
    if problems:
        raise FormIncomplete(problems)
    return cleaned


async def start_draft(
    *,
    citizen: Citizen,
    procedure_code: str,
    answers: dict[str, Any] | None = None,
    channel: ApplicationChannel = ApplicationChannel.APP,
    idempotency_key: str | None = None,
) -> Application:
    procedure, form, spec = await online_form(code=procedure_code)
    now = utc_now()
    allowed = Editable(spec, frozenset(f.name for f in spec.fields), frozenset())
    cleaned = _merge(allowed, {}, answers or {}, today=local_date(now))
    return await Application.create(
        citizen=citizen,
        procedure=procedure,
        agency_id=procedure.agency_id,
        form=form,
        channel=channel,
        status=ApplicationStatus.DRAFT,
        answers=cleaned,
        idempotency_key=idempotency_key,
        touched_at=now,
    )


async def save_answers(
    *, citizen: Citizen, application_id: int, answers: dict[str, Any]
) -> Application:
    """Merge some answers into a draft (or the asked fields of a supplement)."""
    async with in_transaction():
        application = await my_application(
            citizen=citizen, application_id=application_id, lock=True
        )
        allowed = await editable(application)
        now = utc_now()
        application.answers = _merge(allowed, application.answers, answers, today=local_date(now))
        application.touched_at = now
        await application.save()
    return application


async def attached_documents(application: Application) -> list[ApplicationDocument]:
    return await ApplicationDocument.filter(application=application).order_by("id")


def _too_many_files(spec: DocumentSpec) -> Conflict:
    return Conflict(
        "too_many_files",
        "remove a file of this kind first",
        kind=spec.kind,
        max_files=spec.max_files,
    )


async def check_upload(
    *, citizen: Citizen, application_id: int, kind: str
) -> tuple[Application, int, tuple[str, ...]]:
    """Before any byte is stored: may this citizen attach a `kind` here, and within what size
    and types. Asked again, under a lock, when the upload is recorded."""
    application = await (
        Application.filter(id=application_id, citizen=citizen).select_related("form").first()
    )
    if application is None:
        raise NotFound("application_not_found", "no such application")
    allowed = await editable(application)
    spec = allowed.spec.document(kind)
    if spec is None:
        raise NotFound("document_kind_unknown", "this form asks for no such document", kind=kind)
    if kind not in allowed.documents:
        raise Conflict("document_not_asked", "this document is not asked for now", kind=kind)
    if application.status == ApplicationStatus.DRAFT:
        count = await ApplicationDocument.filter(application=application, kind=kind).count()
        if count >= spec.max_files:
            raise _too_many_files(spec)
    return application, spec.max_bytes, spec.types


async def record_upload(
    *,
    citizen: Citizen,
    application_id: int,
    kind: str,
    blob: StoredBlob,
    content_type: str,
    filename: str,
    store: DocumentStore,
) -> ApplicationDocument:
    """Attach a stored file. One file per kind unless the form allows more; in a supplement the
    new file replaces what was there, as the officer asked for a new one. A refused file, and a
    replaced one, is released from the store once the rows say so."""
    try:
        document, replaced = await _attach(
            citizen, application_id, kind, blob, content_type, filename
        )
    except BaseException:
        await release_files([blob.sha256], store=store)
        raise
    await release_files(replaced, store=store)
    return document


async def _attach(
    citizen: Citizen,
    application_id: int,
    kind: str,
    blob: StoredBlob,
    content_type: str,
    filename: str,
) -> tuple[ApplicationDocument, list[str]]:
    async with in_transaction():
        application = await my_application(
            citizen=citizen, application_id=application_id, lock=True
        )
        allowed = await editable(application)
        spec = allowed.spec.document(kind)
        if spec is None or kind not in allowed.documents:
            raise Conflict("document_not_asked", "this document is not asked for now", kind=kind)
        existing = await ApplicationDocument.filter(application=application, kind=kind)
        replaced: list[str] = []
        if allowed.since is not None:
            # A supplement: what was there before it was asked goes; its new files count.
            old = [d for d in existing if d.uploaded_at < allowed.since]
            await ApplicationDocument.filter(id__in=[d.id for d in old]).delete()
            replaced = [d.sha256 for d in old]
            existing = [d for d in existing if d.uploaded_at >= allowed.since]
        if len(existing) >= spec.max_files:
            raise _too_many_files(spec)
        now = utc_now()
        document = await ApplicationDocument.create(
            application=application,
            kind=kind,
            sha256=blob.sha256,
            size=blob.size,
            content_type=content_type,
            filename=_safe_filename(filename),
            uploaded_at=now,
        )
        application.touched_at = now
        await application.save(update_fields=["touched_at"])
    return document, replaced


def _safe_filename(name: str) -> str:
    """The name the citizen gave, for their own eyes and the officer's download: no path, no
    control characters, and short."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"')
    return cleaned.strip()[:FILENAME_MAX] or "document"


async def remove_document(
    *, citizen: Citizen, application_id: int, document_id: int, store: DocumentStore
) -> None:
    async with in_transaction():
        application = await my_application(
            citizen=citizen, application_id=application_id, lock=True
        )
        if application.status != ApplicationStatus.DRAFT:
            raise Conflict("application_not_editable", "only a draft's files can be removed")
        document = await ApplicationDocument.get_or_none(id=document_id, application=application)
        if document is None:
            raise NotFound("document_not_found", "no such document")
        await document.delete()
    await release_files([document.sha256], store=store)


async def release_files(hashes: list[str], *, store: DocumentStore) -> int:
    """Delete the stored copies no document row names any longer. Runs after the rows are gone
    (committed), so a crash between the two leaves a stray file, never a row without its file."""
    rows: list[Any] = await ApplicationDocument.filter(sha256__in=hashes).values_list(
        "sha256", flat=True
    )
    still_named = {str(sha) for sha in rows}
    gone = [sha for sha in set(hashes) if sha not in still_named]
    for sha in gone:
        store.delete(sha)
    return len(gone)


async def discard_draft(*, citizen: Citizen, application_id: int, store: DocumentStore) -> None:
    await my_application(citizen=citizen, application_id=application_id)
    deleted = await _delete_drafts(Q(id=application_id, citizen_id=citizen.id), store=store)
    if not deleted:
        raise Conflict("application_not_editable", "only a draft can be deleted; withdraw it")


async def _delete_drafts(which: Q, *, store: DocumentStore, limit: int | None = None) -> int:
    """Delete the drafts `which` names, still drafts under a row lock (a submit that won keeps
    its application), with the hashes of their files read in the same transaction; the files
    go after the commit."""
    async with in_transaction():
        query = Application.select_for_update().filter(which, status=ApplicationStatus.DRAFT)
        ids: list[Any] = (
            await query.order_by("id").limit(limit or DRAFT_BATCH).values_list("id", flat=True)
        )
        hashes: list[Any] = await ApplicationDocument.filter(application_id__in=ids).values_list(
            "sha256", flat=True
        )
        await Application.filter(id__in=ids).delete()
    await release_files([str(sha) for sha in hashes], store=store)
    return len(ids)


DRAFT_BATCH = 500


async def purge_stale_drafts(
    *, store: DocumentStore, untouched_for: timedelta, now: datetime | None = None
) -> int:
    """Drafts nobody touched for `untouched_for` go, with their files: we keep no papers a
    citizen abandoned. In batches, so a large backlog never holds one long transaction."""
    cutoff = (now or utc_now()) - untouched_for
    purged = 0
    while deleted := await _delete_drafts(Q(touched_at__lt=cutoff), store=store):
        purged += deleted
    return purged


def check_not_blank_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise InvalidInput(
            "idempotency_key_required", "send an Idempotency-Key header", field="Idempotency-Key"
        )
    key = key.strip()
    if len(key) > 64 or not key.isprintable():
        raise InvalidInput(
            "idempotency_key_invalid", "at most 64 printable characters", field="Idempotency-Key"
        )
    return key
