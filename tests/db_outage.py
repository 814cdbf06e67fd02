"""A database outage for tests, without stopping the server every other test shares.

PostgreSQL: a TCP proxy between the process under test and the server, which the test cuts
(every connection through it closed, new ones refused) and restores. SQLite has two kinds, as
the code under test meets two:
- `locked` (`LockedSqlite`): another connection holds the file's write lock, so writers meet
  `database is locked` once their busy timeout (100 ms here) runs out; readers go on.
- `unlinked` (`UnlinkedSqlite`): the file is opened through a symlinked directory; `cut()`
  closes the open handle and removes the link, so every query meets "unable to open database
  file", as when the disk holding the database is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from starlette.applications import Starlette
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.connection import get_connection
from tortoise.exceptions import ConfigurationError

from infra.database import open_database
from infra.settings import Settings
from tests.conftest import empty_all_tables

WAIT = 10.0  # the longest a test waits for a replay it expects
SqliteMode = Literal["locked", "unlinked"]


class CuttableProxy:
    """Forwards 127.0.0.1:`port` to `target`. `cut` closes every connection through it and stops
    listening, so connecting is refused; `restore` listens on the same port again."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.connections = 0  # accepted since the start, for the test's figures
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        await self._close_pipes()

    async def restore(self) -> None:
        if self._server is None:
            await self.start()

    async def close(self) -> None:
        await self.cut()

    async def _close_pipes(self) -> None:
        pipes, self._pipes = set(self._pipes), set()
        for pipe in pipes:
            pipe.cancel()
        await asyncio.gather(*pipes, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        pipe = asyncio.current_task()
        assert pipe is not None
        self._pipes.add(pipe)
        upstream_writer: asyncio.StreamWriter | None = None
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
            await asyncio.gather(_copy(reader, upstream_writer), _copy(upstream_reader, writer))
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            self._pipes.discard(pipe)
            for stream in (writer, upstream_writer):
                if stream is not None:
                    stream.transport.abort()  # a reset, as a server that went away leaves
                    with contextlib.suppress(OSError):
                        await stream.wait_closed()


async def _copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    while data := await source.read(65536):
        sink.write(data)
        await sink.drain()
    sink.close()


class Outage:
    """The URL to reach the database by, and a way to take it away and give it back."""

    database_url: str

    async def cut(self) -> None:
        raise NotImplementedError

    async def restore(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        await self.restore()


class ProxiedPostgres(Outage):
    def __init__(self, database_url: str) -> None:
        parts = urlsplit(database_url)
        self.proxy = CuttableProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
        self._parts = parts

    async def start(self) -> None:
        port = await self.proxy.start()
        userinfo, at, _ = self._parts.netloc.rpartition("@")
        self.database_url = self._parts._replace(netloc=f"{userinfo}{at}127.0.0.1:{port}").geturl()

    async def cut(self) -> None:
        await self.proxy.cut()

    async def restore(self) -> None:
        await self.proxy.restore()

    async def close(self) -> None:
        await self.proxy.close()


class LockedSqlite(Outage):
    """The write lock held by another connection: writes fail, reads go on."""

    def __init__(self, database_url: str) -> None:
        self.path = database_url.removeprefix("sqlite://")
        self.database_url = f"{database_url}?busy_timeout=100"
        self._holder: sqlite3.Connection | None = None

    async def cut(self) -> None:
        self._holder = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        self._holder.execute("BEGIN EXCLUSIVE")

    async def restore(self) -> None:
        if self._holder is not None:
            self._holder.execute("ROLLBACK")
            self._holder.close()
            self._holder = None


class UnlinkedSqlite(Outage):
    """The file opened through a link that `cut` removes: every query fails."""

    def __init__(self, database_url: str, tmp: Path) -> None:
        database_file = Path(database_url.removeprefix("sqlite://"))
        self.real_directory = database_file.parent
        self.link = tmp / "database-link"
        self.database_url = f"sqlite://{self.link / database_file.name}"

    async def cut(self) -> None:
        try:
            connection = get_connection("default")
        except ConfigurationError:  # no app has opened the database yet
            pass
        else:
            await connection.close()
        self.link.unlink(missing_ok=True)

    async def restore(self) -> None:
        if not self.link.is_symlink():
            self.link.symlink_to(self.real_directory, target_is_directory=True)

    async def close(self) -> None:
        self.link.unlink(missing_ok=True)


async def until(
    condition: Callable[[], object],
    what: str,
    alive: Callable[[], None] | None = None,
    timeout: float = 10.0,
) -> None:
    """Wait for `condition` (a value, or an awaitable giving one), checking `alive` throughout."""
    deadline = time.monotonic() + timeout
    while True:
        if alive is not None:
            alive()
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f} s"
        await asyncio.sleep(0.05)


async def server_now() -> datetime:
    [row] = await get_connection("default").execute_query_dict("SELECT now() AS now")
    return row["now"]


async def listening_since(moment: datetime) -> bool:
    """Whether a connection to this database opened after `moment` listens for the outbox."""
    rows = await get_connection("default").execute_query_dict(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()"
        " AND query ILIKE 'LISTEN %mgov_outbox%' AND backend_start > $1",
        [moment],
    )
    return bool(rows[0]["n"])


@contextlib.asynccontextmanager
async def database_outage(
    database_url: str, *, sqlite: SqliteMode = "locked", tmp: Path | None = None
) -> AsyncIterator[Outage]:
    """An outage ready to cut, for the database at `database_url`; on SQLite of the `sqlite`
    kind (`unlinked` puts its link in `tmp`). Restored on the way out (an unlinked SQLite
    link is removed)."""
    outage: Outage
    if database_url.startswith("postgres"):
        outage = ProxiedPostgres(database_url)
        await outage.start()
    elif sqlite == "unlinked":
        assert tmp is not None, "an unlinked SQLite needs a directory for its link"
        outage = UnlinkedSqlite(database_url, tmp)
        await outage.restore()
    else:
        outage = LockedSqlite(database_url)
    try:
        yield outage
    finally:
        await outage.close()


@contextlib.asynccontextmanager
async def orm_through_outage(database: Settings) -> AsyncIterator[Outage]:
    """This process's ORM connected to `database` through an outage the test can cut, every
    table empty; restored before the ORM closes its connections through it."""
    EXECUTOR_CACHE.clear()  # see conftest's `db`
    async with database_outage(database.database_url) as outage:
        reached = dataclasses.replace(database, database_url=outage.database_url)
        async with open_database(reached):
            await empty_all_tables()
            yield outage
            await outage.restore()


def settings_through(database: Settings, outage: Outage, spool: Path) -> Settings:
    """The test database's settings, reached through the outage's path, with its own spool."""
    return dataclasses.replace(database, database_url=outage.database_url, sms_spool_dir=spool)


async def spool_drained(app: Starlette) -> None:
    """Wait (bounded) until the web process's own replay has emptied its spool."""
    spool = app.state.sms_spool
    await asyncio.wait_for(spool.emptied.wait(), WAIT)
    assert not spool.pending()
