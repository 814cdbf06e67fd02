"""ETag and If-None-Match for every GET: a phone that already holds the answer gets a bodiless
304 instead of the same bytes again over a slow network.

The tag is a hash of the body as the route rendered it (before gzip, hence weak), so no route
needs to know about it. It sits inside the gzip middleware.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHE_CONTROL = "private, no-cache"
VARY = "Authorization, Accept-Language"


def _matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2): `W/` prefixes are ignored; `*` matches anything."""
    opaque = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == opaque:
            return True
    return False


def _no_store(start: Message) -> bool:
    return "no-store" in Headers(raw=start.get("headers", [])).get("cache-control", "")


class ETagMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match", "")
        start: Message | None = None
        chunks: list[bytes] = []

        async def tag_and_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if _no_store(message):
                    # Not to be kept, so not to be tagged: a document download streams on
                    # instead of being held here to be hashed.
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._finish(start, b"".join(chunks), if_none_match, send)

        await self.app(scope, receive, tag_and_send)

    @staticmethod
    async def _finish(start: Message, body: bytes, if_none_match: str, send: Send) -> None:
        headers = MutableHeaders(scope=start)
        if start["status"] != 200:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        # Static files come with their own tag; everything else is tagged by its body.
        etag = headers.get("etag") or f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'
        headers["ETag"] = etag
        headers.setdefault("Cache-Control", CACHE_CONTROL)
        headers.setdefault("Vary", VARY)
        if if_none_match and _matches(if_none_match, etag):
            kept = {
                "etag": etag,
                "cache-control": headers["cache-control"],
                "vary": headers["vary"],
            }
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [(k.encode(), v.encode()) for k, v in kept.items()],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await send(start)
        await send({"type": "http.response.body", "body": body})
