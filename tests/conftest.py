"""Test setup: every database test runs once on SQLite and once on a real PostgreSQL server.

Each backend gets a fresh database, built by the checked-in migrations (so the migrations are
tested too), and every test starts from empty tables. Under CI=true a PostgreSQL server that
cannot be reached fails the run instead of skipping half of it.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from hypothesis import settings as hypothesis_settings
from starlette.applications import Starlette
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.connection import get_connection

from infra.database import migrate_database, open_database
from infra.postgres_pool import asyncpg_dsn
from infra.settings import Settings, load_settings
from mgov.web import create_app

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"

# CI must judge the change, not the dice: there every property test replays the same examples.
# Locally each run draws new ones, so what they find is fixed before it reaches CI.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    hypothesis_settings.load_profile("ci")
BACKENDS = ["sqlite", "postgres"]


def _admin_url() -> str:
    return os.environ.get("MGOV_TEST_POSTGRES_URL", DEFAULT_POSTGRES)


def _with_database(url: str, name: str) -> str:
    """The same server, another database, with a pool wide enough for real concurrency tests."""
    base, _, _ = url.partition("?")[0].rpartition("/")
    return f"{base}/{name}?maxsize=20"


async def postgres_reachable() -> str | None:
    """None when the test PostgreSQL server answers, else why it does not."""
    try:
        connection = await asyncpg.connect(asyncpg_dsn(_admin_url()))
    except (OSError, asyncpg.PostgresError) as exc:
        return str(exc) or type(exc).__name__
    await connection.close()
    return None


def make_settings(tmp: Path, database_url: str) -> Settings:
    return load_settings(
        {
            "MGOV_ENV": "development",
            "MGOV_VAR_DIR": str(tmp),
            "DATABASE_URL": database_url,
            "MGOV_SECRET_KEY": "test-secret-key-not-for-production-0123456789",
            "MGOV_PII_HASH_KEY": "test-pii-key-not-for-production-0123456789",
        }
    )


@pytest.fixture(scope="session", params=BACKENDS)
async def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Settings]:
    """A migrated, empty database of one backend, kept for the whole session."""
    tmp = tmp_path_factory.mktemp(request.param)
    if request.param == "sqlite":
        settings = make_settings(tmp, f"sqlite://{tmp / 'test.sqlite3'}")
        await migrate_database(settings, quiet=True)
        yield settings
        return
    problem = await postgres_reachable()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL unreachable under CI=true: {problem}")
        pytest.skip(f"PostgreSQL unreachable: {problem}")
    name = f"mgov_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(asyncpg_dsn(_admin_url()))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        settings = make_settings(tmp, _with_database(_admin_url(), name))
        await migrate_database(settings, quiet=True)
        yield settings
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def empty_all_tables() -> None:
    connection = get_connection("default")
    tables = [model._meta.db_table for model in Tortoise.apps["models"].values()]
    if connection.capabilities.dialect == "postgres":
        await connection.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    else:
        await connection.execute_script("PRAGMA foreign_keys = OFF")
        for table in tables:
            await connection.execute_script(f"DELETE FROM {table}")
        await connection.execute_script("PRAGMA foreign_keys = ON")


@pytest.fixture
async def db(database: Settings) -> AsyncIterator[Settings]:
    """The ORM connected to the backend's database, with every table empty."""
    # Tortoise caches compiled SQL per connection *name*; both backends are called "default",
    # so SQLite's `?` placeholders would reach PostgreSQL. A real process uses one database.
    EXECUTOR_CACHE.clear()
    async with open_database(database):
        await empty_all_tables()
        yield database


@pytest.fixture
def backend(database: Settings) -> str:
    return "postgres" if database.database_url.startswith("postgres") else "sqlite"


def build_app(settings: Settings) -> Starlette:
    """`create_app`, after forgetting the SQL Tortoise compiled for the other backend (see `db`)."""
    EXECUTOR_CACHE.clear()
    return create_app(settings)


@asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[Starlette]:
    """The app with its lifespan run as uvicorn would (its spool replay included), tables as
    they are."""
    app = build_app(settings)
    async with app.router.lifespan_context(app):
        yield app


AppWith = Callable[..., AbstractAsyncContextManager[Starlette]]


@pytest.fixture
def app_with(database: Settings) -> AppWith:
    """A factory of the `app` fixture's app with some settings changed, its lifespan run, tables
    empty: `async with app_with(gateway_secret=Secret("s")) as app:`."""

    @asynccontextmanager
    async def start(**changes: Any) -> AsyncIterator[Starlette]:
        async with running_app(dataclasses.replace(database, **changes)) as app:
            await empty_all_tables()
            yield app

    return start


@pytest.fixture
async def app(app_with: AppWith) -> AsyncIterator[Starlette]:
    """The ASGI app with its lifespan run as uvicorn would, tables empty."""
    async with app_with() as app:
        yield app


def http_client(
    app: Starlette, address: str = "127.0.0.1", *, raise_app_exceptions: bool = True
) -> httpx.AsyncClient:
    """Real HTTP requests into the app, as if sent from `address`; with `raise_app_exceptions`
    off, an exception in the app becomes its 500 answer, as under uvicorn."""
    transport = httpx.ASGITransport(
        app=app, client=(address, 40000), raise_app_exceptions=raise_app_exceptions
    )
    return httpx.AsyncClient(transport=transport, base_url="http://mgov.test")


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """Real HTTP requests into the ASGI app (from 127.0.0.1)."""
    async with http_client(app) as http:
        yield http
