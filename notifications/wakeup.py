"""Waking workers at once when a message is queued: PostgreSQL LISTEN on its own connection.

The connection is held by a task of its own for as long as the worker runs, and opened again
whenever it is lost (PostgreSQL restarted, a network cut), through the worker's `DatabaseOutage`.
A NOTIFY sent while nobody listened is gone, so each new connection also wakes the worker once,
to claim what was queued meanwhile; until then the worker still polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from domain.alerts.enqueue import OUTBOX_CHANNEL
from infra.postgres_pool import asyncpg_dsn
from notifications.outage import DatabaseOutage


@asynccontextmanager
async def outbox_wakeups(
    database_url: str, *, outage: DatabaseOutage | None = None
) -> AsyncIterator[asyncio.Event | None]:
    """An event set on every NOTIFY, or None on SQLite, where the worker polls instead."""
    if not database_url.startswith("postgres"):
        yield None
        return
    wake = asyncio.Event()
    listening = asyncio.create_task(
        _keep_listening(asyncpg_dsn(database_url), wake, outage or DatabaseOutage())
    )
    try:
        yield wake
    finally:
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listening


async def _keep_listening(dsn: str, wake: asyncio.Event, outage: DatabaseOutage) -> None:
    while True:
        lost = asyncio.Event()
        connection = await outage.retry(functools.partial(_listen, dsn, wake, lost))
        assert connection is not None  # retry gives None only when stopped, and it has no stop
        wake.set()
        try:
            await lost.wait()
        finally:
            connection.terminate()  # closed already when lost; when cancelled, no goodbye needed


async def _listen(dsn: str, wake: asyncio.Event, lost: asyncio.Event) -> asyncpg.Connection:
    """A connection that sets `wake` on every NOTIFY and `lost` when it closes."""

    def on_notify(*_: Any) -> None:
        wake.set()

    connection = await asyncpg.connect(dsn)
    try:
        connection.add_termination_listener(lambda _: lost.set())
        await connection.add_listener(OUTBOX_CHANNEL, on_notify)
    except BaseException:
        connection.terminate()
        raise
    return connection
