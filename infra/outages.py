"""Telling "the database is away" apart from a bug, for every door that must answer an outage.

The drivers do not agree on one exception: asyncpg raises OSError (refused, reset, timed out)
while connecting, its own connection errors once connected and InterfaceError on a closed pool;
Tortoise wraps SQLite's "unable to open database file" in its OperationalError, which it also
raises for a bad query. So the doors catch `DATABASE_ERRORS` and ask `is_database_unavailable`,
which looks through the exception's causes; anything else is a bug and goes on to the 500 path.
"""

from __future__ import annotations

import logging
import sqlite3
import time
import traceback

import asyncpg
from tortoise.exceptions import BaseORMException, DBConnectionError

logger = logging.getLogger("infra.database")

# How long a client should wait before trying again (the Retry-After of a 503).
RETRY_AFTER_SECONDS = 5
# At most one warning in this many seconds, however many requests meet the outage.
REPORT_INTERVAL = 30.0
_DRIVERS = ("asyncpg", "aiosqlite", "tortoise")
# SQLite's analogue of a server away: the file unreadable (a lost mount, a full disk), or another
# process holding the write lock past the busy timeout.
_SQLITE_MESSAGES = (
    "unable to open database file",
    "disk i/o error",
    "database is locked",
    "database table is locked",
)
_ASYNCPG_DOWN = (
    asyncpg.PostgresConnectionError,  # connection failure, does not exist, rejected
    asyncpg.AdminShutdownError,  # pg_terminate_backend, a fast shutdown
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,  # starting up, shutting down, in recovery
    asyncpg.TooManyConnectionsError,
    # The protocol lost its place, as when the server's FATAL (a terminated backend) arrives
    # between two queries; the connection is unusable whatever caused it.
    asyncpg.InternalClientError,
)


class DatabaseUnavailable(Exception):
    """Raised by a door that has nowhere left to keep a request (the database is away and its
    fallback failed too): answered 503 like the outage itself."""


# The exception types a door catches to ask `is_database_unavailable`.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    DatabaseUnavailable,
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    sqlite3.Error,
    BaseORMException,
)


def _through_driver(exc: BaseException) -> bool:
    """An OSError from a database driver's frames, not from a file the code itself opened."""
    return any(
        str(frame.f_globals.get("__name__", "")).startswith(_DRIVERS)
        for frame, _ in traceback.walk_tb(exc.__traceback__)
    )


def _is_outage(exc: BaseException) -> bool:
    if isinstance(exc, (DatabaseUnavailable, DBConnectionError, *_ASYNCPG_DOWN)):
        return True
    if isinstance(exc, asyncpg.InterfaceError):
        return "closed" in str(exc) or "closing" in str(exc)
    if isinstance(exc, sqlite3.OperationalError):
        return str(exc).lower().startswith(_SQLITE_MESSAGES)
    return isinstance(exc, OSError) and _through_driver(exc)


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether `exc`, or what caused it, says the database cannot be reached now."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if _is_outage(current):
            return True
        linked = (current.__cause__, current.__context__, *current.args)
        pending.extend(item for item in linked if isinstance(item, BaseException))
    return False


class _OutageReport:
    """One warning line per REPORT_INTERVAL, counting what was answered in between: an outage
    met by a thousand requests is not a thousand log lines."""

    def __init__(self) -> None:
        self.last = -REPORT_INTERVAL
        self.unreported = 0

    def note(self, exc: BaseException, where: str) -> None:
        self.unreported += 1
        now = time.monotonic()
        if now - self.last < REPORT_INTERVAL:
            return
        logger.warning(
            "database unavailable (%s, %d calls since the last report): %s: %s",
            where,
            self.unreported,
            type(exc).__name__,
            exc,
        )
        self.last, self.unreported = now, 0


_report = _OutageReport()


def note_database_outage(exc: BaseException, *, where: str) -> None:
    """Log that a door met the outage (rate-limited), never with a traceback."""
    _report.note(exc, where)
