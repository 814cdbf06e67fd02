"""The worker's pipeline: claims keep the send slots full, a message never waits past half its
lease, and stopping settles all it holds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from models import OutboxMessage
from models.enums import OutboxStatus
from notifications.providers.http_sms import HttpSmsProvider
from notifications.worker import OutboxWorker, WorkerConfig
from tests.clock import ManualClock
from tests.factories import queue_result_ready_sms
from tests.fake_gateway import GatewayServer

HOLD_LIMIT = 3.0  # seconds the held send waits for the others before the gateway gives up


class HoldingGateway(GatewayServer):
    """Answers every send at once, except the first: that one is held until `others` more
    sends have arrived (or HOLD_LIMIT passes, which the test then reports)."""

    def __init__(self, others: int, delay: float = 0.0) -> None:
        self.others = others
        self.delay = delay
        self.references: list[str] = []
        self.arrived = asyncio.Condition()
        self.held_released_by_others: bool | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        payload = await request.json()
        async with self.arrived:
            self.references.append(payload["reference"])
            first = len(self.references) == 1
            self.arrived.notify_all()
        if first and self.others:
            async with self.arrived:
                try:
                    await asyncio.wait_for(
                        self.arrived.wait_for(lambda: len(self.references) > self.others),
                        HOLD_LIMIT,
                    )
                    self.held_released_by_others = True
                except TimeoutError:
                    self.held_released_by_others = False
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.json_response({"id": f"gw-{len(self.references)}", "status": "accepted"})


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


async def test_a_slow_send_does_not_hold_back_the_next_batch(db, http):
    """Batches of 3 through 2 slots: while the first send hangs, the other lane must go on to
    the second batch; a worker that waits for a whole batch before claiming would stall."""
    messages = await queue_result_ready_sms(6)
    gateway = HoldingGateway(others=5)
    url = await gateway.start()
    try:
        worker = OutboxWorker(
            sms_providers=[HttpSmsProvider(session=http, url=url)],
            config=WorkerConfig(quiet_hours=None, batch_size=3, concurrency=2),
        )
        assert await worker.drain() == 6
    finally:
        await gateway.close()
    assert gateway.held_released_by_others is True
    assert sorted(gateway.references) == sorted(str(m.id) for m in messages)
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == 6


class GatedGateway(GatewayServer):
    """Holds every send until `gate` is set."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.references: list[str] = []

    async def _handle(self, request: web.Request) -> web.Response:
        self.references.append((await request.json())["reference"])
        await self.gate.wait()
        return web.json_response({"id": f"gw-{len(self.references)}", "status": "accepted"})


async def _eventually(check: Callable[[], Awaitable[bool]], seconds: float = 5.0) -> bool:
    """Whether `check` comes true within `seconds` (polled)."""
    for _ in range(int(seconds / 0.01)):
        if await check():
            return True
        await asyncio.sleep(0.01)
    return await check()


async def _count(status: OutboxStatus) -> int:
    return await OutboxMessage.filter(status=status).count()


async def _at_least(items: list[str], count: int) -> bool:
    return len(items) >= count


async def _equals(value: Awaitable[int], expected: int) -> bool:
    return await value == expected


def _gated_worker(
    http: aiohttp.ClientSession, url: str, clock: ManualClock | None = None, **config: Any
) -> OutboxWorker:
    return OutboxWorker(
        sms_providers=[HttpSmsProvider(session=http, url=url)],
        config=WorkerConfig(quiet_hours=None, **config),
        clock=clock,
    )


async def test_stopping_finishes_the_sends_under_way_and_gives_back_the_rest(db, http):
    """Two lanes, both sends held at the gateway, eight claimed messages waiting: a stop lets
    the two finish and puts the eight back in the queue, unsent and unattempted, in the places
    they had, so a SIGTERM takes one send's time and not a whole queue's."""
    messages = await queue_result_ready_sms(10)
    due = dict(await OutboxMessage.all().values_list("id", "next_attempt_at"))
    gateway = GatedGateway()
    worker = _gated_worker(http, await gateway.start(), batch_size=10, concurrency=2)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        assert await _eventually(lambda: _at_least(gateway.references, 2))
        stop.set()
        assert await _eventually(lambda: _equals(_count(OutboxStatus.QUEUED), 8))
        gateway.gate.set()
        await asyncio.wait_for(running, timeout=20)
    finally:
        stop.set()
        gateway.gate.set()
        await asyncio.gather(running, return_exceptions=True)
        await gateway.close()
    assert len(gateway.references) == len(set(gateway.references)) == 2
    rows = await OutboxMessage.all().values_list("id", "status", "attempts", "claim_token")
    sent = {row[0] for row in rows if row[1:] == (OutboxStatus.SENT, 1, None)}
    back = {row[0] for row in rows if row[1:] == (OutboxStatus.QUEUED, 0, None)}
    assert {str(m) for m in sent} == set(gateway.references)
    assert sent | back == {m.id for m in messages} and len(back) == 8
    assert all(
        moment == due[id_]
        for id_, moment in await OutboxMessage.filter(id__in=back).values_list(
            "id", "next_attempt_at"
        )
    )


async def test_the_next_batch_is_claimed_while_a_batch_still_waits(db, http):
    """Batches of 10 through 2 lanes, every send held: with 8 claimed messages still waiting
    for a lane, the worker already holds the next batch (a claim takes milliseconds, which the
    lanes would otherwise spend idle), and no more than that."""
    await queue_result_ready_sms(40)
    gateway = GatedGateway()
    clock = ManualClock()
    worker = _gated_worker(http, await gateway.start(), clock, batch_size=10, concurrency=2)
    draining = asyncio.create_task(worker.drain())
    try:
        assert await _eventually(lambda: _at_least(gateway.references, 2))
        assert await _eventually(lambda: _equals(_count(OutboxStatus.SENDING), 20))
        await clock.settled(timeout=None)  # the claims have stopped: it waits for the lanes
        assert await _count(OutboxStatus.SENDING) == 20
        gateway.gate.set()
        assert await asyncio.wait_for(draining, timeout=20) == 40
    finally:
        gateway.gate.set()
        await asyncio.gather(draining, return_exceptions=True)
        await gateway.close()
    assert sorted(gateway.references) == sorted(set(gateway.references))
    assert await _count(OutboxStatus.SENT) == 40


async def test_a_message_that_waited_half_its_lease_goes_back_unsent(db, http):
    """One lane and a 2 s lease; the first send is held at the gateway past half the lease.
    The two messages behind it would start with less than half their lease left, and could
    outlast it while another worker claims and sends them too: they go back to the queue
    instead, unattempted, and the next claim sends them."""
    messages = await queue_result_ready_sms(3)
    gateway = GatedGateway()
    clock = ManualClock()
    worker = _gated_worker(
        http, await gateway.start(), clock, batch_size=3, concurrency=1, lease=timedelta(seconds=2)
    )
    draining = asyncio.create_task(worker.drain())
    try:
        assert await _eventually(lambda: _at_least(gateway.references, 1))
        clock.advance(1.1)
        gateway.gate.set()
        assert await asyncio.wait_for(draining, timeout=20) == 3
        assert len(gateway.references) == 1
        back = await OutboxMessage.filter(status=OutboxStatus.QUEUED).values_list(
            "attempts", "claim_token"
        )
        assert back == [(0, None), (0, None)]
        assert await worker.drain() == 2
    finally:
        gateway.gate.set()
        await asyncio.gather(draining, return_exceptions=True)
        await gateway.close()
    assert sorted(gateway.references) == sorted(str(m.id) for m in messages)
    assert await _count(OutboxStatus.SENT) == 3
