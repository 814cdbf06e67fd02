"""The worker's pipeline: claims keep the send slots full, a message never waits past half its
lease, and stopping settles all it holds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web

from models import OutboxMessage
from models.enums import OutboxStatus
from notifications.providers.http_sms import HttpSmsProvider
from notifications.worker import OutboxWorker, WorkerConfig
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


async def test_stopping_settles_and_records_every_claimed_message(db, http):
    await queue_result_ready_sms(10)
    gateway = HoldingGateway(others=0, delay=0.1)
    url = await gateway.start()
    stop = asyncio.Event()
    try:
        worker = OutboxWorker(
            sms_providers=[HttpSmsProvider(session=http, url=url)],
            config=WorkerConfig(quiet_hours=None, batch_size=10, concurrency=2),
        )
        running = asyncio.create_task(worker.run(stop))
        for _ in range(200):
            if gateway.references:
                break
            await asyncio.sleep(0.01)
        stop.set()  # one send in flight, nine claimed and waiting for a lane
        await asyncio.wait_for(running, timeout=20)
    finally:
        stop.set()
        await gateway.close()
    assert len(gateway.references) == len(set(gateway.references)) == 10
    statuses = await OutboxMessage.all().values_list("status", "claim_token")
    assert statuses == [(OutboxStatus.SENT, None)] * 10


class GatedGateway(GatewayServer):
    """Holds every send until `gate` is set."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.references: list[str] = []

    async def _handle(self, request: web.Request) -> web.Response:
        self.references.append((await request.json())["reference"])
        await self.gate.wait()
        return web.json_response({"id": f"gw-{len(self.references)}", "status": "accepted"})


async def _eventually_claimed(count: int) -> int:
    """Rows held `sending` once that many are (or whatever is held after 5 s)."""
    for _ in range(500):
        held = await OutboxMessage.filter(status=OutboxStatus.SENDING).count()
        if held >= count:
            return held
        await asyncio.sleep(0.01)
    return held


async def test_the_next_batch_is_claimed_while_a_batch_still_waits(db, http):
    """Batches of 10 through 2 lanes, every send held: with 8 claimed messages still waiting
    for a lane, the worker already holds the next batch (a claim takes milliseconds, which the
    lanes would otherwise spend idle), and no more than that."""
    await queue_result_ready_sms(40)
    gateway = GatedGateway()
    worker = OutboxWorker(
        sms_providers=[HttpSmsProvider(session=http, url=await gateway.start())],
        config=WorkerConfig(quiet_hours=None, batch_size=10, concurrency=2),
    )
    draining = asyncio.create_task(worker.drain())
    try:
        assert await _eventually_claimed(20) == 20
        await asyncio.sleep(0.2)  # time enough for a third claim, were one to go out
        assert await OutboxMessage.filter(status=OutboxStatus.SENDING).count() == 20
        assert len(gateway.references) == 2
        gateway.gate.set()
        assert await asyncio.wait_for(draining, timeout=20) == 40
    finally:
        draining.cancel()
        await asyncio.gather(draining, return_exceptions=True)
        await gateway.close()
    assert sorted(gateway.references) == sorted(set(gateway.references))
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == 40


async def test_a_message_that_waited_half_its_lease_goes_back_unsent(db, http):
    """One lane, sends of 0.6 s, a 2 s lease: the third and fourth messages of a batch would
    start after more than half their lease and could outlast it, when another worker may claim
    and send them too; they go back to the queue instead, as if never attempted."""
    messages = await queue_result_ready_sms(4)
    gateway = HoldingGateway(others=0, delay=0.6)
    worker = OutboxWorker(
        sms_providers=[HttpSmsProvider(session=http, url=await gateway.start())],
        config=WorkerConfig(
            quiet_hours=None, batch_size=4, concurrency=1, lease=timedelta(seconds=2)
        ),
    )
    try:
        assert await worker.drain() == 4
        assert len(gateway.references) == 2
        back = await OutboxMessage.filter(status=OutboxStatus.QUEUED).values_list(
            "attempts", "claim_token"
        )
        assert back == [(0, None), (0, None)]
        assert await worker.drain() == 2
    finally:
        await gateway.close()
    assert sorted(gateway.references) == sorted(str(m.id) for m in messages)
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == 4
