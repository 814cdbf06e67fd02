"""The agents' console at /console: server-rendered pages and plain forms. Thin like every door:
each route checks the session and the form, calls one domain function, renders a template."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from domain.appointments.offices import find_slots_for_booking, list_offices
from domain.auth.staff_tokens import issue_staff_token
from domain.catalogue import (
    error_key,
    error_text,
    has_text,
    localised_name,
    placeholders,
    text,
)
from domain.errors import DomainError
from domain.local_time import local_text, utc_now
from domain.policy import current_policy
from domain.staff.accounts import authenticate_staff
from domain.staff.audit import StaffCaller
from domain.staff.call_desk import (
    book_for_citizen,
    cancel_for_citizen,
    find_citizen_for_staff,
    resend_notification,
    view_citizen_file,
)
from domain.text import minutes_in_words
from mobile_api.console.session import (
    LANGUAGE_COOKIE,
    check_csrf,
    console_language,
    console_staff,
    csrf_token,
    end_session,
    keep_csrf,
    set_cookie,
    start_session,
)
from mobile_api.paging import RowIdConvertor  # noqa: F401 (registers `row_id` for the paths)
from mobile_api.staff_auth import client_address

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


LOGIN_URL = "/console/login"
HOME_URL = "/console"


def _render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    caller: StaffCaller | None = None,
    status_code: int = 200,
) -> Response:
    language = console_language(request)

    def t(key: str, **params: Any) -> str:
        return text(key, language, **params)

    response = templates.TemplateResponse(
        request,
        name,
        {
            "t": t,
            "lang": language,
            "other_lang": "en" if language == "vi" else "vi",
            "csrf": csrf_token(request),
            "staff": caller.user if caller else None,
            "local": lambda moment, pattern="%H:%M %d/%m/%Y": local_text(moment, pattern),
            "name_of": lambda item: localised_name(item, language),
            **context,
        },
        status_code=status_code,
        headers={"Cache-Control": "no-store", "Content-Language": language},
    )
    keep_csrf(request, response)
    if request.query_params.get("lang") in ("vi", "en"):
        set_cookie(request, response, LANGUAGE_COOKIE, language, 365 * 24 * 3600)
    return response


def _error_text(request: Request, exc: DomainError) -> str:
    language = console_language(request)
    params = dict(exc.params)
    if "seconds" in params:  # a lockout reads in minutes: "khoảng 12 phút", not "676 giây"
        params["wait"] = minutes_in_words(float(params["seconds"]), language)
    return error_text(exc.code, language, params, staff=True)


def _text_from_link(key: str | None, language: str) -> str | None:
    """The text a page's link names by key (`?done=`, `?error=`), when it needs no parameters:
    the link carries only the key, and anyone can write it, so its parameters are not taken
    from it either."""
    return text(key, language) if key and has_text(key) and not placeholders(key) else None


def _redirect(url: str, **query: str) -> RedirectResponse:
    return RedirectResponse(f"{url}?{urlencode(query)}" if query else url, status_code=303)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    values = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    check_csrf(request, values.get("csrf", ""))
    return values


async def login_page(request: Request) -> Response:
    return _render(request, "login.html", {"error": None})


async def login(request: Request) -> Response:
    try:
        form = await _form(request)
        user = await authenticate_staff(
            username=form.get("username", ""),
            password=form.get("password", ""),
            client_address=client_address(request),
        )
    except DomainError as exc:
        status = exc.status if exc.status in (401, 403, 429) else 400
        return _render(
            request, "login.html", {"error": _error_text(request, exc)}, status_code=status
        )
    settings = request.app.state.settings
    token = issue_staff_token(
        staff=user,
        secret=str(settings.secret_key),
        lifetime=timedelta(minutes=settings.staff_token_minutes),
    )
    response = _redirect(HOME_URL)
    start_session(request, response, token)
    return response


async def logout(request: Request) -> Response:
    try:
        await _form(request)
    except DomainError:
        return _redirect(HOME_URL)
    response = _redirect(LOGIN_URL)
    end_session(response)
    return response


async def home(request: Request) -> Response:
    caller = await console_staff(request)
    if caller is None:
        return _redirect(LOGIN_URL)
    return _render(request, "search.html", {"error": None, "phone": ""}, caller=caller)


async def search(request: Request) -> Response:
    caller = await console_staff(request)
    if caller is None:
        return _redirect(LOGIN_URL)
    phone = ""
    try:
        form = await _form(request)
        phone = form.get("phone", "")
        citizen = await find_citizen_for_staff(
            caller=caller, phone=phone, reason=form.get("reason", "")
        )
    except DomainError as exc:
        context = {"error": _error_text(request, exc), "phone": phone}
        return _render(request, "search.html", context, caller=caller, status_code=exc.status)
    return _redirect(f"/console/citizens/{citizen.id}")


def _booking_day(request: Request) -> date:
    try:
        return date.fromisoformat(request.query_params.get("day", ""))
    except ValueError:
        return (utc_now().astimezone(current_policy().timezone) + timedelta(days=1)).date()


async def citizen_page(request: Request) -> Response:
    caller = await console_staff(request)
    if caller is None:
        return _redirect(LOGIN_URL)
    citizen_id = request.path_params["citizen_id"]
    try:
        file = await view_citizen_file(
            caller=caller,
            citizen_id=citizen_id,
            keep_diacritics=request.app.state.settings.sms_keep_diacritics,
        )
        day = _booking_day(request)
        office_param = request.query_params.get("office", "")
        office, slots = (
            await find_slots_for_booking(office_id=int(office_param), day=day)
            if office_param.isascii() and office_param.isdigit() and len(office_param) <= 9
            else (None, [])
        )
        counters = await list_offices()
    except DomainError as exc:
        context: dict[str, Any] = {"error": _error_text(request, exc), "phone": ""}
        return _render(request, "search.html", context, caller=caller, status_code=exc.status)
    language = console_language(request)
    done = request.query_params.get("done", "")
    error_code = request.query_params.get("error", "")
    context = {
        "file": file,
        "counters": counters,
        "office": office,
        "slots": slots,
        "day": day.isoformat(),
        "done": _text_from_link(f"console.done_{done}", language) if done else None,
        # Never a 500 for a link: an unknown code, or one whose text needs parameters the
        # link does not carry (too_many_requests: {seconds}), reads as a plain refusal.
        "error": (
            (
                _text_from_link(error_key(error_code, staff=True), language)
                or text("console.action_failed", language)
            )
            if error_code
            else None
        ),
    }
    return _render(request, "citizen.html", context, caller=caller)


async def _act(request: Request, done: str, action: Any) -> Response:
    """Run one change from a citizen page's form, then show the page again with the outcome."""
    caller = await console_staff(request)
    if caller is None:
        return _redirect(LOGIN_URL)
    page = f"/console/citizens/{request.path_params['citizen_id']}"
    try:
        form = await _form(request)
        await action(caller, form)
    except DomainError as exc:
        return _redirect(page, error=exc.code)
    return _redirect(page, done=done)


async def book(request: Request) -> Response:
    async def run(caller: StaffCaller, form: dict[str, str]) -> None:
        slot = form.get("slot_id", "")
        await book_for_citizen(
            caller=caller,
            citizen_id=request.path_params["citizen_id"],
            slot_id=int(slot) if slot.isascii() and slot.isdigit() and len(slot) <= 9 else 0,
            reason=form.get("reason", ""),
        )

    return await _act(request, "booked", run)


async def cancel(request: Request) -> Response:
    async def run(caller: StaffCaller, form: dict[str, str]) -> None:
        await cancel_for_citizen(
            caller=caller,
            citizen_id=request.path_params["citizen_id"],
            appointment_id=request.path_params["appointment_id"],
            reason=form.get("reason", ""),
        )

    return await _act(request, "cancelled", run)


async def resend(request: Request) -> Response:
    async def run(caller: StaffCaller, form: dict[str, str]) -> None:
        await resend_notification(
            caller=caller,
            citizen_id=request.path_params["citizen_id"],
            message_id=request.path_params["message_id"],
            reason=form.get("reason", ""),
        )

    return await _act(request, "resent", run)


routes = [
    Route("/console", home, methods=["GET"]),
    Route("/console/login", login_page, methods=["GET"]),
    Route("/console/login", login, methods=["POST"]),
    Route("/console/logout", logout, methods=["POST"]),
    Route("/console/search", search, methods=["POST"]),
    Route("/console/citizens/{citizen_id:row_id}", citizen_page, methods=["GET"]),
    Route("/console/citizens/{citizen_id:row_id}/appointments", book, methods=["POST"]),
    Route(
        "/console/citizens/{citizen_id:row_id}/appointments/{appointment_id:row_id}/cancel",
        cancel,
        methods=["POST"],
    ),
    Route(
        "/console/citizens/{citizen_id:row_id}/notifications/{message_id}/resend",
        resend,
        methods=["POST"],
    ),
]
