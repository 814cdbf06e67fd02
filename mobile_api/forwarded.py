"""The caller's address, decided once per request, before anything reads it.

It is the TCP peer, unless the peer is one of `MGOV_TRUSTED_PROXIES`: then it is the address that
proxy says it forwarded for (`X-Forwarded-For`, read from the right, skipping our own proxies), and
the scheme is the one it was reached by (`X-Forwarded-Proto`). The answer replaces
`scope["client"]`, so every reader of `request.client` (the rate limits, the audit log, the
gateway and metrics allowlists) sees the same address. `mgov web` turns uvicorn's own proxy
handling off: it trusted 127.0.0.1 by default, so any local caller could name itself any address
and pass a per-address limit by changing the header.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> Address | None:
    """An address as proxies write it: bare, `[v6]:port` or `v4:port`."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: Address | None, proxies: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def forwarded_client(peer: str, forwarded_for: str, proxies: Sequence[Network]) -> str:
    """The first address, from the right, that is not one of our proxies: entries further left
    were written by whoever called the outermost proxy, so anyone can put anything there. An entry
    that is no address stops the walk at the last hop we can vouch for."""
    client = peer
    for entry in reversed(forwarded_for.split(",")):
        address = _address(entry)
        if address is None:
            break
        client = str(address)
        if not _trusted(address, proxies):
            break
    return client


class TrustedProxyMiddleware:
    def __init__(self, app: ASGIApp, *, proxies: Sequence[Network]) -> None:
        self.app = app
        self.proxies = tuple(proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        if scope["type"] == "http" and peer and _trusted(_address(peer[0]), self.proxies):
            forwarded_for = b",".join(
                value for name, value in scope["headers"] if name == b"x-forwarded-for"
            ).decode("latin-1")
            if forwarded_for:
                scope["client"] = (forwarded_client(peer[0], forwarded_for, self.proxies), 0)
            protos = [value for name, value in scope["headers"] if name == b"x-forwarded-proto"]
            proto = protos[-1].decode("latin-1").split(",")[-1].strip().lower() if protos else ""
            if proto in ("http", "https"):
                scope["scheme"] = proto
        await self.app(scope, receive, send)
