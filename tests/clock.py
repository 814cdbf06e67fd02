"""A clock the test moves by hand, for the worker (`notifications.clock.Clock`).

Its time stands still until `advance`, so a wait with a timeout ends only when the test says
that much time has passed, and `settled` tells the test when the code under test has gone
into a wait (instead of the test sleeping "long enough" for it to get there).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

SETTLE_LIMIT = 10.0  # the longest a test waits for the code under test to go into a wait


@dataclass(eq=False)
class _Waiter:
    events: tuple[asyncio.Event, ...]
    timeout: float | None
    deadline: datetime | None
    expired: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def idle(self) -> bool:
        """Still waiting: nothing it waits for has happened yet."""
        return not self.expired.is_set() and not any(event.is_set() for event in self.events)


class ManualClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)
        self._waiters: set[_Waiter] = set()
        self._changed = asyncio.Condition()

    def now(self) -> datetime:
        return self._now

    async def wait(self, *events: asyncio.Event | None, timeout: float | None = None) -> None:
        deadline = None if timeout is None else self._now + timedelta(seconds=timeout)
        waiter = _Waiter(tuple(e for e in events if e is not None), timeout, deadline)
        if deadline is not None and deadline <= self._now:
            return
        self._waiters.add(waiter)
        async with self._changed:
            self._changed.notify_all()
        tasks = [asyncio.ensure_future(e.wait()) for e in (*waiter.events, waiter.expired)]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._waiters.discard(waiter)
            for task in tasks:
                task.cancel()

    def advance(self, seconds: float) -> None:
        """Move time on; every wait whose timeout has now passed ends."""
        self._now += timedelta(seconds=seconds)
        for waiter in self._waiters:
            if waiter.deadline is not None and waiter.deadline <= self._now:
                waiter.expired.set()

    async def settled(self, *, timeout: float | None) -> None:
        """Return once something waits on this clock with this `timeout` (None: a wait with
        no timeout) and nothing it waits for has happened; fails after SETTLE_LIMIT."""

        def waiting() -> bool:
            return any(w.idle and w.timeout == timeout for w in self._waiters)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(waiting), SETTLE_LIMIT)
