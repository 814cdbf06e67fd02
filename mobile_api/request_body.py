"""Request bodies at the edge, for every door at once: each route class has a size ceiling,
refused with 413 before the body is held in memory, and a caller who hangs up mid-body is one
INFO line, not a traceback.

Every route belongs to a body class: the API's (`api`: JSON bodies, gateway callbacks, console
forms) unless it is a `ClassedRoute` naming another (`upload`: an application's documents),
and each class has its limit in `Settings.body_limits` (`MGOV_BODY_LIMIT_<CLASS>`). The
middleware learns the route from the scope, which the router fills in before any handler reads
the body, so the check sits in `receive`: a declared `Content-Length` over the limit is refused
before the first byte is read, and a chunked body once the bytes counted so far pass it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mobile_api.problems import ProblemResponse, problem

logger = logging.getLogger("mgov.web")
API = "api"
UPLOAD = "upload"
_UNKNOWN = "<unmatched>"


class BodyTooLarge(Exception):
    """Not a DomainError: no door's own error handling (the console re-renders its form on one)
    may turn the edge's refusal into something else."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body over {limit} bytes")
        self.limit = limit


class ClassedRoute(Route):
    """A route whose bodies belong to another class than the API's, with that class's limit."""

    def __init__(
        self, path: str, endpoint: Callable[..., Any], *, body_class: str, **options: Any
    ) -> None:
        super().__init__(path, endpoint, **options)
        self.body_class = body_class


def body_class(route: object) -> str:
    return str(getattr(route, "body_class", API))


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            # Past 18 digits it is over any limit; int() of thousands of digits would raise.
            return int(text) if text.isdigit() and len(text) <= 18 else 10**18
    return None


class BodyLimitMiddleware:
    """Counts what `receive` hands the app and refuses (BodyTooLarge) past the route's limit."""

    def __init__(self, app: ASGIApp, *, limits: Mapping[str, int]) -> None:
        self.app = app
        self.limits = dict(limits)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit: int | None = None
        received = 0

        async def limited_receive() -> Message:
            nonlocal limit, received
            if limit is None:
                limit = self.limits[body_class(scope.get("route"))]
                declared = _declared_length(scope)
                if declared is not None and declared > limit:
                    raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)


async def client_disconnected(request: Request, exc: Exception) -> Response:
    """The caller hung up before sending its whole body: nothing went wrong on our side, and no
    one will read the answer. One line, naming the route template (never the path, which can
    carry a push token or a phone number)."""
    assert isinstance(exc, ClientDisconnect)
    route = getattr(request.scope.get("route"), "path", _UNKNOWN)
    logger.info("client disconnected before its body was read: %s %s", request.method, route)
    return Response(status_code=400)


async def body_too_large(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, BodyTooLarge)
    return problem(request, code="body_too_large", status=413, params={"limit": exc.limit})
