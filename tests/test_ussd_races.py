"""A gateway retrying a USSD hop while the original is still being answered (README, USSD: "a
retry racing the original books once"): the booking's confirmation sent twice at once books one
appointment, queues one SMS, and both requests get the same screen.

The two hops are real HTTP requests into the app, in flight together: a gate lets them into the
app only once both have arrived. On PostgreSQL the test also holds the session's row until both
hops wait for its lock, so both have read the session before either books; on SQLite, whose one
connection serialises transactions, both reads are queued before either hop's transaction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from models import Appointment, OutboxMessage, UssdSession
from tests.conftest import http_client
from tests.ussd_phone import ADAPTERS, Phone, city

pytestmark = pytest.mark.parametrize("adapter", ADAPTERS)

WAIT = 10.0  # the longest a test waits for what it expects


class Together:
    """ASGI: holds each HTTP request at the door until `count` have arrived, then lets them in."""

    def __init__(self, app: ASGIApp, count: int) -> None:
        self.app = app
        self.barrier = asyncio.Barrier(count)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await asyncio.wait_for(self.barrier.wait(), WAIT)
        await self.app(scope, receive, send)


@asynccontextmanager
async def row_held(session_id: str) -> AsyncIterator[None]:
    """A transaction of the test's own holding the session row's lock (PostgreSQL) until the
    block ends."""
    locked, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with in_transaction():
            await UssdSession.filter(session_id=session_id).select_for_update()
            locked.set()
            await release.wait()

    task = asyncio.create_task(hold())
    try:
        await asyncio.wait_for(locked.wait(), WAIT)
        yield
    finally:
        release.set()
        await task


async def waiting_for_locks(count: int) -> None:
    """Until `count` backends of this database wait for a lock (the hops queue one behind the
    other, the first behind the test's hold); asked of the server again and again, as PostgreSQL's
    own isolation tests do, for there is no event to wait on."""
    connection = get_connection("default")
    query = (
        "SELECT count(*) AS n FROM pg_stat_activity"
        " WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0"
    )
    while (await connection.execute_query_dict(query))[0]["n"] < count:
        pass


async def _confirm_twice_at_once(phone: Phone, backend: str) -> tuple[str, str]:
    if backend != "postgres":
        return await asyncio.wait_for(phone.press_twice_at_once("1"), WAIT)
    # The row is let go when the block ends, before the task group waits for the two hops.
    async with asyncio.TaskGroup() as group, row_held(phone.session_id):
        racing = group.create_task(asyncio.wait_for(phone.press_twice_at_once("1"), WAIT))
        await asyncio.wait_for(waiting_for_locks(2), WAIT)
    return racing.result()


async def test_a_confirmation_sent_twice_at_once_books_once(app, adapter, backend):
    owner, _, _, _ = await city()
    async with http_client(app) as client:
        phone = Phone(client, adapter)
        await phone.dial()
        for key in ("3", "1", "1"):
            await phone.press(key)
        confirm = await phone.press("1")
    assert confirm.startswith("CON Dat lich ") and "\n1 Xac nhan\n" in confirm

    async with http_client(Together(app, 2)) as raced:
        phone.http = raced
        first, second = await _confirm_twice_at_once(phone, backend)

    [appointment] = await Appointment.filter(citizen=owner)
    assert first.startswith(f"CON Da dat lich hen {appointment.id} luc ")
    assert second == first
    assert await OutboxMessage.filter(template="appointment_booked").count() == 1
    assert (await UssdSession.get(session_id=phone.session_id)).hops == 6
