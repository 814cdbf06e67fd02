"""`mgov outbox`: counts by status, every status listed, and how long the oldest due message
has waited."""

from __future__ import annotations

from datetime import timedelta

from domain.alerts.enqueue import enqueue_message
from domain.local_time import utc_now
from mgov.worker_process import outbox_report
from models import OutboxMessage
from models.enums import Channel, OutboxStatus
from tests.factories import make_citizen


async def test_counts_by_status_and_the_oldest_due_age(db):
    citizen = await make_citizen()
    messages = []
    for n in range(7):
        message = await enqueue_message(
            citizen=citizen,
            template="appointment_cancelled",
            params={"id": n, "when": "08:00 24/11/2026"},
            channel=Channel.SMS,
        )
        assert message is not None
        messages.append(message)
    for message, status in zip(
        messages[:4],
        [OutboxStatus.SENT, OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.SENDING],
        strict=True,
    ):
        await OutboxMessage.filter(id=message.id).update(status=status)
    await OutboxMessage.filter(id=messages[4].id).update(
        created_at=utc_now() - timedelta(seconds=90)
    )
    # Held for the morning since long ago: it waits by design, so it is no backlog.
    await OutboxMessage.filter(id=messages[6].id).update(
        created_at=utc_now() - timedelta(hours=9), next_attempt_at=utc_now() + timedelta(hours=1)
    )
    lines = await outbox_report()
    assert lines[:-1] == [
        "queued     3",
        "sending    1",
        "sent       2",
        "delivered  0",
        "failed     1",
    ]
    age = int(lines[-1].removeprefix("oldest due: ").removesuffix(" s"))
    assert 90 <= age < 150


async def test_an_empty_outbox_reports_zeros_and_no_age(db):
    assert await outbox_report() == [
        *(f"{status.value:<10} 0" for status in OutboxStatus),
        "oldest due: -",
    ]
