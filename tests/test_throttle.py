"""Rate limits: counted in the database, so two processes (two connections) share one count."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import TooManyRequests
from domain.throttle import (
    consume_attempt,
    consume_attempts,
    purge_old_attempts,
    refund_attempt,
)
from models import AttemptCounter

MINUTE = timedelta(minutes=1)


async def test_the_limit_th_attempt_passes_and_the_next_is_refused(db):
    for _ in range(3):
        await consume_attempt(key="otp:phone:+84901234567", limit=3, window=MINUTE)
    with pytest.raises(TooManyRequests) as refused:
        await consume_attempt(key="otp:phone:+84901234567", limit=3, window=MINUTE)
    assert refused.value.status == 429
    assert 1 <= refused.value.retry_after <= 60


async def test_keys_are_counted_apart_and_stored_hashed(db):
    await consume_attempt(key="otp:phone:+84901234567", limit=1, window=MINUTE)
    await consume_attempt(key="otp:phone:+84912345678", limit=1, window=MINUTE)
    keys = await AttemptCounter.all().values_list("key", flat=True)
    assert len(set(keys)) == 2
    assert not any("849" in key for key in keys)


async def test_a_refunded_attempt_leaves_room_for_another(db):
    key = "staff-login:user:tongdai1"
    first = await consume_attempt(key=key, limit=2, window=MINUTE)
    await consume_attempt(key=key, limit=2, window=MINUTE)
    await refund_attempt(attempt=first)
    await consume_attempt(key=key, limit=2, window=MINUTE)
    with pytest.raises(TooManyRequests):
        await consume_attempt(key=key, limit=2, window=MINUTE)
    assert (await AttemptCounter.get()).count == 3


async def test_several_limits_count_all_or_none(db):
    limits = [("staff-login:user:tongdai1", 5), ("staff-login:address:10.0.0.1", 1)]
    await consume_attempts(limits=limits, window=MINUTE)
    with pytest.raises(TooManyRequests):
        await consume_attempts(limits=limits, window=MINUTE)
    # The address refused the second try, so the username's count keeps only the first.
    counts = sorted(await AttemptCounter.all().values_list("count", flat=True))
    assert counts == [1, 2]


async def test_concurrent_attempts_are_all_counted(db):
    import asyncio

    outcomes = await asyncio.gather(
        *(consume_attempt(key="lookup:H29.99", limit=5, window=MINUTE) for _ in range(12)),
        return_exceptions=True,
    )
    refused = [o for o in outcomes if isinstance(o, TooManyRequests)]
    assert len(refused) == 7
    assert (await AttemptCounter.get()).count == 12


async def test_purge_drops_only_old_windows(db):
    await consume_attempt(key="a", limit=5, window=MINUTE)
    await AttemptCounter.create(key="old", window_start=1_000_000, count=3)
    assert await purge_old_attempts() == 1
    assert await AttemptCounter.all().values_list("key", flat=True) != ["old"]
    assert await AttemptCounter.filter(window_start=1_000_000).count() == 0
