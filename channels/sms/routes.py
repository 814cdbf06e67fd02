"""The SMS doors: `POST /channels/sms/{adapter}/inbound` and `/delivery`.

Both answer 200 with an empty body once the message is kept (in the database, or in the spool
while the database is away: `channels/sms/intake.py`): the reply travels through the outbox and
the worker, never inside the gateway's callback.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from channels.gateway_auth import check_gateway
from channels.sms.adapters import adapter_named
from channels.sms.intake import take_delivery, take_inbound
from channels.sms.spool import SmsSpool
from domain.errors import NotFound
from domain.inbound_sms import find_inbound_sms
from domain.sms_text import to_sms_text
from infra.settings import Settings

logger = logging.getLogger("mgov.sms")


def _spool(request: Request) -> SmsSpool:
    spool: SmsSpool = request.app.state.sms_spool
    return spool


async def inbound(request: Request) -> Response:
    check_gateway(request)
    adapter = adapter_named(request.path_params["adapter"])
    sms = await adapter.parse_inbound(request)
    keep = request.app.state.settings.sms_keep_diacritics
    await take_inbound(sms, spool=_spool(request), keep_diacritics=keep)
    return Response(status_code=200)


async def delivery(request: Request) -> Response:
    check_gateway(request)
    adapter = adapter_named(request.path_params["adapter"])
    report = await adapter.parse_delivery(request)
    if report.status is None:
        logger.info("delivery report %s: nothing to apply", report.message_id)
    else:
        await take_delivery(report, provider=adapter.SENDER, spool=_spool(request))
    return Response(status_code=200)


async def reply_to(request: Request) -> Response:
    """Development only (`mgov sms`): the reply to one inbound message and how far it got."""
    check_gateway(request)
    adapter = adapter_named(request.path_params["adapter"])
    record = await find_inbound_sms(
        gateway=adapter.NAME, gateway_message_id=request.path_params["message_id"]
    )
    if record is None:
        raise NotFound("not_found", "no such inbound message")
    reply = record.reply
    settings: Settings = request.app.state.settings
    return JSONResponse(
        {
            "received": True,
            "reply": None
            if reply is None
            else {
                "status": reply.status.value,
                "text": to_sms_text(reply.body, keep_diacritics=settings.sms_keep_diacritics),
                "segments": reply.segments,
                "last_error": reply.last_error,
            },
        }
    )


def sms_routes(settings: Settings) -> list[Route]:
    """The gateway doors; outside production also the read-back route `mgov sms` polls, which
    would otherwise let a gateway credential read citizens' replies."""
    routes = [
        Route("/channels/sms/{adapter}/inbound", inbound, methods=["POST"]),
        Route("/channels/sms/{adapter}/delivery", delivery, methods=["POST"]),
    ]
    if not settings.is_production:
        routes.append(
            Route("/channels/sms/{adapter}/inbound/{message_id}", reply_to, methods=["GET"])
        )
    return routes
