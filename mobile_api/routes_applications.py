"""The citizen's online applications under /v1/applications, and a procedure's form. Thin: each
handler calls `domain.applications` and renders."""

from __future__ import annotations

from functools import partial

from starlette.responses import Response

from domain.applications.catalog import online_form
from domain.applications.drafts import (
    check_upload,
    discard_draft,
    record_upload,
    remove_document,
    save_answers,
)
from domain.applications.submission import (
    create_application,
    submit_application,
    withdraw_application,
)
from domain.applications.supplements import resubmit_supplement
from domain.applications.views import (
    list_my_applications,
    my_application_state,
    my_document,
)
from domain.catalogue import localised_name, text
from mobile_api.access import PUBLIC
from mobile_api.documents_out import document_response, document_store
from mobile_api.endpoints import Call, Endpoint, Reply
from mobile_api.paging import decode_cursor, read_page, row_id
from mobile_api.schemas.applications import (
    AnswersBody,
    ApplicationOut,
    ApplicationPage,
    ApplicationQuery,
    ApplicationSummary,
    DocumentOut,
    FormOut,
    NewApplication,
    UploadQuery,
)
from mobile_api.schemas.dossiers import ProcedureRef
from mobile_api.uploads import receive_upload
from models import Application

IDEMPOTENCY = {
    "Idempotency-Key": "Any unique string per intended submission (a UUID): a retry with the "
    "same key answers what the first request did and submits nothing more"
}


async def procedure_form(call: Call) -> FormOut:
    procedure, form, spec = await online_form(code=call.path["code"])
    return FormOut.of(procedure, form, spec, call.language)


async def _out(call: Call, application_id: int) -> ApplicationOut:
    state = await my_application_state(citizen=call.citizen, application_id=application_id)
    return ApplicationOut.of(state, call.language)


def summary(application: Application, language: str) -> ApplicationSummary:
    return ApplicationSummary(
        id=application.id,
        status=application.status,
        status_text=text(f"application.status.{application.status.value}", language),
        procedure=ProcedureRef(
            code=application.procedure.code,
            name=localised_name(application.procedure, language),
        ),
        submitted_at=application.submitted_at,
        dossier_code=application.dossier.code if application.dossier else None,
        refusal_reason=application.refusal_reason or None,
    )


async def my_applications(call: Call) -> ApplicationPage:
    query: ApplicationQuery = call.query
    page, next_cursor = await read_page(
        partial(
            list_my_applications,
            citizen=call.citizen,
            status=query.status,
            before_id=decode_cursor(query.cursor, row_id),
        ),
        query.limit,
        lambda application: [application.id],
    )
    return ApplicationPage(items=[summary(a, call.language) for a in page], next_cursor=next_cursor)


async def new_application(call: Call) -> ApplicationOut | Reply:
    body: NewApplication = call.body
    application, created = await create_application(
        citizen=call.citizen,
        procedure_code=body.procedure_code,
        answers=dict(body.answers),
        submit=body.submit,
        idempotency_key=call.request.headers.get("idempotency-key"),
    )
    out = await _out(call, application.id)
    return out if created else Reply(out, 200)


async def my_application(call: Call) -> ApplicationOut:
    return await _out(call, call.path["application_id"])


async def change_answers(call: Call) -> ApplicationOut:
    body: AnswersBody = call.body
    await save_answers(
        citizen=call.citizen, application_id=call.path["application_id"], answers=dict(body.answers)
    )
    return await _out(call, call.path["application_id"])


async def delete_draft(call: Call) -> None:
    await discard_draft(
        citizen=call.citizen,
        application_id=call.path["application_id"],
        store=document_store(call.request),
    )


async def upload_document(call: Call) -> DocumentOut:
    query: UploadQuery = call.query
    application_id, kind = call.path["application_id"], query.kind
    _, max_bytes, types = await check_upload(
        citizen=call.citizen, application_id=application_id, kind=kind
    )
    store = document_store(call.request)
    upload = await receive_upload(call.request, store=store, max_bytes=max_bytes, types=types)
    document = await record_upload(
        citizen=call.citizen,
        application_id=application_id,
        kind=kind,
        blob=upload.blob,
        content_type=upload.content_type,
        filename=upload.filename,
        store=store,
    )
    return DocumentOut.of(document)


async def download_document(call: Call) -> Response:
    document = await my_document(
        citizen=call.citizen,
        application_id=call.path["application_id"],
        document_id=call.path["document_id"],
    )
    return document_response(call.request, document)


async def delete_document(call: Call) -> None:
    await remove_document(
        citizen=call.citizen,
        application_id=call.path["application_id"],
        document_id=call.path["document_id"],
        store=document_store(call.request),
    )


async def submit(call: Call) -> ApplicationOut:
    await submit_application(
        citizen=call.citizen,
        application_id=call.path["application_id"],
        idempotency_key=call.request.headers.get("idempotency-key"),
    )
    return await _out(call, call.path["application_id"])


async def withdraw(call: Call) -> ApplicationOut:
    await withdraw_application(citizen=call.citizen, application_id=call.path["application_id"])
    return await _out(call, call.path["application_id"])


async def resubmit(call: Call) -> ApplicationOut:
    await resubmit_supplement(citizen=call.citizen, application_id=call.path["application_id"])
    return await _out(call, call.path["application_id"])


TAG = "applications"
ONE = "/v1/applications/{application_id:row_id}"
DOCUMENT = ONE + "/documents/{document_id:row_id}"
endpoints = [
    Endpoint(
        "GET",
        "/v1/procedures/{code}/form",
        procedure_form,
        "What a procedure asks for online: its fields and documents, latest version",
        "catalogue",
        response=FormOut,
        auth=PUBLIC,
        errors=(409,),
    ),
    Endpoint(
        "GET",
        "/v1/applications",
        my_applications,
        "My applications, newest first (drafts included)",
        TAG,
        query=ApplicationQuery,
        response=ApplicationPage,
    ),
    Endpoint(
        "POST",
        "/v1/applications",
        new_application,
        "Start a draft, or submit at once with `submit` and an Idempotency-Key",
        TAG,
        body=NewApplication,
        response=ApplicationOut,
        status=201,
        also=(200,),
        errors=(409,),
    ),
    Endpoint("GET", ONE, my_application, "One of my applications", TAG, response=ApplicationOut),
    Endpoint(
        "PATCH",
        ONE,
        change_answers,
        "Save some answers (a blank or null one clears it); checked as saved",
        TAG,
        body=AnswersBody,
        response=ApplicationOut,
        errors=(409,),
    ),
    Endpoint(
        "DELETE",
        ONE,
        delete_draft,
        "Delete a draft and its files",
        TAG,
        status=204,
        errors=(409,),
    ),
    Endpoint(
        "POST",
        ONE + "/documents",
        upload_document,
        "Attach a document (multipart, part `file`): PDF, JPEG or PNG as the kind accepts",
        TAG,
        query=UploadQuery,
        response=DocumentOut,
        status=201,
        upload=True,
        errors=(409, 413),
    ),
    Endpoint("GET", DOCUMENT, download_document, "Download one of my documents", TAG, file=True),
    Endpoint(
        "DELETE",
        DOCUMENT,
        delete_document,
        "Remove a document from a draft",
        TAG,
        status=204,
        errors=(409,),
    ),
    Endpoint(
        "POST",
        ONE + "/submit",
        submit,
        "Submit a draft; every missing or wrong item comes back in one 422",
        TAG,
        response=ApplicationOut,
        headers=IDEMPOTENCY,
        errors=(409,),
    ),
    Endpoint(
        "POST",
        ONE + "/withdraw",
        withdraw,
        "Withdraw a submitted application before it is decided",
        TAG,
        response=ApplicationOut,
        errors=(409,),
    ),
    Endpoint(
        "POST",
        ONE + "/resubmit",
        resubmit,
        "Send back what a supplement asked for; the dossier's clock resumes",
        TAG,
        response=ApplicationOut,
        errors=(409,),
    ),
]
