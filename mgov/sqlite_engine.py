"""SQLite set up for a web process beside other processes (web, worker) writing the same file.

SQLite runs one writer at a time; the others must wait for it, not fail. Tortoise's default
already turns on WAL (readers never wait for the writer) and Python's driver waits 5 s for a
lock, but its transactions start with a plain `BEGIN`: the write lock is taken only at the first
write, and a transaction that had read before then finds another process's commit has made its
snapshot stale. SQLite refuses such a transaction at once (`database is locked`, no waiting),
and the request answered 500. Here every transaction starts with `BEGIN IMMEDIATE`, taking the
write lock first (waiting up to the busy timeout for it), so what it reads stays current until
it commits. Transactions that only read would not need the lock; mgov's all write.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from tortoise.backends.base.client import TransactionalDBClient, TransactionContext
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.connection import get_connections
from tortoise.exceptions import OperationalError

# How long a statement waits for another process's write lock before `database is locked`.
BUSY_TIMEOUT_MS = 5000


class _ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            # As any statement's: a lock not granted within the busy timeout (`database is
            # locked`), which the worker waits out as an outage.
            raise OperationalError(exc) from exc


class _ImmediateTransactionContext(SqliteTransactionContext):
    async def __aenter__(self) -> TransactionalDBClient:
        """Tortoise's, except that a `BEGIN` that fails gives the connection back: Tortoise's
        keeps the connection's lock then (a plain `BEGIN` never failed), and every later query
        of the process would wait for it forever. `BEGIN IMMEDIATE` fails whenever the write
        lock stays taken past the busy timeout."""
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            self.token = get_connections().set(self.connection_name, self.connection)
            try:
                await self.connection.begin()
            except BaseException:
                get_connections().reset(self.token)
                raise
        except BaseException:
            self._trxlock.release()
            raise
        return self.connection


class ImmediateSqliteClient(SqliteClient):
    """Tortoise's SQLite client, its transactions taking the write lock when they begin."""

    def _in_transaction(self) -> TransactionContext:
        return _ImmediateTransactionContext(_ImmediateTransaction(self), self._lock)


client_class = ImmediateSqliteClient  # what Tortoise looks up in an engine module


def sqlite_connection(database_url: str) -> dict[str, Any]:
    """Tortoise's connection config for a `sqlite://` URL, with this engine and a busy
    timeout (a `busy_timeout` in the URL's query wins)."""
    config = expand_db_url(database_url)
    config["engine"] = __name__
    config["credentials"].setdefault("busy_timeout", BUSY_TIMEOUT_MS)
    return config
