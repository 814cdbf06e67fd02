"""The check shared by the doors that machines call (gateways, the Prometheus scraper): a shared
secret, an address allowlist, or both, each checked only when configured."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def caller_allowed(
    *, secret: str, given: str, networks: Sequence[Network], host: str | None
) -> bool:
    """True when the caller passes every configured check; with nothing configured it passes,
    and each door decides what that should mean for it. The secret is compared in constant
    time, so its prefix cannot be guessed by timing."""
    if networks:
        try:
            address = ipaddress.ip_address(host or "")
        except ValueError:
            return False
        if not any(address in network for network in networks):
            return False
    return not secret or hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8"))
