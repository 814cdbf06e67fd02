"""A generic JSON SMS gateway (see docs/channels.md, "Generic HTTP SMS gateway"): many local
aggregators speak something close to it, and it is what our test gateway implements."""

from __future__ import annotations

import aiohttp

from notifications.providers.base import Accepted, OutgoingMessage, Provider, failure_for_status


class HttpSmsProvider(Provider):
    name = "http"

    def __init__(self, *, session: aiohttp.ClientSession, url: str, token: str = "") -> None:
        self.session = session
        self.url = url
        self.token = token

    async def _send(self, message: OutgoingMessage) -> Accepted:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        payload = {"to": message.phone, "text": message.body, "reference": message.id}
        async with self.session.post(self.url, json=payload, headers=headers) as response:
            if response.status >= 300:
                raise failure_for_status(
                    response.status,
                    (await response.text())[:200],
                    response.headers.get("Retry-After"),
                )
            body = await response.json(content_type=None)
        message_id = body.get("id") if isinstance(body, dict) else None
        return Accepted(self.name, str(message_id) if message_id else None)
