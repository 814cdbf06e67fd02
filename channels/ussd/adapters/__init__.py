"""One module per gateway format, each with `parse(request) -> UssdRequest` and
`render(reply) -> Response`."""

from __future__ import annotations

from typing import Protocol

from starlette.requests import Request
from starlette.responses import Response

from channels.ussd.adapters import africastalking, generic
from channels.ussd.hops import UssdReply, UssdRequest


class Adapter(Protocol):
    """What a gateway format module provides; mypy checks each module against it."""

    async def parse(self, request: Request) -> UssdRequest: ...

    def render(self, reply: UssdReply) -> Response: ...


ADAPTERS: dict[str, Adapter] = {"africastalking": africastalking, "generic": generic}
