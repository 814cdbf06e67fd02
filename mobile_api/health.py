"""Probes for the platform: the process is up (/healthz), it reaches its database (/readyz)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from infra.database import database_is_ready
from mobile_api.problems import problem


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    if await database_is_ready():
        return JSONResponse({"status": "ready"})
    return problem(request, code="database_unavailable", status=503)


routes = [Route("/healthz", healthz), Route("/readyz", readyz)]
