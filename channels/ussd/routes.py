"""`POST /channels/ussd/{adapter}`: gateway checked first, then one hop of the dialogue."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from channels.gateway_auth import check_gateway
from channels.ussd.adapters import ADAPTERS
from channels.ussd.dialogue import answer_hop
from domain.errors import NotFound


async def ussd_hop(request: Request) -> Response:
    check_gateway(request)
    adapter = ADAPTERS.get(request.path_params["adapter"])
    if adapter is None:
        raise NotFound("not_found", "no such USSD adapter")
    hop = await adapter.parse(request)
    return adapter.render(await answer_hop(hop))


routes = [Route("/channels/ussd/{adapter}", ussd_hop, methods=["POST"])]
