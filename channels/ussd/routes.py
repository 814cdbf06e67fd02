"""`POST /channels/ussd/{adapter}`: gateway checked first, then one hop of the dialogue."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from channels.gateway_auth import check_gateway
from channels.ussd.adapters import ADAPTERS
from channels.ussd.dialogue import answer_hop
from channels.ussd.outage import CallerLanguages, outage_reply
from domain.errors import NotFound
from infra.metrics import count_ussd_hop
from infra.outages import DATABASE_ERRORS, is_database_unavailable, note_database_outage


def _languages(request: Request) -> CallerLanguages:
    """One memory per app (a web process serves one), so two apps in a process never share it."""
    state = request.app.state
    if not hasattr(state, "ussd_caller_languages"):
        state.ussd_caller_languages = CallerLanguages()
    languages: CallerLanguages = state.ussd_caller_languages
    return languages


async def ussd_hop(request: Request) -> Response:
    check_gateway(request)
    adapter = ADAPTERS.get(request.path_params["adapter"])
    if adapter is None:
        raise NotFound("not_found", "no such USSD adapter")
    hop = await adapter.parse(request)
    try:
        reply = await answer_hop(hop)
    except DATABASE_ERRORS as exc:
        if not is_database_unavailable(exc):
            raise
        note_database_outage(exc, where=f"USSD {request.path_params['adapter']}")
        reply = outage_reply(_languages(request).of(hop.phone))
    else:
        _languages(request).remember(hop.phone, reply.language)
    count_ussd_hop(ended=reply.end)
    return adapter.render(reply)


routes = [Route("/channels/ussd/{adapter}", ussd_hop, methods=["POST"])]
