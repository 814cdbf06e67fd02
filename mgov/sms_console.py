"""`mgov sms <phone> "<text>"`: text the running service as a citizen would, and read the answer.

The message goes in through the generic gateway door, exactly as a gateway would post it; the
answer is read back, once the worker has sent it, from the development-only route
`GET /channels/sms/generic/inbound/{id}`, which a production server does not have.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

FINAL = ("sent", "delivered", "failed")


class ConsoleError(RuntimeError):
    """Something the person at the keyboard can fix: no server, no worker, a production server."""


@dataclass(frozen=True)
class ConsoleReply:
    status: str
    text: str
    segments: int
    last_error: str


async def text_and_wait(
    *,
    base_url: str,
    phone: str,
    text: str,
    secret: str = "",
    timeout: float = 20.0,
    poll: float = 0.25,
) -> ConsoleReply | None:
    """Post one inbound SMS and wait until its reply is sent; None when no reply is due (a
    repeated STOP)."""
    message_id = f"console-{uuid.uuid4().hex[:16]}"
    headers = {"X-Gateway-Secret": secret} if secret else {}
    base = base_url.rstrip("/")
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=10), headers=headers
    ) as http:
        try:
            async with http.post(
                f"{base}/channels/sms/generic/inbound",
                json={"id": message_id, "from": phone, "text": text},
            ) as posted:
                if posted.status != 200:
                    raise ConsoleError(f"the server refused the message: {await _detail(posted)}")
        except aiohttp.ClientConnectionError:
            raise ConsoleError(f"no mgov server at {base} (start one with `make run`)") from None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            async with http.get(f"{base}/channels/sms/generic/inbound/{message_id}") as got:
                if got.status == 404:
                    raise ConsoleError("this server has no read-back route (MGOV_ENV=production?)")
                if got.status != 200:
                    raise ConsoleError(f"reading the reply failed: {await _detail(got)}")
                reply = (await got.json())["reply"]
            if reply is None:
                return None
            if reply["status"] in FINAL:
                return ConsoleReply(
                    reply["status"], reply["text"], reply["segments"], reply["last_error"]
                )
            if loop.time() > deadline:
                raise ConsoleError("the reply is queued but not sent: is `mgov worker` running?")
            await asyncio.sleep(poll)


async def _detail(response: aiohttp.ClientResponse) -> str:
    try:
        return str((await response.json()).get("detail", response.status))
    except (aiohttp.ContentTypeError, ValueError):
        return str(response.status)


def show_exchange(text: str, reply: ConsoleReply | None, out: Callable[[str], None]) -> None:
    """The conversation as the phone shows it."""
    out(f"> {text}")
    if reply is None:
        out("(no reply: nothing is due, e.g. a second STOP)")
        return
    out(f"< {reply.text}")
    detail = f"{reply.status}, {reply.segments} segment{'s' if reply.segments != 1 else ''}"
    out(f"  ({detail}{': ' + reply.last_error if reply.last_error else ''})")
