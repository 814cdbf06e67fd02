"""Tortoise's SQLite client, set up for a web process beside other processes writing the same
file, and made to survive a file that cannot be opened for a while.

- One writer at a time: the others must wait for it, not fail. Tortoise already turns on WAL
  (readers never wait for the writer) and Python's driver waits for a lock, but transactions
  start with a plain `BEGIN`, taking the write lock only at the first write; a transaction that
  had read before then finds another process's commit has made its snapshot stale, and SQLite
  refuses it at once (`database is locked`, no waiting): a 500. Here every transaction starts
  with `BEGIN IMMEDIATE`, waiting up to the busy timeout for the write lock, so what it reads stays
  current until it commits. Transactions that only read would not need the lock; mgov's all write.
- Tortoise (1.1) opens the file lazily inside the connection lock (and, for a transaction, inside
  the transaction lock). When the open fails ("unable to open database file": a volume unmounted)
  or a `BEGIN IMMEDIATE` times out, Tortoise keeps the lock, and every later query of the process
  waits on it for ever. Here a failure gives back what it took, and a half-opened connection (a
  PRAGMA refused) is closed, so the next query opens the file again and the outage ends with it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from tortoise.backends.base.client import (
    ConnectionWrapper,
    TransactionalDBClient,
    TransactionContext,
)
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


class _ConnectionWrapper(ConnectionWrapper[Any]):
    async def __aenter__(self) -> Any:
        await self._lock.acquire()
        try:
            await self.ensure_connection()
        except BaseException:
            self._lock.release()
            raise
        return self.connection


class _ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            # As any statement's: a lock not granted within the busy timeout (`database is
            # locked`), which the worker waits out as an outage.
            raise OperationalError(exc) from exc


class _TransactionContext(SqliteTransactionContext):
    async def __aenter__(self) -> TransactionalDBClient:
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
        connection: TransactionalDBClient = self.connection
        return connection


class MgovSqliteClient(SqliteClient):
    """SQLite whose transactions take the write lock when they begin, and which reopens its
    file after a failed open instead of deadlocking."""

    def acquire_connection(self) -> ConnectionWrapper[Any]:
        return _ConnectionWrapper(self._lock, self)

    def _in_transaction(self) -> TransactionContext:
        return _TransactionContext(_ImmediateTransaction(self), self._lock)

    async def create_connection(self, with_db: bool) -> None:
        try:
            await super().create_connection(with_db)
        except BaseException:
            if self._connection is not None:
                await self.close()
            raise


client_class = MgovSqliteClient  # what Tortoise looks up in an engine module


def sqlite_connection(database_url: str) -> dict[str, Any]:
    """Tortoise's connection config for a `sqlite://` URL, with this engine and a busy
    timeout (a `busy_timeout` in the URL's query wins)."""
    config = expand_db_url(database_url)
    config["engine"] = __name__
    config["credentials"].setdefault("busy_timeout", BUSY_TIMEOUT_MS)
    return config
