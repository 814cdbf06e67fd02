"""The API under /v1 (the citizens' app, the staff API and its statistics, the back-office
webhook): its routes, its OpenAPI document and the offline docs page."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from mobile_api import (
    integrations,
    routes_applications,
    routes_appointments,
    routes_auth,
    routes_catalogue,
    routes_dossiers,
    routes_inbox,
    routes_me,
    staff_api,
    staff_applications,
    staff_stats,
)
from mobile_api.endpoints import route
from mobile_api.openapi import build_openapi

STATIC = Path(__file__).parent / "static"
ENDPOINTS = [
    *routes_auth.endpoints,
    *routes_me.endpoints,
    *routes_catalogue.endpoints,
    *routes_dossiers.endpoints,
    *routes_applications.endpoints,
    *routes_appointments.endpoints,
    *routes_inbox.endpoints,
    *staff_api.endpoints,
    *staff_applications.endpoints,
    *staff_stats.endpoints,
    *integrations.endpoints,
]


@cache
def openapi_document() -> dict[str, Any]:
    return build_openapi(ENDPOINTS)


async def openapi_json(request: Request) -> Response:
    return JSONResponse(openapi_document())


async def docs_page(request: Request) -> Response:
    return FileResponse(STATIC / "docs.html", media_type="text/html; charset=utf-8")


async def docs_script(request: Request) -> Response:
    return FileResponse(STATIC / "docs.js", media_type="text/javascript; charset=utf-8")


routes = [
    *(route(endpoint) for endpoint in ENDPOINTS),
    Route("/openapi.json", openapi_json),
    Route("/docs", docs_page),
    Route("/docs/docs.js", docs_script),
]
