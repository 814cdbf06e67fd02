"""Officers review online applications under /v1/staff/applications; admins publish forms.
Thin: each handler calls `domain.applications` (which checks the role and the agency, and
audits) and renders."""

from __future__ import annotations

from datetime import datetime

from starlette.responses import Response

from domain.applications.catalog import publish_form
from domain.applications.review import (
    accept_application,
    open_for_review,
    refuse_application,
    request_supplement,
    review_queue,
    staff_document,
)
from domain.applications.supplements import supplement_dossier
from domain.dossiers.records import find_dossier_by_code
from domain.local_time import as_utc
from domain.staff.accounts import find_agency
from mobile_api.access import staff
from mobile_api.documents_out import document_response
from mobile_api.endpoints import Call, Endpoint
from mobile_api.paging import decode_cursor, encode_cursor
from mobile_api.schemas.review import (
    AcceptBody,
    FormBody,
    FormVersion,
    QueueItem,
    QueueQuery,
    RefuseBody,
    ReviewFile,
    ReviewQueue,
    SupplementBody,
)
from mobile_api.schemas.staff import Receipt, StaffDossier

STAFF_BODY = "invalid_body"


def _after(text: str, number: str) -> tuple[datetime, int]:
    return as_utc(datetime.fromisoformat(text)), int(number)


async def applications_queue(call: Call) -> ReviewQueue:
    query: QueueQuery = call.query
    agency = await find_agency(code=query.agency) if query.agency else None
    rows = await review_queue(
        caller=call.staff,
        agency_id=agency.id if agency else None,
        after=decode_cursor(query.cursor, _after),
        limit=query.limit + 1,
    )
    page = rows[: query.limit]
    last = page[-1].application if len(rows) > query.limit else None
    cursor = None
    if last is not None and last.submitted_at is not None:
        cursor = encode_cursor(last.submitted_at.isoformat(), last.id)
    return ReviewQueue(items=[QueueItem.of(w, call.language) for w in page], next_cursor=cursor)


async def review_application(call: Call) -> ReviewFile:
    found = await open_for_review(caller=call.staff, application_id=call.path["application_id"])
    return ReviewFile.of(found, call.language)


async def review_document(call: Call) -> Response:
    document = await staff_document(
        caller=call.staff,
        application_id=call.path["application_id"],
        document_id=call.path["document_id"],
    )
    return document_response(call.request, document)


async def _receipt(dossier_code: str, call: Call) -> Receipt:
    dossier = await find_dossier_by_code(code=dossier_code)
    await dossier.fetch_related("procedure", "office")
    return Receipt.of(dossier, call.language)


async def accept(call: Call) -> Receipt:
    body: AcceptBody = call.body
    dossier = await accept_application(
        caller=call.staff, application_id=call.path["application_id"], office_id=body.office_id
    )
    return await _receipt(dossier.code, call)


async def refuse(call: Call) -> ReviewFile:
    body: RefuseBody = call.body
    await refuse_application(
        caller=call.staff, application_id=call.path["application_id"], reason=body.reason
    )
    return await review_application(call)


async def ask_supplement(call: Call) -> Receipt:
    body: SupplementBody = call.body
    dossier = await request_supplement(
        caller=call.staff,
        application_id=call.path["application_id"],
        fields=body.fields,
        documents=body.documents,
        note=body.note,
        office_id=body.office_id,
    )
    return await _receipt(dossier.code, call)


async def ask_dossier_supplement(call: Call) -> StaffDossier:
    body: SupplementBody = call.body
    dossier = await supplement_dossier(
        caller=call.staff,
        code=call.path["code"],
        fields=body.fields,
        documents=body.documents,
        note=body.note,
    )
    return StaffDossier.of(dossier, call.language)


async def publish_procedure_form(call: Call) -> FormVersion:
    body: FormBody = call.body
    form = await publish_form(
        caller=call.staff,
        procedure_code=call.path["code"],
        fields=body.fields,
        documents=body.documents,
        online_level=body.online_level,
        short_code=body.short_code,
        needs_cccd=body.needs_cccd,
    )
    return FormVersion.of(form, call.path["code"])


TAG = "staff"
ONE = "/v1/staff/applications/{application_id:row_id}"
REVIEW = staff("application.review")
endpoints = [
    Endpoint(
        "GET",
        "/v1/staff/applications",
        applications_queue,
        "Submitted applications waiting for review, oldest first, with their waiting time",
        TAG,
        query=QueueQuery,
        response=ReviewQueue,
        auth=REVIEW,
        invalid=STAFF_BODY,
    ),
    Endpoint(
        "GET",
        ONE,
        review_application,
        "One application: its answers and documents (audited)",
        TAG,
        response=ReviewFile,
        auth=REVIEW,
        no_store=True,
    ),
    Endpoint(
        "GET",
        ONE + "/documents/{document_id:row_id}",
        review_document,
        "Download one of its documents (audited)",
        TAG,
        auth=REVIEW,
        file=True,
    ),
    Endpoint(
        "POST",
        ONE + "/accept",
        accept,
        "Accept into a dossier: code and deadline by the counter's rules; the citizen is told",
        TAG,
        body=AcceptBody,
        response=Receipt,
        status=201,
        auth=REVIEW,
        errors=(409,),
        invalid=STAFF_BODY,
    ),
    Endpoint(
        "POST",
        ONE + "/refuse",
        refuse,
        "Refuse, with a reason the citizen reads",
        TAG,
        body=RefuseBody,
        response=ReviewFile,
        auth=REVIEW,
        errors=(409,),
        invalid=STAFF_BODY,
    ),
    Endpoint(
        "POST",
        ONE + "/supplement",
        ask_supplement,
        "Receive it and ask for a supplement of the named fields and documents",
        TAG,
        body=SupplementBody,
        response=Receipt,
        status=201,
        auth=REVIEW,
        errors=(409,),
        invalid=STAFF_BODY,
    ),
    Endpoint(
        "POST",
        "/v1/staff/dossiers/{code}/supplement",
        ask_dossier_supplement,
        "Ask an online dossier in processing for a supplement of named items",
        TAG,
        body=SupplementBody,
        response=StaffDossier,
        auth=staff("dossier.move"),
        errors=(409,),
        invalid=STAFF_BODY,
    ),
    Endpoint(
        "PUT",
        "/v1/staff/procedures/{code}/form",
        publish_procedure_form,
        "Publish a new version of a procedure's form and set its online level (admins)",
        TAG,
        body=FormBody,
        response=FormVersion,
        status=201,
        auth=staff("form.publish"),
        errors=(409,),
        invalid=STAFF_BODY,
    ),
]
