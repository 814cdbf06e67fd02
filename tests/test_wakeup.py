"""On PostgreSQL a queued message wakes a sleeping worker at once (LISTEN/NOTIFY at commit)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from tortoise.transactions import in_transaction

from domain.alerts.enqueue import enqueue_message
from models import OutboxMessage
from models.enums import OutboxStatus
from notifications.outage import Backoff, DatabaseOutage
from notifications.providers.http_sms import HttpSmsProvider
from notifications.wakeup import outbox_wakeups
from notifications.worker import OutboxWorker, WorkerConfig
from tests.clock import ManualClock
from tests.db_outage import ProxiedPostgres, database_outage, listening_since, server_now, until
from tests.factories import make_citizen
from tests.fake_gateway import FakeSmsGateway

LONG_POLL = 300.0  # far longer than a test waits: only a wake-up can explain a prompt send
FAST = Backoff(first=0.02, cap=0.2)


async def _commit_one_message() -> OutboxMessage:
    """A change committed with its outbox row, as a door would: the commit is what wakes."""
    citizen = await make_citizen()
    async with in_transaction():
        message = await enqueue_message(
            citizen=citizen, template="appointment_cancelled", params={"id": 1, "when": "x"}
        )
    assert message is not None
    return message


async def test_a_commit_wakes_the_worker_instead_of_its_poll(db, backend):
    if backend != "postgres":
        pytest.skip("SQLite has no NOTIFY; its workers poll")
    gateway = FakeSmsGateway()
    url = await gateway.start()
    stop = asyncio.Event()
    before = await server_now()
    try:
        async with (
            aiohttp.ClientSession() as http,
            outbox_wakeups(db.database_url) as wake,
        ):
            assert wake is not None
            # Ahead of the wall clock, so that what the test queues is due; it stands still, so
            # the poll never ends and only a wake-up can explain the send.
            clock = ManualClock(datetime.now(UTC) + timedelta(minutes=1))
            worker = OutboxWorker(
                sms_providers=[HttpSmsProvider(session=http, url=url)],
                config=WorkerConfig(quiet_hours=None, poll_interval=LONG_POLL),
                clock=clock,
            )
            running = asyncio.create_task(worker.run(stop, wake))
            await until(lambda: listening_since(before), "listening")
            await clock.settled(timeout=LONG_POLL)  # it found nothing and waits on its poll
            message = await _commit_one_message()
            await until(lambda: gateway.received, "the message sent")
            stop.set()
            await asyncio.wait_for(running, timeout=10)
        assert [r["reference"] for r in gateway.received] == [str(message.id)]
        assert (await OutboxMessage.get(id=message.id)).status == OutboxStatus.SENT
    finally:
        stop.set()
        await gateway.close()


async def test_sqlite_gives_no_wakeup_event(db, backend):
    if backend != "sqlite":
        pytest.skip("PostgreSQL gives one")
    async with outbox_wakeups(db.database_url) as wake:
        assert wake is None


async def test_the_listen_connection_comes_back_after_an_outage(db, backend):
    """Before, a lost LISTEN connection stayed lost, and the worker waited for its poll."""
    if backend != "postgres":
        pytest.skip("SQLite has no NOTIFY; its workers poll")
    gateway = FakeSmsGateway()
    url = await gateway.start()
    stop = asyncio.Event()
    try:
        async with (
            database_outage(db.database_url) as outage,
            aiohttp.ClientSession() as http,
            outbox_wakeups(outage.database_url, outage=DatabaseOutage(backoff=FAST)) as wake,
        ):
            assert isinstance(outage, ProxiedPostgres) and wake is not None
            worker = OutboxWorker(
                sms_providers=[HttpSmsProvider(session=http, url=url)],
                config=WorkerConfig(quiet_hours=None, poll_interval=LONG_POLL),
            )
            running = asyncio.create_task(worker.run(stop, wake))
            await until(lambda: outage.proxy.connections == 1, "listening")
            await outage.cut()
            await outage.restore()
            restored = await server_now()
            await until(lambda: listening_since(restored), "listening again")
            message = await _commit_one_message()
            await until(lambda: gateway.received, "the message sent")
            stop.set()
            await asyncio.wait_for(running, timeout=10)
        assert [r["reference"] for r in gateway.received] == [str(message.id)]
    finally:
        stop.set()
        await gateway.close()
