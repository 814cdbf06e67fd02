"""Rate limits shared by every door and every web process: OTP requests, login and CCCD tries.

Counters live in the database (fixed windows keyed by a hash of what is limited), because a
citizen's next request may reach another process. A fixed window lets a burst of twice the limit
straddle a boundary; for limits of a handful of tries a minute that is an acceptable price for
one upsert per attempt.
"""

from __future__ import annotations

import math
from datetime import timedelta

from tortoise.connection import get_connection

from domain.errors import TooManyRequests
from domain.policy import keyed_hash, utc_now
from models import AttemptCounter

_UPSERT = (
    "INSERT INTO attempt_counter (key, window_start, count) VALUES ({0}, {1}, 1) "
    "ON CONFLICT (key, window_start) DO UPDATE SET count = attempt_counter.count + 1 "
    "RETURNING count"
)


def _placeholders(dialect: str, count: int) -> list[str]:
    """asyncpg numbers its parameters; SQLite takes question marks."""
    return [f"${n}" if dialect == "postgres" else "?" for n in range(1, count + 1)]


def _window(window: timedelta) -> tuple[int, int]:
    """The current window's start (epoch seconds) and the whole seconds until it ends."""
    seconds = max(1, int(window.total_seconds()))
    now = utc_now().timestamp()
    start = int(now // seconds) * seconds
    return start, max(1, math.ceil(start + seconds - now))


def _stored_key(key: str) -> str:
    return keyed_hash(f"throttle:{key}")


async def consume_attempt(*, key: str, limit: int, window: timedelta) -> None:
    """Count one attempt, atomically across processes; refuse it once the window holds more
    than `limit`, so the `limit`-th attempt still goes through."""
    start, retry_after = _window(window)
    connection = get_connection("default")
    sql = _UPSERT.format(*_placeholders(connection.capabilities.dialect, 2))
    # execute_query_dict: Tortoise's execute_query drops the rows of an INSERT on asyncpg.
    rows = await connection.execute_query_dict(sql, [_stored_key(key), start])
    if int(rows[0]["count"]) > limit:
        raise TooManyRequests(retry_after=retry_after)


async def ensure_not_throttled(*, key: str, limit: int, window: timedelta) -> None:
    """Refuse at once when `limit` attempts are already counted, without counting this one:
    for limits on failures (a wrong password counts; looking is free)."""
    start, retry_after = _window(window)
    row = await AttemptCounter.get_or_none(key=_stored_key(key), window_start=start)
    if row is not None and row.count >= limit:
        raise TooManyRequests(retry_after=retry_after)


async def clear_attempts(*, key: str) -> None:
    """Forget the attempts under a key, e.g. failed logins once the right password is given."""
    await AttemptCounter.filter(key=_stored_key(key)).delete()


async def purge_old_attempts(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Windows long past limit nothing; the worker's scheduler deletes them."""
    cutoff = int(utc_now().timestamp() - older_than.total_seconds())
    return await AttemptCounter.filter(window_start__lt=cutoff).delete()
