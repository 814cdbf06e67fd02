"""Every error leaves as application/problem+json with a stable `type`, in the caller's language."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from domain.catalogue import error_text, text
from domain.errors import DomainError, FormIncomplete, TooManyRequests
from infra.logs import request_id_var
from infra.outages import RETRY_AFTER_SECONDS, is_database_unavailable, note_database_outage

logger = logging.getLogger(__name__)
PROBLEM_BASE = "https://mgov.example/problems/"
_HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}


def request_language(request: Request) -> str:
    """Vietnamese unless the caller prefers English (Accept-Language, first match wins)."""
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("vi"):
            return "vi"
    return "vi"


class ProblemResponse(JSONResponse):
    media_type = "application/problem+json"


def problem(
    request: Request,
    *,
    code: str,
    status: int,
    params: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    field: str | None = None,
    errors: list[dict[str, str]] | None = None,
) -> ProblemResponse:
    """A 422 always lists what is wrong per field: the `errors` given, or else one entry for
    `field` (the whole body when no field is named) carrying the problem's own code and text."""
    language = request_language(request)
    detail = error_text(code, language, params)
    generic = _HTTP_CODES.get(status)
    title = text(f"error.{generic}", language) if generic else detail
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if status == 422:
        body["errors"] = errors or [{"field": field or "body", "code": code, "message": detail}]
    request_id = request.scope.get("state", {}).get("request_id")
    return ProblemResponse(
        body,
        status_code=status,
        headers={
            **(headers or {}),
            "Content-Language": language,
            **({"X-Request-ID": request_id} if request_id else {}),
        },
    )


async def domain_error_handler(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, DomainError)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
    if exc.status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    errors = None
    if isinstance(exc, FormIncomplete):
        language = request_language(request)
        errors = [
            {
                "field": item.field,
                "code": item.code,
                "message": text(f"form.error.{item.code}", language, **item.params),
            }
            for item in exc.problems
        ]
    return problem(
        request,
        code=exc.code,
        status=exc.status,
        params=exc.params,
        headers=headers,
        field=exc.field,
        errors=errors,
    )


async def http_error_handler(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "bad_request")
    return problem(request, code=code, status=exc.status_code, headers=exc.headers)


async def database_error_handler(request: Request, exc: Exception) -> ProblemResponse:
    """An outage is the client's cue to come back (503 with Retry-After), not our bug (500).
    Registered for `infra.outages.DATABASE_ERRORS`; any other error of those types is re-raised
    to reach `unexpected_error_handler` as before."""
    if not is_database_unavailable(exc):
        raise exc
    note_database_outage(exc, where=f"{request.method} {request.url.path}")
    return database_unavailable(request)


def database_unavailable(request: Request) -> ProblemResponse:
    return problem(
        request,
        code="database_unavailable",
        status=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def unexpected_error_handler(request: Request, exc: Exception) -> ProblemResponse:
    """No stack trace reaches a user; the log keeps it, under the request id. Starlette runs this
    handler outside our middleware, so the request id is restored here from the scope."""
    token = request_id_var.set(request.scope.get("state", {}).get("request_id", "-"))
    try:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
    finally:
        request_id_var.reset(token)
    return problem(request, code="internal", status=500)
