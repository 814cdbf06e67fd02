"""Who may call the gateway doors (USSD, SMS): a shared secret, an address allowlist, or both.

Gateways such as Africa's Talking sign nothing, so the secret travels as a header or, for
gateways that only let you configure a callback URL, as a `secret` query parameter. When both
are configured, a call must pass both.
"""

from __future__ import annotations

from starlette.requests import Request

from domain.errors import Forbidden
from infra.caller_auth import caller_allowed
from infra.settings import Settings

SECRET_HEADER = "x-gateway-secret"


def check_gateway(request: Request) -> None:
    """Refuse (403) a call that is not from our gateway, before any session state is touched."""
    settings: Settings = request.app.state.settings
    allowed = caller_allowed(
        secret=str(settings.gateway_secret),
        given=request.headers.get(SECRET_HEADER) or request.query_params.get("secret") or "",
        networks=settings.gateway_allowed_networks,
        host=request.client.host if request.client else None,
    )
    if not allowed:
        raise Forbidden("gateway_forbidden", "gateway authentication failed")
