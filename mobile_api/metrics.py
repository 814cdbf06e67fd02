"""`/metrics` for Prometheus: request counts and latency by route template, the outbox backlog
and the last hour's messages by status (read at scrape), USSD hops and inbound SMS.

Scraping needs the bearer token (`MGOV_METRICS_TOKEN`) and/or an allowed address
(`MGOV_METRICS_ALLOWED_IPS`); with neither configured, development serves anyone and
production no one.
"""

from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.errors import Forbidden
from domain.stats import read_outbox_pulse
from infra.caller_auth import caller_allowed
from infra.metrics import (
    HTTP_LATENCY,
    HTTP_REQUESTS,
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_QUEUED,
    OUTBOX_RECENT,
    exposition,
)
from infra.settings import Settings
from models.enums import Channel, OutboxStatus

UNMATCHED = "<unmatched>"


def _route_template(scope: Scope, root_path: str) -> str:
    """The route's path template (`/v1/dossiers/{code}`), never the raw path, which may carry a
    phone number or a dossier code; a path no route matched is one label for all."""
    route = scope.get("route")
    path: str | None = getattr(route, "path", None)
    if path is None:
        return UNMATCHED
    mounted = str(scope.get("root_path", ""))[len(root_path) :]
    return mounted + path


class RequestMetricsMiddleware:
    """Counts and times every HTTP request by method, route template and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        root_path = str(scope.get("root_path", ""))
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = _route_template(scope, root_path)
            method = str(scope.get("method", ""))
            HTTP_REQUESTS.labels(method=method, route=route, status=str(status)).inc()
            HTTP_LATENCY.labels(method=method, route=route).observe(time.perf_counter() - started)


def _allowed(settings: Settings, request: Request) -> bool:
    token = str(settings.metrics_token)
    networks = settings.metrics_allowed_networks
    if not token and not networks:
        return not settings.is_production
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return caller_allowed(
        secret=token,
        given=given.strip() if scheme.lower() == "bearer" else "",
        networks=networks,
        host=request.client.host if request.client else None,
    )


async def metrics(request: Request) -> Response:
    if not _allowed(request.app.state.settings, request):
        raise Forbidden("metrics_forbidden", "metrics need the bearer token or an allowed address")
    pulse = await read_outbox_pulse()
    OUTBOX_BACKLOG.labels(status="queued").set(pulse.backlog.queued)
    OUTBOX_BACKLOG.labels(status="sending").set(pulse.backlog.sending)
    OUTBOX_OLDEST_QUEUED.set(pulse.backlog.oldest_queued_seconds or 0.0)
    recent = {(c.channel, c.status): c.count for c in pulse.recent}
    for channel in Channel:
        for status in OutboxStatus:
            OUTBOX_RECENT.labels(channel=channel.value, status=status.value).set(
                recent.get((channel.value, status.value), 0)
            )
    return Response(exposition(), media_type=CONTENT_TYPE_LATEST)


routes = [Route("/metrics", metrics)]
