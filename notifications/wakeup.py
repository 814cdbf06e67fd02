"""Waking workers at once when a message is queued: PostgreSQL LISTEN on its own connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from notifications.outbox import OUTBOX_CHANNEL


def _asyncpg_dsn(database_url: str) -> str:
    """Tortoise's `postgres://…?maxsize=20` as asyncpg wants it (pool options are not libpq's)."""
    return "postgresql://" + database_url.split("://", 1)[1].split("?", 1)[0]


@asynccontextmanager
async def outbox_wakeups(database_url: str) -> AsyncIterator[asyncio.Event | None]:
    """An event set on every NOTIFY, or None on SQLite, where the worker polls instead."""
    if not database_url.startswith("postgres"):
        yield None
        return
    wake = asyncio.Event()

    def on_notify(*_: Any) -> None:
        wake.set()

    connection = await asyncpg.connect(_asyncpg_dsn(database_url))
    try:
        await connection.add_listener(OUTBOX_CHANNEL, on_notify)
        yield wake
    finally:
        await connection.close()
