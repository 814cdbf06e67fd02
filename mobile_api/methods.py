"""A 405 names every method its path serves. Starlette's router answers a wrong method from the
first route whose path matched, so `/v1/me` (GET on one route, PATCH on another) said only
`GET, HEAD`; this handler asks every route instead."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

from mobile_api.problems import http_error_handler


def allowed_methods(scope: Scope) -> str:
    """The methods of every route whose path matches this request's, for the `Allow` header."""
    methods: set[str] = set()
    router = scope.get("router")
    for route in getattr(router, "routes", []):
        if isinstance(route, Route) and route.methods:
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                methods |= route.methods
    return ", ".join(sorted(methods))


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = {**(exc.headers or {}), "Allow": allowed_methods(request.scope)}
    return await http_error_handler(request, HTTPException(405, headers=headers))
