"""The worker's clock: what time it is, and how it waits.

Leases, the half-lease give-back, retry backoff, quiet hours, the poll and the flush interval
all read the time or wait through one `Clock`, so a test hands the worker a clock it moves by
hand and checks what the worker does at a given moment without sleeping for it. Waits go
through the clock too, including the ones without a timeout, so that a test's clock can also
tell when the worker has settled into a wait.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Protocol

from domain.local_time import utc_now


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware in UTC."""
        ...

    async def wait(self, *events: asyncio.Event | None, timeout: float | None = None) -> None:
        """Return once one of `events` (None ones ignored) is set or `timeout` seconds of this
        clock have passed; with neither, it waits forever."""
        ...


class SystemClock:
    """The wall clock, and the event loop's timers."""

    def now(self) -> datetime:
        return utc_now()

    async def wait(self, *events: asyncio.Event | None, timeout: float | None = None) -> None:
        waiters = [asyncio.ensure_future(event.wait()) for event in events if event is not None]
        if not waiters:
            waiters.append(asyncio.ensure_future(asyncio.Event().wait()))
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
