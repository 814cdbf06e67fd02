"""The outbox worker against a real HTTP gateway stand-in, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest

from domain.alerts.enqueue import enqueue_message
from domain.local_time import utc_now
from models import OutboxMessage
from models.enums import OutboxStatus
from notifications.claim import claim_due_messages
from notifications.providers.base import OutgoingMessage
from notifications.providers.http_sms import HttpSmsProvider
from notifications.providers.log import LogProvider
from notifications.worker import OutboxWorker, RetryPolicy, WorkerConfig
from tests.factories import make_citizen
from tests.fake_gateway import FakeSmsGateway, Reply


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[FakeSmsGateway, str]]:
    fake = FakeSmsGateway()
    url = await fake.start()
    yield fake, url
    await fake.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.5)) as session:
        yield session


def _worker(http, url: str, **config) -> OutboxWorker:
    """A worker with no quiet hours unless a test gives some: tests run at any local hour."""
    provider = HttpSmsProvider(session=http, url=url, token="gw-token")
    config.setdefault("quiet_hours", None)
    return OutboxWorker(sms_providers=[provider], config=WorkerConfig(**config))


async def _queue(count: int = 1) -> list[OutboxMessage]:
    citizen = await make_citizen()
    messages = []
    for n in range(count):
        message = await enqueue_message(
            citizen=citizen,
            template="dossier_result_ready",
            params={"code": f"H29.99-261123-{n + 1:04d}", "office": "phường Sài Gòn"},
        )
        assert message is not None
        messages.append(message)
    return messages


async def _make_due(message: OutboxMessage) -> None:
    await OutboxMessage.filter(id=message.id).update(next_attempt_at=utc_now())


async def test_due_messages_are_sent_once_with_our_reference(db, gateway, http):
    fake, url = gateway
    messages = await _queue(3)
    assert await _worker(http, url).run_once() == 3
    assert await _worker(http, url).run_once() == 0
    assert sorted(r["reference"] for r in fake.received) == sorted(str(m.id) for m in messages)
    assert {r["_auth"] for r in fake.received} == {"Bearer gw-token"}
    first = next(r for r in fake.received if r["reference"] == str(messages[0].id))
    assert first["to"] == "+84901234567"
    assert first["text"] == (
        "Ho so H29.99-261123-0001 da co ket qua. Moi ong/ba den phuong Sai Gon de nhan."
    )
    stored = await OutboxMessage.get(id=messages[0].id)
    assert stored.status == OutboxStatus.SENT
    assert stored.provider == "http" and stored.provider_message_id.startswith("gw-")
    assert stored.segments == 1 and stored.attempts == 1 and stored.sent_at is not None
    assert stored.claim_token is None and stored.lease_until is None


async def test_server_error_is_retried_later_then_sent(db, gateway, http):
    fake, url = gateway
    fake.script.append(Reply(status=500))
    (message,) = await _queue()
    worker = _worker(http, url)
    await worker.run_once()
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == OutboxStatus.QUEUED
    assert stored.attempts == 1 and "500" in stored.last_error
    assert stored.next_attempt_at > utc_now() + timedelta(seconds=2)
    assert await worker.run_once() == 0  # not due yet
    await _make_due(message)
    assert await worker.run_once() == 1
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.status, stored.attempts) == (OutboxStatus.SENT, 2)


async def test_429_honours_retry_after(db, gateway, http):
    fake, url = gateway
    fake.script.append(Reply(status=429, headers={"Retry-After": "120"}))
    (message,) = await _queue()
    await _worker(http, url).run_once()
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == OutboxStatus.QUEUED
    assert stored.next_attempt_at >= utc_now() + timedelta(seconds=115)


async def test_a_timeout_is_retryable(db, gateway, http):
    fake, url = gateway
    fake.script.append(Reply(delay=2.0))
    (message,) = await _queue()
    await _worker(http, url).run_once()
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == OutboxStatus.QUEUED
    assert "Timeout" in stored.last_error


async def test_a_client_error_fails_for_good(db, gateway, http):
    fake, url = gateway
    fake.script.append(Reply(status=400))
    (message,) = await _queue()
    await _worker(http, url).run_once()
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == OutboxStatus.FAILED
    assert stored.last_error.startswith("http 400")


async def test_retries_stop_at_the_limit(db, gateway, http):
    fake, url = gateway
    fake.script.extend([Reply(status=503), Reply(status=503)])
    (message,) = await _queue()
    worker = _worker(http, url, retry=RetryPolicy(max_attempts=2))
    await worker.run_once()
    await _make_due(message)
    await worker.run_once()
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.status, stored.attempts) == (OutboxStatus.FAILED, 2)
    assert len(fake.received) == 2


async def test_the_next_gateway_takes_over_when_the_first_is_down(db, http):
    down, up = FakeSmsGateway(), FakeSmsGateway()
    down_url, up_url = await down.start(), await up.start()
    try:
        down.script.append(Reply(status=502))
        worker = OutboxWorker(
            sms_providers=[
                HttpSmsProvider(session=http, url=down_url),
                HttpSmsProvider(session=http, url=up_url),
            ],
            config=WorkerConfig(quiet_hours=None),
        )
        (message,) = await _queue()
        await worker.run_once()
        assert (await OutboxMessage.get(id=message.id)).status == OutboxStatus.SENT
        assert len(down.received) == 1 and len(up.received) == 1
    finally:
        await down.close()
        await up.close()


async def test_an_expired_lease_is_reclaimed_a_live_one_is_not(db):
    live, dead = await _queue(2)
    claimed = await claim_due_messages(limit=10, lease=timedelta(minutes=2))
    assert {m.id for m in claimed} == {live.id, dead.id}
    assert await claim_due_messages(limit=10, lease=timedelta(minutes=2)) == []
    await OutboxMessage.filter(id=dead.id).update(lease_until=utc_now() - timedelta(seconds=1))
    again = await claim_due_messages(limit=10, lease=timedelta(minutes=2))
    assert [m.id for m in again] == [dead.id]
    assert again[0].attempts == 2


async def test_workers_side_by_side_send_each_message_once(db, gateway, http):
    fake, url = gateway
    messages = await _queue(120)
    workers = [_worker(http, url, batch_size=10, concurrency=4) for _ in range(4)]

    async def drain(worker: OutboxWorker) -> None:
        while await worker.run_once():
            pass

    await asyncio.gather(*(drain(w) for w in workers))
    references = [r["reference"] for r in fake.received]
    assert len(references) == len(set(references)) == len(messages)
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == len(messages)


async def test_log_provider_shows_the_message_with_a_masked_number():
    out = io.StringIO()
    accepted = await LogProvider(out).send(
        OutgoingMessage(id="m-1", phone="+84901234567", body="Ma OTP cua ban: 123456")
    )
    printed = out.getvalue()
    assert "+8490****567" in printed and "+84901234567" not in printed
    assert "Ma OTP cua ban: 123456" in printed
    assert accepted.provider == "log"
