"""Rate limits shared by every door and every web process: OTP requests, login and CCCD tries.

Counters live in the database (fixed windows keyed by a hash of what is limited), because a
citizen's next request may reach another process. A fixed window lets a burst of twice the limit
straddle a boundary; for limits of a handful of tries a minute that is an acceptable price for
one upsert per attempt.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from tortoise.connection import get_connection
from tortoise.expressions import F

from domain.errors import TooManyRequests
from domain.local_time import utc_now
from domain.policy import keyed_hash
from models import AttemptCounter
from models.sql import placeholders

_UPSERT = (
    "INSERT INTO attempt_counter (key, window_start, count) VALUES ({0}, {1}, 1) "
    "ON CONFLICT (key, window_start) DO UPDATE SET count = attempt_counter.count + 1 "
    "RETURNING count"
)


def _window(window: timedelta) -> tuple[int, int]:
    """The current window's start (epoch seconds) and the whole seconds until it ends."""
    seconds = max(1, int(window.total_seconds()))
    now = utc_now().timestamp()
    start = int(now // seconds) * seconds
    return start, max(1, math.ceil(start + seconds - now))


def _stored_key(key: str) -> str:
    return keyed_hash(f"throttle:{key}")


@dataclass(frozen=True)
class CountedAttempt:
    """One attempt counted under a key, with the window it went into (so it can be taken back),
    how many more the window allows and in how many seconds it ends (so a door can say so)."""

    key: str
    window_start: int
    remaining: int
    retry_after: int


async def consume_attempt(*, key: str, limit: int, window: timedelta) -> CountedAttempt:
    """Count one attempt, atomically across processes; refuse it once the window holds more
    than `limit`, so the `limit`-th attempt still goes through."""
    start, retry_after = _window(window)
    connection = get_connection("default")
    sql = _UPSERT.format(*placeholders(connection.capabilities.dialect, 2))
    # execute_query_dict: Tortoise's execute_query drops the rows of an INSERT on asyncpg.
    rows = await connection.execute_query_dict(sql, [_stored_key(key), start])
    count = int(rows[0]["count"])
    if count > limit:
        raise TooManyRequests(retry_after=retry_after)
    return CountedAttempt(
        key=key, window_start=start, remaining=limit - count, retry_after=retry_after
    )


async def consume_attempts(
    *, limits: Sequence[tuple[str, int]], window: timedelta
) -> list[CountedAttempt]:
    """Count one attempt under each (key, limit), all or none: when one key refuses, those
    already counted are taken back, so a refusal by one limit does not use up another."""
    counted: list[CountedAttempt] = []
    try:
        for key, limit in limits:
            counted.append(await consume_attempt(key=key, limit=limit, window=window))
    except TooManyRequests:
        for attempt in counted:
            await refund_attempt(attempt=attempt)
        raise
    return counted


async def refund_attempt(*, attempt: CountedAttempt) -> None:
    """Take back an attempt counted before its outcome was known (a right password is no failed
    guess), from the window it was counted in."""
    await AttemptCounter.filter(
        key=_stored_key(attempt.key), window_start=attempt.window_start, count__gt=0
    ).update(count=F("count") - 1)


async def purge_old_attempts(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Windows long past limit nothing; the worker's scheduler deletes them."""
    cutoff = int(utc_now().timestamp() - older_than.total_seconds())
    return await AttemptCounter.filter(window_start__lt=cutoff).delete()
