"""A real HTTP server standing in for an SMS gateway: it records what it gets and answers as
scripted (success, 5xx, 429 with Retry-After, 4xx, or too slowly)."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class GatewayServer:
    """A real aiohttp server on a free loopback port, answering POST /sms with `_handle`."""

    server: TestServer | None = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raise NotImplementedError

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/sms", self._handle)
        self.server = TestServer(app)
        await self.server.start_server()
        return str(self.server.make_url("/sms"))

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()


@dataclass
class FakeSmsGateway(GatewayServer):
    received: list[dict[str, Any]] = field(default_factory=list)
    script: deque[Reply] = field(default_factory=deque)
    server: TestServer | None = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        payload = await request.json()
        reply = self.script.popleft() if self.script else Reply()
        if reply.delay:
            await asyncio.sleep(reply.delay)
        self.received.append({**payload, "_auth": request.headers.get("Authorization", "")})
        if reply.status >= 300:
            return web.Response(status=reply.status, text="scripted failure", headers=reply.headers)
        return web.json_response({"id": f"gw-{len(self.received)}", "status": "accepted"})
