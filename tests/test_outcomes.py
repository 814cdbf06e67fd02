"""Outcomes written in bulk: one statement for many rows, each only while its claim holds."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from datetime import timedelta

import aiohttp
import pytest

from domain.local_time import utc_now
from models import OutboxMessage
from models.enums import Channel, OutboxStatus
from notifications.claim import claim_due_messages
from notifications.outcomes import Outcome, OutcomeWriter, record_outcomes
from notifications.providers.base import OutgoingMessage, SendFailure
from notifications.providers.http_sms import HttpSmsProvider
from tests.factories import queue_result_ready_sms
from tests.fake_gateway import FakeSmsGateway, Reply

LEASE = timedelta(minutes=2)


async def test_mixed_outcomes_in_one_flush_each_land_on_their_row(db):
    await queue_result_ready_sms(4)
    claimed = {m.id: m for m in await claim_due_messages(limit=10, lease=LEASE)}
    sent_id, retry_id, failed_id, deferred_id = sorted(claimed)
    now = utc_now()
    later = now + timedelta(minutes=10)
    morning = now + timedelta(hours=8)

    def outcome(message_id, status, **fields) -> Outcome:
        token = claimed[message_id].claim_token
        return Outcome(
            id=message_id, claim_token=token, status=status, channel=Channel.SMS, **fields
        )

    written = await record_outcomes(
        [
            outcome(
                sent_id,
                OutboxStatus.SENT,
                sent_at=now,
                provider="http",
                provider_message_id="gw-1",
                segments=2,
                last_error="",
            ),
            outcome(retry_id, OutboxStatus.QUEUED, next_attempt_at=later, last_error="http 503"),
            outcome(failed_id, OutboxStatus.FAILED, last_error="http 400: bad number"),
            outcome(deferred_id, OutboxStatus.QUEUED, next_attempt_at=morning, attempts_delta=-1),
        ]
    )
    assert written == 4
    rows = {m.id: m for m in await OutboxMessage.all()}
    sent, retry, failed, deferred = (rows[i] for i in (sent_id, retry_id, failed_id, deferred_id))
    assert (sent.status, sent.provider, sent.provider_message_id, sent.segments) == (
        OutboxStatus.SENT,
        "http",
        "gw-1",
        2,
    )
    assert abs(sent.sent_at - now) < timedelta(milliseconds=1) and sent.delivered_at is None
    assert (retry.status, retry.attempts, retry.last_error) == (OutboxStatus.QUEUED, 1, "http 503")
    assert abs(retry.next_attempt_at - later) < timedelta(milliseconds=1)
    assert retry.sent_at is None and retry.provider == "" and retry.provider_message_id is None
    assert (failed.status, failed.last_error) == (OutboxStatus.FAILED, "http 400: bad number")
    assert (deferred.status, deferred.attempts) == (OutboxStatus.QUEUED, 0)
    assert abs(deferred.next_attempt_at - morning) < timedelta(milliseconds=1)
    assert all(m.claim_token is None and m.lease_until is None for m in rows.values())


async def test_a_lost_claim_is_not_overwritten_by_the_flush(db):
    """A worker whose lease ran out while its outcomes waited: another worker claimed the row
    again and sent it; the first worker's late flush must not touch that row."""
    mine, kept = await queue_result_ready_sms(2)
    first = {m.id: m for m in await claim_due_messages(limit=10, lease=LEASE)}
    await OutboxMessage.filter(id=mine.id).update(lease_until=utc_now() - timedelta(seconds=1))
    (second,) = await claim_due_messages(limit=10, lease=LEASE)
    assert second.id == mine.id and second.claim_token != first[mine.id].claim_token

    stale = [
        Outcome(
            id=message_id,
            claim_token=message.claim_token,
            status=OutboxStatus.FAILED,
            channel=Channel.SMS,
            last_error="late",
        )
        for message_id, message in first.items()
    ]
    assert await record_outcomes(stale) == 1
    row = await OutboxMessage.get(id=mine.id)
    assert (row.status, row.claim_token, row.last_error) == (
        OutboxStatus.SENDING,
        second.claim_token,
        "",
    )
    assert (await OutboxMessage.get(id=kept.id)).status == OutboxStatus.FAILED


async def test_the_writer_flushes_when_full_and_at_the_end(db):
    messages = await queue_result_ready_sms(5)
    claimed = await claim_due_messages(limit=10, lease=LEASE)
    writer = OutcomeWriter(flush_size=2, interval=60)
    done = asyncio.Event()
    flusher = asyncio.create_task(writer.run_flusher(done))
    for message in claimed[:2]:
        writer.add(
            Outcome(
                id=message.id,
                claim_token=message.claim_token,
                status=OutboxStatus.SENT,
                channel=Channel.SMS,
            )
        )
    for _ in range(100):  # the size trigger, not the 60 s interval, writes these two
        if await OutboxMessage.filter(status=OutboxStatus.SENT).count() == 2:
            break
        await asyncio.sleep(0.01)
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == 2
    writer.add(
        Outcome(
            id=claimed[2].id,
            claim_token=claimed[2].claim_token,
            status=OutboxStatus.SENT,
            channel=Channel.SMS,
        )
    )
    done.set()
    await flusher
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == 3
    assert await OutboxMessage.filter(status=OutboxStatus.SENDING).count() == len(messages) - 3


async def test_each_flush_leaves_one_log_line_of_what_it_recorded(db, caplog):
    await queue_result_ready_sms(4)
    claimed = await claim_due_messages(limit=10, lease=LEASE)
    given = [
        (OutboxStatus.SENT, "http"),
        (OutboxStatus.SENT, "africastalking"),
        (OutboxStatus.SENT, "http"),
        (OutboxStatus.FAILED, None),
    ]
    writer = OutcomeWriter()
    for message, (status, provider) in zip(claimed, given, strict=True):
        writer.add(
            Outcome(
                id=message.id,
                claim_token=message.claim_token,
                status=status,
                channel=Channel.SMS,
                provider=provider,
            )
        )
    with caplog.at_level(logging.INFO, logger="mgov.worker"):
        await writer.flush()
        await writer.flush()  # nothing waits: no line
    lines = [r.getMessage() for r in caplog.records if r.name == "mgov.worker"]
    assert lines == ["recorded 4 outcomes: sent 3 (http 2, africastalking 1), failed 1"]


async def test_a_send_logs_at_debug_and_a_failed_one_at_info(caplog):
    # A line per send only at DEBUG: at INFO the flush line above is the trail of sends.
    fake = FakeSmsGateway(script=deque([Reply(), Reply(status=503)]))
    url = await fake.start()
    try:
        async with aiohttp.ClientSession() as http:
            provider = HttpSmsProvider(session=http, url=url)
            message = OutgoingMessage(id="m-1", phone="+84901234567", body="Xin chao")
            with caplog.at_level(logging.DEBUG, logger="mgov.providers"):
                await provider.send(message)
                with pytest.raises(SendFailure):
                    await provider.send(message)
    finally:
        await fake.close()
    levels = [(r.levelno, r.getMessage().split()[0]) for r in caplog.records]
    assert levels == [(logging.DEBUG, "sent"), (logging.INFO, "failed")]
