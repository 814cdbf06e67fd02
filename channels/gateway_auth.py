"""Who may call the gateway doors (USSD, SMS): a shared secret, an address allowlist, or both.

Gateways such as Africa's Talking sign nothing, so the secret travels as a header or, for
gateways that only let you configure a callback URL, as a `secret` query parameter. When both
are configured, a call must pass both.
"""

from __future__ import annotations

import hmac
import ipaddress

from starlette.requests import Request

from domain.errors import Forbidden
from mgov.settings import Settings

SECRET_HEADER = "x-gateway-secret"


def _address_allowed(settings: Settings, host: str | None) -> bool:
    if not settings.gateway_allowed_networks:
        return True
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False
    return any(address in network for network in settings.gateway_allowed_networks)


def _secret_matches(settings: Settings, request: Request) -> bool:
    expected = str(settings.gateway_secret)
    if not expected:
        return True
    given = request.headers.get(SECRET_HEADER) or request.query_params.get("secret") or ""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def check_gateway(request: Request) -> None:
    """Refuse (403) a call that is not from our gateway, before any session state is touched."""
    settings: Settings = request.app.state.settings
    client = request.client.host if request.client else None
    if not (_address_allowed(settings, client) and _secret_matches(settings, request)):
        raise Forbidden("gateway_forbidden", "gateway authentication failed")
