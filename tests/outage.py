"""A database the test can take away and give back, without stopping the shared server.

PostgreSQL: the app connects through a TCP proxy on a free local port; `cut()` drops every
connection through it and stops listening (new ones are refused), `restore()` listens again.
SQLite: the app opens the file through a symlinked directory; `cut()` closes the open handle
and removes the link ("unable to open database file"), `restore()` puts the link back.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from starlette.applications import Starlette
from tortoise.connection import get_connection
from tortoise.exceptions import ConfigurationError

from mgov.settings import Settings

WAIT = 10.0  # the longest a test waits for a replay it expects


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresProxy:
    def __init__(self, database_url: str) -> None:
        parts = urlsplit(database_url)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self.port = _free_port()
        user = f"{parts.username}@" if parts.username else ""
        self.url = urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{self.port}"))
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._pipes: set[asyncio.Task[None]] = set()

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        if self._pipes:
            await asyncio.gather(*self._pipes, return_exceptions=True)

    async def close(self) -> None:
        await self.cut()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, upstream_writer))
        pipes = [
            asyncio.create_task(self._pipe(reader, upstream_writer)),
            asyncio.create_task(self._pipe(upstream_reader, writer)),
        ]
        self._pipes.update(pipes)
        await asyncio.gather(*pipes, return_exceptions=True)
        self._pipes.difference_update(pipes)
        for end in (writer, upstream_writer):
            self._writers.discard(end)
            end.transport.abort()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.transport.abort()


class SqliteLink:
    def __init__(self, database_url: str, tmp: Path) -> None:
        database_file = Path(database_url.removeprefix("sqlite://"))
        self.real_directory = database_file.parent
        self.link = tmp / "database-link"
        self.url = f"sqlite://{self.link / database_file.name}"

    async def restore(self) -> None:
        self.link.symlink_to(self.real_directory, target_is_directory=True)

    async def cut(self) -> None:
        try:
            connection = get_connection("default")
        except ConfigurationError:  # no app has opened the database yet
            pass
        else:
            await connection.close()
        self.link.unlink(missing_ok=True)

    async def close(self) -> None:
        self.link.unlink(missing_ok=True)


Outage = PostgresProxy | SqliteLink


async def outage_for(database_url: str, tmp: Path) -> Outage:
    """The cuttable path to this backend's test database, up to begin with."""
    outage: Outage = (
        PostgresProxy(database_url)
        if database_url.startswith("postgres")
        else SqliteLink(database_url, tmp)
    )
    await outage.restore()
    return outage


def settings_through(database: Settings, outage: Outage, spool: Path) -> Settings:
    """The test database's settings, reached through the outage's path, with its own spool."""
    return dataclasses.replace(database, database_url=outage.url, sms_spool_dir=spool)


async def spool_drained(app: Starlette) -> None:
    """Wait (bounded) until the web process's own replay has emptied its spool."""
    spool = app.state.sms_spool
    await asyncio.wait_for(spool.emptied.wait(), WAIT)
    assert not spool.pending()
