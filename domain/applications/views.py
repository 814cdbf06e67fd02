"""Applications as their owner sees them: the list, and one with its documents, the dossier it
became and what a pending supplement asks."""

from __future__ import annotations

from dataclasses import dataclass

from domain.applications.catalog import form_spec
from domain.applications.drafts import attached_documents, my_application, open_supplement
from domain.applications.forms import FormSpec
from domain.errors import NotFound
from models import Application, ApplicationDocument, Citizen, Dossier, SupplementRequest
from models.enums import ApplicationStatus


@dataclass(frozen=True)
class ApplicationState:
    application: Application
    spec: FormSpec
    documents: list[ApplicationDocument]
    dossier: Dossier | None
    supplement: SupplementRequest | None


async def application_state(application: Application) -> ApplicationState:
    await application.fetch_related("procedure", "form", "dossier")
    return ApplicationState(
        application=application,
        spec=form_spec(application.form),
        documents=await attached_documents(application),
        dossier=application.dossier,
        supplement=await open_supplement(application.dossier_id),
    )


async def my_application_state(*, citizen: Citizen, application_id: int) -> ApplicationState:
    return await application_state(
        await my_application(citizen=citizen, application_id=application_id)
    )


async def list_my_applications(
    *,
    citizen: Citizen,
    status: ApplicationStatus | None = None,
    before_id: int | None = None,
    limit: int = 20,
) -> list[Application]:
    """Newest first, paged by id, with procedure and dossier loaded for the list."""
    query = Application.filter(citizen=citizen)
    if status is not None:
        query = query.filter(status=status)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    rows = await query.order_by("-id").limit(limit)
    await Application.fetch_for_list(rows, "procedure", "dossier")
    return rows


async def my_document(
    *, citizen: Citizen, application_id: int, document_id: int
) -> ApplicationDocument:
    application = await my_application(citizen=citizen, application_id=application_id)
    document = await ApplicationDocument.get_or_none(id=document_id, application=application)
    if document is None:
        raise NotFound("document_not_found", "no such document")
    return document


async def pending_applications(*, citizen: Citizen, limit: int = 20) -> list[Application]:
    """What the dossier list shows above the dossiers: submitted and not yet decided, or
    refused (with the reason); accepted ones appear as their dossier."""
    rows = (
        await Application.filter(
            citizen=citizen, status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.REFUSED]
        )
        .order_by("-id")
        .limit(limit)
    )
    await Application.fetch_for_list(rows, "procedure")
    return rows
