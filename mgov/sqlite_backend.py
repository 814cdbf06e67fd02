"""Tortoise's SQLite client, made to survive a database file that cannot be opened for a while.

Tortoise (1.1) opens the file lazily, inside the connection lock (and, for a transaction, inside
the transaction lock): when the open fails ("unable to open database file": a volume unmounted,
a directory moved), the lock is never released, so every later query of the process waits on it
for ever and the web process hangs after one failed request. Here a failed open releases what it
took, and a half-opened connection (a PRAGMA refused) is closed, so the next query opens it again
and the outage ends when the file is back. Used as the engine of every `sqlite://` URL.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import ConnectionWrapper
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.connection import get_connections


class _ConnectionWrapper(ConnectionWrapper[Any]):
    async def __aenter__(self) -> Any:
        await self._lock.acquire()
        try:
            await self.ensure_connection()
        except BaseException:
            self._lock.release()
            raise
        return self.connection


class _TransactionContext(SqliteTransactionContext):
    async def __aenter__(self) -> Any:
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


class ReopeningSqliteClient(SqliteClient):
    """SQLite that reopens its file after a failed open instead of deadlocking."""

    def acquire_connection(self) -> ConnectionWrapper[Any]:
        return _ConnectionWrapper(self._lock, self)

    def _in_transaction(self) -> SqliteTransactionContext:
        return _TransactionContext(SqliteTransactionWrapper(self), self._lock)

    async def create_connection(self, with_db: bool) -> None:
        try:
            await super().create_connection(with_db)
        except BaseException:
            if self._connection is not None:
                await self.close()
            raise


client_class = ReopeningSqliteClient


def sqlite_connection(database_url: str) -> dict[str, Any]:
    """Tortoise's connection config for a `sqlite://` URL, with this module as its engine."""
    config = expand_db_url(database_url)
    config["engine"] = __name__
    return config
