"""`create_app(settings)`: the one place the web process is assembled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import ClientDisconnect

from channels.sms.intake import replaying
from channels.sms.routes import sms_routes
from channels.sms.spool import SmsSpool
from channels.ussd import routes as ussd
from domain.errors import DomainError
from infra.database import open_database
from infra.document_store import FilesystemStore
from infra.outages import DATABASE_ERRORS
from infra.settings import Settings
from mobile_api import api, assets, health
from mobile_api.console.dashboard import routes as dashboard_routes
from mobile_api.console.review import routes as review_routes
from mobile_api.console.routes import routes as console_routes
from mobile_api.etag import ETagMiddleware
from mobile_api.forwarded import TrustedProxyMiddleware
from mobile_api.methods import method_not_allowed
from mobile_api.metrics import RequestMetricsMiddleware
from mobile_api.metrics import routes as metrics_routes
from mobile_api.middleware import RequestIdMiddleware
from mobile_api.problems import (
    database_error_handler,
    domain_error_handler,
    http_error_handler,
    unexpected_error_handler,
)
from mobile_api.request_body import (
    BodyLimitMiddleware,
    BodyTooLarge,
    body_too_large,
    client_disconnected,
)
from mobile_api.security_headers import SecurityHeadersMiddleware
from notifications.providers.base import OUTBOUND_TIMEOUT


def create_app(settings: Settings) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with (
            open_database(settings),
            aiohttp.ClientSession(timeout=OUTBOUND_TIMEOUT) as http,
            replaying(app.state.sms_spool, keep_diacritics=settings.sms_keep_diacritics),
        ):
            app.state.http = http
            yield

    app = Starlette(
        routes=[*health.routes, *api.routes, *ussd.routes],
        middleware=[
            Middleware(TrustedProxyMiddleware, proxies=settings.trusted_proxies),
            Middleware(BodyLimitMiddleware, limits=settings.body_limits),
            Middleware(SecurityHeadersMiddleware),
            Middleware(RequestIdMiddleware),
            Middleware(RequestMetricsMiddleware),
            Middleware(GZipMiddleware, minimum_size=500),
            Middleware(ETagMiddleware),
        ],
        exception_handlers={
            DomainError: domain_error_handler,
            HTTPException: http_error_handler,
            405: method_not_allowed,
            BodyTooLarge: body_too_large,
            ClientDisconnect: client_disconnected,
            **dict.fromkeys(DATABASE_ERRORS, database_error_handler),
            Exception: unexpected_error_handler,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.sms_spool = SmsSpool(settings.sms_spool_dir)
    app.state.document_store = FilesystemStore(settings.document_dir)
    app.router.routes.extend(metrics_routes)
    app.router.routes.extend(sms_routes(settings))
    app.router.routes.extend(console_routes)
    app.router.routes.extend(review_routes)
    app.router.routes.extend(dashboard_routes)
    app.router.routes.extend(assets.routes)
    return app
