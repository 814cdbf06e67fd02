"""Which failures mean "the database is away" (a 503, a USSD END, a spooled SMS) and which are
bugs (a 500, as before), told apart from real exceptions of the real drivers."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import uuid
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import asyncpg
import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from tortoise.connection import get_connection
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from infra.database import open_database
from infra.outages import DatabaseUnavailable, is_database_unavailable
from infra.postgres_pool import asyncpg_dsn
from infra.settings import Settings
from models import InboundMessage
from tests.conftest import running_app
from tests.db_outage import WAIT, database_outage


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _raised(awaitable) -> BaseException:
    try:
        await awaitable
    except Exception as exc:
        return exc
    raise AssertionError("expected a failure")


async def test_a_refused_postgres_connection_is_an_outage() -> None:
    url = f"postgresql://postgres@127.0.0.1:{_unused_port()}/postgres"
    exc = await _raised(asyncpg.connect(url))
    assert isinstance(exc, OSError)
    assert is_database_unavailable(exc)


async def test_an_sqlite_file_that_cannot_be_opened_is_an_outage(tmp_path: Path) -> None:
    exc = await _raised(aiosqlite.connect(tmp_path / "no-such-dir" / "db.sqlite3"))
    assert is_database_unavailable(exc)
    assert is_database_unavailable(OperationalError(exc))  # as Tortoise wraps it


async def test_a_terminated_backend_is_an_outage(db: Settings, backend: str) -> None:
    if backend != "postgres":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    url = asyncpg_dsn(db.database_url)
    victim, admin = await asyncpg.connect(url), await asyncpg.connect(url)
    try:
        # A query racing the server's FATAL message (InternalClientError)...
        await admin.execute("SELECT pg_terminate_backend($1)", victim.get_server_pid())
        racing = await _raised(victim.fetch("SELECT 1"))
        # ...and one after the connection is known to be closed (InterfaceError).
        closed = asyncio.Event()
        victim.add_termination_listener(lambda _: closed.set())
        if not victim.is_closed():
            await asyncio.wait_for(closed.wait(), WAIT)
        after = await _raised(victim.fetch("SELECT 1"))
    finally:
        await admin.close()
        victim.terminate()
    assert is_database_unavailable(racing)
    assert is_database_unavailable(after)


async def test_refusals_and_bugs_are_not_outages(db: Settings) -> None:
    fields = {"gateway": "generic", "gateway_message_id": "g", "phone": "+84901234567"}
    fields |= {"text": "TG", "received_at": datetime(2026, 1, 1, tzinfo=UTC)}
    await InboundMessage.create(id=uuid.uuid4(), **fields)
    duplicate = await _raised(InboundMessage.create(id=uuid.uuid4(), **fields))
    assert isinstance(duplicate, IntegrityError)
    bad_query = await _raised(get_connection("default").execute_query("SELEC nonsense"))
    assert not is_database_unavailable(duplicate)
    assert not is_database_unavailable(bad_query)
    # An OSError of our own (a file, a socket of ours) is no database outage.
    assert not is_database_unavailable(ConnectionRefusedError(111, "refused"))
    assert is_database_unavailable(DatabaseUnavailable("the spool is full too"))


async def test_sqlite_opens_its_file_again_once_it_is_back(database: Settings, tmp_path) -> None:
    """Tortoise's own client kept its lock after a failed open: every later query hung."""
    if not database.database_url.startswith("sqlite"):
        pytest.skip("an SQLite file that cannot be opened")
    async with database_outage(database.database_url, sqlite="unlinked", tmp=tmp_path) as outage:
        async with open_database(dataclasses.replace(database, database_url=outage.database_url)):
            connection = get_connection("default")
            await outage.cut()
            for attempt in (connection.execute_query("SELECT 1"), _one_transaction()):
                assert is_database_unavailable(await asyncio.wait_for(_raised(attempt), WAIT))
            await outage.restore()
            assert (await asyncio.wait_for(connection.execute_query("SELECT 1"), WAIT))[0] == 1
            await asyncio.wait_for(_one_transaction(), WAIT)


async def _one_transaction() -> None:
    async with in_transaction() as connection:
        await connection.execute_query("SELECT 1")


async def test_a_query_bug_is_still_a_500_not_a_503(database: Settings) -> None:
    async def broken(request: Request) -> Response:
        await get_connection("default").execute_query("SELEC nonsense")
        return Response()

    async with running_app(database) as app:
        app.add_route("/test/broken-query", broken)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await http.get("/test/broken-query")
    assert response.status_code == 500
    assert response.json()["type"].endswith("/internal")
