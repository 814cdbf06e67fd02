"""Riding out a database outage in the worker: the one way every loop (claim, outcome writer,
scheduler, LISTEN) waits for the database to come back. What counts as an outage is decided by
`infra.outages.is_database_unavailable`, which the web doors share.

A worker that exits when PostgreSQL restarts needs a person to start it again, and the replies
queued meanwhile wait for that person. So a lost or refused connection is retried, never raised:
after a short first pause the pauses double up to `Backoff.cap`, which bounds how long after the
database's return the worker notices. All loops share one `DatabaseOutage`, so an outage is two
log lines (when it starts, when it ends) however many loops meet it and however often they retry.
An error that is not an outage (a bug, a constraint) is raised as before.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from infra.outages import is_database_unavailable

logger = logging.getLogger("mgov.worker")

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    first: float = 0.05
    cap: float = 2.0  # the longest the worker can take to notice the database is back

    def delays(self) -> Iterator[float]:
        """Doubling pauses up to the cap, each somewhere in its upper half, so that the workers
        of a city do not all reconnect in the same instant."""
        ceiling = self.first
        while True:
            yield random.uniform(ceiling / 2, ceiling)
            ceiling = min(self.cap, ceiling * 2)


class DatabaseOutage:
    """One per worker process: the loops retry through it and it logs each outage once."""

    def __init__(
        self, *, backoff: Backoff | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.backoff = backoff or Backoff()
        self._clock = clock
        self._down_since: float | None = None

    @property
    def is_down(self) -> bool:
        return self._down_since is not None

    def noticed(self, exc: BaseException) -> None:
        """A loop met the outage; the first to meet it says so."""
        if self._down_since is None:
            self._down_since = self._clock()
            logger.warning(
                "database unavailable (%s: %s); retrying until it is back",
                type(exc).__name__,
                exc,
            )

    def answered(self) -> None:
        """The database answered a loop; if that ends an outage, say for how long it lasted."""
        if self._down_since is not None:
            lasted, self._down_since = self._clock() - self._down_since, None
            logger.info("database back after %.1f s", lasted)

    async def retry(
        self,
        operation: Callable[[], Awaitable[T]],
        *,
        stop: asyncio.Event | None = None,
        on_failure: Callable[[], None] | None = None,
    ) -> T | None:
        """`operation`'s result, however many outages it takes; None only when `stop` is set
        during a pause. An operation under way is never cut off: only the pauses between tries
        end early. `on_failure` runs after each failed try (the outcome writer notes that it
        has fallen behind)."""
        delays = self.backoff.delays()
        while True:
            try:
                result = await operation()
            except Exception as exc:
                if not is_database_unavailable(exc):
                    raise
                self.noticed(exc)
                if on_failure is not None:
                    on_failure()
                if await _paused(next(delays), stop):
                    return None
                continue
            self.answered()
            return result


async def _paused(delay: float, stop: asyncio.Event | None) -> bool:
    """Wait `delay` seconds; True when `stop` was set instead."""
    if stop is None:
        await asyncio.sleep(delay)
        return False
    try:
        await asyncio.wait_for(stop.wait(), timeout=delay)
    except TimeoutError:
        return False
    return True


class _PoolFloorRetries(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to restore the pool connection floor")


def quiet_pool_floor_retries() -> None:
    """asyncpg's pool (0.31 and later) reconnects its minimum of connections in the background
    and logs every failed try with a traceback, every few seconds of an outage; the outage's
    own two lines already say it, once."""
    logging.getLogger("asyncpg.pool").addFilter(_PoolFloorRetries())
