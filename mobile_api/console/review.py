"""The officers' review pages at /console/applications: their agency's queue, oldest first, and
one application with its answers, its documents and the three decisions (accept, refuse, ask for
a supplement). Thin like every console page: each route checks the session and the form, calls
`domain.applications.review` (which checks the role and the agency, and audits), renders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.applications.forms import FieldSpec
from domain.applications.review import (
    ApplicationFile,
    accept_application,
    open_for_review,
    refuse_application,
    request_supplement,
    review_queue,
    staff_document,
)
from domain.catalogue import text
from domain.errors import DomainError
from domain.local_time import as_utc, local_text
from domain.staff.audit import StaffCaller
from mobile_api.console.routes import LOGIN_URL, _error_text, _redirect, _render
from mobile_api.console.session import check_csrf, console_language, console_staff
from mobile_api.documents_out import document_response
from mobile_api.paging import decode_cursor, encode_cursor, row_id
from models.enums import ApplicationStatus

QUEUE_URL = "/console/applications"
PAGE = 50
DONE = {"accepted", "refused", "supplement"}


def decimal_text(number: float, language: str) -> str:
    """Vietnamese writes a decimal with a comma (12,5), English with a point (12.5)."""
    written = f"{number:.1f}"
    return written.replace(".", ",") if language == "vi" else written


def office_hours(hours: float, language: str) -> str:
    return text("console.working_hours", language, hours=decimal_text(hours, language))


def shown_answer(spec: FieldSpec, value: Any, language: str) -> str:
    """An answer as the officer reads it: a choice by its label, a date as dd/mm/yyyy, an amount
    with its thousands marked; "" for a question left blank."""
    if value is None or value == "":
        return ""
    if spec.type == "choice":
        chosen = next((c for c in spec.choices if c.value == value), None)
        if chosen is not None:
            return chosen.label_en if language == "en" else chosen.label_vi
    if spec.type == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if spec.type == "number" and isinstance(value, int):
        grouped = f"{value:,}"
        return grouped if language == "en" else grouped.replace(",", ".")
    return str(value)


def _value(form: FormData | None, name: str) -> str:
    value = form.get(name, "") if form else ""
    return value if isinstance(value, str) else ""


def _values(form: FormData | None, name: str) -> list[str]:
    return [value for value in form.getlist(name) if isinstance(value, str)] if form else []


def _after(submitted_at: str, number: str) -> tuple[datetime, int]:
    return as_utc(datetime.fromisoformat(submitted_at)), row_id(number)


async def queue_page(request: Request) -> Response:
    caller = await console_staff(request)
    if caller is None:
        return _redirect(LOGIN_URL)
    language = console_language(request)
    try:
        after = decode_cursor(request.query_params.get("after"), _after)
        rows = await review_queue(caller=caller, after=after, limit=PAGE + 1)
    except DomainError as exc:
        context: dict[str, Any] = {"error": _error_text(request, exc), "rows": [], "next": None}
        return _render(request, "review_queue.html", context, caller=caller, status_code=exc.status)
    page = rows[:PAGE]
    last = page[-1].application if len(rows) > PAGE else None
    context = {
        "error": None,
        "rows": page,
        "next": encode_cursor(last.submitted_at.isoformat(), last.id)
        if last is not None and last.submitted_at is not None
        else None,
        "wait_hours": request.app.state.settings.review_wait_hours,
        "hours": lambda hours: office_hours(hours, language),
    }
    return _render(request, "review_queue.html", context, caller=caller)


def _done_text(found: ApplicationFile, done: str, language: str) -> str | None:
    """The outcome of the decision just made, from the application itself (the link names only
    which one): a dossier's code and due date after an acceptance."""
    application, dossier = found.application, found.application.dossier
    status = application.status
    if done == "refused" and status == ApplicationStatus.REFUSED:
        return text("console.review_done_refused", language)
    if dossier is None or status != ApplicationStatus.ACCEPTED or done not in DONE:
        return None
    due = local_text(dossier.due_at, "%d/%m/%Y")
    key = (
        "console.review_done_supplement" if done == "supplement" else "console.review_done_accepted"
    )
    return text(key, language, code=dossier.code, due=due)


async def _application_page(
    request: Request,
    caller: StaffCaller,
    *,
    error: DomainError | None = None,
    form: FormData | None = None,
) -> Response:
    """The application, with the outcome of a decision or the reason one was refused; a refused
    form comes back as the officer filled it."""
    language = console_language(request)
    status_code = error.status if error else 200
    try:
        found = await open_for_review(
            caller=caller, application_id=request.path_params["application_id"]
        )
    except DomainError as exc:
        context: dict[str, Any] = {"error": _error_text(request, exc), "file": None}
        return _render(
            request, "review_application.html", context, caller=caller, status_code=exc.status
        )
    spec = found.spec
    answers = [
        (
            field.label(language),
            shown_answer(field, found.application.answers.get(field.name), language),
        )
        for field in spec.fields
    ]
    documents = [
        (
            document,
            named.name(language) if (named := spec.document(document.kind)) else document.kind,
        )
        for document in found.documents
    ]
    context = {
        "file": found,
        "answers": answers,
        "documents": documents,
        "done": _done_text(found, request.query_params.get("done", ""), language),
        "error": _error_text(request, error) if error else None,
        "typed": {
            "reason": _value(form, "reason"),
            "note": _value(form, "note"),
            "fields": _values(form, "field"),
            "documents": _values(form, "document"),
        },
        "submitted": found.application.status == ApplicationStatus.SUBMITTED,
        "kib": lambda size: decimal_text(size / 1024, language),
    }
    return _render(
        request, "review_application.html", context, caller=caller, status_code=status_code
    )


async def application_page(request: Request) -> Response:
    caller = await console_staff(request)
    if caller is None:
        return _redirect(LOGIN_URL)
    return await _application_page(request, caller)


async def document(request: Request) -> Response:
    """The same bytes as the staff API's document endpoint, under the console's session; each
    download is audited by `staff_document`."""
    caller = await console_staff(request)
    if caller is None:
        return _redirect(LOGIN_URL)
    try:
        stored = await staff_document(
            caller=caller,
            application_id=request.path_params["application_id"],
            document_id=request.path_params["document_id"],
        )
        return document_response(request, stored)
    except DomainError as exc:
        context: dict[str, Any] = {"error": _error_text(request, exc), "file": None}
        return _render(
            request, "review_application.html", context, caller=caller, status_code=exc.status
        )


Decision = Callable[[StaffCaller, int, FormData], Awaitable[str]]


async def _decide(request: Request, decision: Decision) -> Response:
    """Run one decision from the application's page, then show the page with its outcome; a
    refusal shows the page again at once, with the error in the officer's language."""
    caller = await console_staff(request)
    if caller is None:
        return _redirect(LOGIN_URL)
    number: int = request.path_params["application_id"]
    form = await request.form()
    try:
        check_csrf(request, _value(form, "csrf"))
        done = await decision(caller, number, form)
    except DomainError as exc:
        return await _application_page(request, caller, error=exc, form=form)
    return _redirect(f"{QUEUE_URL}/{number}", done=done)


async def _accept(caller: StaffCaller, number: int, form: FormData) -> str:
    await accept_application(caller=caller, application_id=number)
    return "accepted"


async def _refuse(caller: StaffCaller, number: int, form: FormData) -> str:
    await refuse_application(caller=caller, application_id=number, reason=_value(form, "reason"))
    return "refused"


async def _supplement(caller: StaffCaller, number: int, form: FormData) -> str:
    await request_supplement(
        caller=caller,
        application_id=number,
        fields=_values(form, "field"),
        documents=_values(form, "document"),
        note=_value(form, "note"),
    )
    return "supplement"


async def accept(request: Request) -> Response:
    return await _decide(request, _accept)


async def refuse(request: Request) -> Response:
    return await _decide(request, _refuse)


async def supplement(request: Request) -> Response:
    return await _decide(request, _supplement)


ONE = QUEUE_URL + "/{application_id:row_id}"
routes = [
    Route(QUEUE_URL, queue_page, methods=["GET"]),
    Route(ONE, application_page, methods=["GET"]),
    Route(ONE + "/documents/{document_id:row_id}", document, methods=["GET"]),
    Route(ONE + "/accept", accept, methods=["POST"]),
    Route(ONE + "/refuse", refuse, methods=["POST"]),
    Route(ONE + "/supplement", supplement, methods=["POST"]),
]
