"""Outbox health on a generated set of messages whose figures are known."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.stats import compute_outbox_health, month_period, read_backlog
from models import OutboxMessage
from models.enums import OutboxStatus
from tests.stats_november import HCM, NOW, build_outbox, outbox_message

S = OutboxStatus


async def test_outbox_health_for_november(db):
    await build_outbox()
    health = await compute_outbox_health(period=month_period(year=2026, month=11), now=NOW)
    counts = {(c.channel, c.status): c.count for c in health.by_channel_status}
    assert counts == {
        ("push", "sent"): 2,
        ("sms", "delivered"): 4,
        ("sms", "failed"): 4,
        ("sms", "queued"): 2,
        ("sms", "sending"): 1,
        ("sms", "sent"): 4,
    }
    # Only Africa's Talking reported deliveries: 4 delivered of the 6 it was handed.
    (delivery,) = health.deliveries
    assert (delivery.provider, delivery.handed_over, delivery.delivered) == ("africastalking", 6, 4)
    assert delivery.delivery_rate == pytest.approx(4 / 6)
    # Waits 1.5 2 3 4 5 6 8 10 12 20 30: the 6th of 11.
    assert health.median_seconds_to_send == pytest.approx(6.0)
    assert [(f.reason, f.count) for f in health.failures] == [
        ("opted out", 2),
        ("DeliveryFailure", 1),
        ("HTTP 400: bad number", 1),
    ]
    assert (health.backlog.queued, health.backlog.sending) == (2, 1)
    assert health.backlog.oldest_queued_seconds == pytest.approx(3600.0)


async def test_an_empty_outbox_has_no_median_and_no_backlog(db):
    health = await compute_outbox_health(period=month_period(year=2026, month=11), now=NOW)
    assert health.by_channel_status == [] and health.deliveries == [] and health.failures == []
    assert health.median_seconds_to_send is None
    backlog = await read_backlog(now=NOW)
    assert (backlog.queued, backlog.sending, backlog.oldest_queued_seconds) == (0, 0, None)


async def test_messages_waiting_by_design_are_not_a_backlog_age(db):
    # Queued at 22:00 and held for the morning, and a retry backing off: neither is late.
    evening = datetime(2026, 11, 19, 22, 0, tzinfo=HCM)
    morning = datetime(2026, 11, 21, 7, 0, tzinfo=HCM)
    await OutboxMessage.bulk_create(
        [
            outbox_message(evening, S.QUEUED, next_attempt_at=morning),
            outbox_message(evening, S.QUEUED, next_attempt_at=NOW + timedelta(minutes=5)),
        ]
    )
    backlog = await read_backlog(now=NOW)
    assert (backlog.queued, backlog.oldest_queued_seconds) == (2, None)
    # Once due and still waiting, it is late by the whole time since it was queued.
    await OutboxMessage.bulk_create([outbox_message(NOW - timedelta(minutes=3), S.QUEUED)])
    backlog = await read_backlog(now=NOW)
    assert (backlog.queued, backlog.oldest_queued_seconds) == (3, pytest.approx(180.0))
