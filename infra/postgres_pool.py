"""How pooled PostgreSQL connections go back to the pool.

asyncpg's default sends `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` on
every release, and Tortoise releases after every query: one extra round trip per query. mgov
leaves no session state on pooled connections (the worker's LISTEN has a connection of its own;
no advisory locks, session `SET`s or cursors), and asyncpg still rolls back a transaction left
open and drops local listeners before calling this, so the query is skipped. Measured in
docs/benchmarks.md (USSD section).
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.config_generator import expand_db_url


async def skip_session_reset(connection: Any) -> None:
    """Nothing to undo on the server: see the module docstring."""


def postgres_connection(database_url: str) -> dict[str, Any]:
    """Tortoise's connection config for a `postgres://` URL, with the cheap release."""
    config = expand_db_url(database_url)
    config["credentials"]["reset"] = skip_session_reset
    return config


def asyncpg_dsn(database_url: str) -> str:
    """A Tortoise `postgres://…?maxsize=20` URL as asyncpg wants it: asyncpg reads the query as
    server settings, and Tortoise's pool options are not libpq's."""
    return "postgresql://" + database_url.split("://", 1)[1].partition("?")[0]
