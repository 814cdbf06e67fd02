"""Outbox health on a generated set of messages whose figures are known."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.stats import compute_outbox_health, month_period, read_backlog
from models import OutboxMessage
from models.enums import Channel, Language, OutboxStatus

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=HCM)
QUEUED_AT = datetime(2026, 11, 10, 9, 0, tzinfo=HCM)

S = OutboxStatus
# (channel, provider, status, seconds from queued to sent or None, failure reason)
MESSAGES = [
    *[(Channel.SMS, "africastalking", S.DELIVERED, s, "") for s in (2, 4, 6, 8)],
    (Channel.SMS, "africastalking", S.FAILED, 5, "DeliveryFailure"),
    (Channel.SMS, "africastalking", S.SENT, 12, ""),
    *[(Channel.SMS, "http", S.SENT, s, "") for s in (10, 20, 30)],
    (Channel.PUSH, "fcm", S.SENT, 1.5, ""),
    (Channel.PUSH, "fcm", S.SENT, 3, ""),
    (Channel.SMS, "", S.FAILED, None, "opted out"),
    (Channel.SMS, "", S.FAILED, None, "opted out"),
    (Channel.SMS, "http", S.FAILED, None, "HTTP 400: bad number"),
]


def _message(created_at: datetime, status: OutboxStatus, **fields: object) -> OutboxMessage:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "phone": "+84901234567",
        "channel": Channel.SMS,
        "template": "dossier_received",
        "language": Language.VI,
        "status": status,
        "next_attempt_at": created_at,
        "created_at": created_at,
    }
    values.update(fields)
    return OutboxMessage(**values)


async def build_outbox() -> None:
    rows = [
        _message(
            QUEUED_AT,
            status,
            channel=channel,
            provider=provider,
            sent_at=None if wait is None else QUEUED_AT + timedelta(seconds=wait),
            last_error=reason,
        )
        for channel, provider, status, wait, reason in MESSAGES
    ]
    rows.append(_message(datetime(2026, 11, 20, 9, 0, tzinfo=HCM), S.QUEUED))
    rows.append(_message(datetime(2026, 11, 20, 9, 30, tzinfo=HCM), S.QUEUED))
    rows.append(_message(datetime(2026, 11, 20, 9, 59, tzinfo=HCM), S.SENDING))
    # Queued at 23:00 local on 31 October: October's, whatever its UTC date says.
    october = datetime(2026, 10, 31, 23, 0, tzinfo=HCM)
    rows.append(
        _message(october, S.FAILED, provider="africastalking", sent_at=october, last_error="x")
    )
    await OutboxMessage.bulk_create(rows)


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
            _message(evening, S.QUEUED, next_attempt_at=morning),
            _message(evening, S.QUEUED, next_attempt_at=NOW + timedelta(minutes=5)),
        ]
    )
    backlog = await read_backlog(now=NOW)
    assert (backlog.queued, backlog.oldest_queued_seconds) == (2, None)
    # Once due and still waiting, it is late by the whole time since it was queued.
    await OutboxMessage.bulk_create([_message(NOW - timedelta(minutes=3), S.QUEUED)])
    backlog = await read_backlog(now=NOW)
    assert (backlog.queued, backlog.oldest_queued_seconds) == (3, pytest.approx(180.0))
