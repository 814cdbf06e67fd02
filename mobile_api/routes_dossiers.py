"""GET /v1/dossiers, GET /v1/dossiers/{code}, POST /v1/dossiers/lookup."""

from __future__ import annotations

from functools import partial

from domain.applications.views import pending_applications
from domain.catalogue import localised_name, text
from domain.dossiers.owner_views import get_my_dossier, list_my_dossiers, look_up_dossier
from mobile_api.endpoints import Call, Endpoint
from mobile_api.paging import decode_cursor, read_page, row_id
from mobile_api.schemas.dossiers import (
    DossierOut,
    DossierPage,
    DossierQuery,
    DossierSummary,
    LookupRequest,
    LookupResult,
    PendingApplication,
    ProcedureRef,
)


async def my_dossiers(call: Call) -> DossierPage:
    query: DossierQuery = call.query
    before_id = decode_cursor(query.cursor, row_id)
    page, next_cursor = await read_page(
        partial(list_my_dossiers, citizen=call.citizen, status=query.status, before_id=before_id),
        query.limit,
        lambda dossier: [dossier.id],
    )
    pending = [] if before_id else await pending_applications(citizen=call.citizen)
    return DossierPage(
        items=[DossierSummary.of(d, call.language) for d in page],
        next_cursor=next_cursor,
        applications=[
            PendingApplication(
                id=a.id,
                status=a.status.value,
                status_text=text(f"application.status.{a.status.value}", call.language),
                procedure=ProcedureRef(
                    code=a.procedure.code, name=localised_name(a.procedure, call.language)
                ),
                submitted_at=a.submitted_at,
                refusal_reason=a.refusal_reason or None,
            )
            for a in pending
        ],
    )


async def my_dossier(call: Call) -> DossierOut:
    detail = await get_my_dossier(
        citizen=call.citizen, code=call.path["code"], language=call.language
    )
    return DossierOut.detail(detail, call.language)


async def lookup(call: Call) -> LookupResult:
    request: LookupRequest = call.body
    view, detail = await look_up_dossier(
        code=request.code,
        viewer=call.citizen,
        cccd_last4=request.cccd_last4,
        language=call.language,
    )
    dossier = view.dossier
    return LookupResult(
        code=dossier.code,
        status=dossier.status,
        status_text=text(f"status.{dossier.status.value}", call.language),
        full=view.full,
        dossier=DossierOut.detail(detail, call.language) if detail else None,
    )


TAG = "dossiers"
endpoints = [
    Endpoint(
        "GET",
        "/v1/dossiers",
        my_dossiers,
        "My dossiers, newest first",
        TAG,
        query=DossierQuery,
        response=DossierPage,
    ),
    Endpoint(
        "GET",
        "/v1/dossiers/{code}",
        my_dossier,
        "One of my dossiers: timeline, due date, overdue flag, next step",
        TAG,
        response=DossierOut,
    ),
    Endpoint(
        "POST",
        "/v1/dossiers/lookup",
        lookup,
        "Look up a dossier by code; the owner's CCCD last 4 digits open the full view",
        TAG,
        body=LookupRequest,
        response=LookupResult,
        errors=(403, 409, 429),
    ),
]
