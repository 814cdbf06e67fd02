"""Claiming: which rows a claim takes, in what order, and that it reads them through indexes."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from tortoise.connection import get_connection

from domain.local_time import utc_now
from models import OutboxMessage
from models.enums import Channel, Language, OutboxStatus
from notifications.claim import _claim_statement, claim_due_messages
from tests.factories import make_citizen, queue_result_ready_sms

LEASE = timedelta(minutes=2)


async def test_expired_leases_come_first_and_the_limit_covers_both_kinds(db):
    oldest, older, newer = await queue_result_ready_sms(3)
    now = utc_now()
    for age, message in ((3, oldest), (2, older), (1, newer)):
        await OutboxMessage.filter(id=message.id).update(next_attempt_at=now - timedelta(hours=age))
    assert [m.id for m in await claim_due_messages(limit=1, lease=LEASE)] == [oldest.id]
    await OutboxMessage.filter(id=oldest.id).update(lease_until=now - timedelta(seconds=1))

    claimed = await claim_due_messages(limit=2, lease=LEASE)

    assert {m.id for m in claimed} == {oldest.id, older.id}
    assert await OutboxMessage.filter(status=OutboxStatus.QUEUED).values_list("id", flat=True) == [
        newer.id
    ]


async def test_a_claim_ignores_rows_not_yet_due(db):
    (later,) = await queue_result_ready_sms(1)
    await OutboxMessage.filter(id=later.id).update(next_attempt_at=utc_now() + timedelta(hours=1))
    assert await claim_due_messages(limit=10, lease=LEASE) == []


async def test_a_claim_reads_the_due_rows_through_indexes_however_many_wait(db, backend):
    """A claim must cost the same with a hundred or a million rows waiting: it reads each kind
    of claimable row in its index's order and stops at the batch. An OR of the two kinds under
    one ORDER BY read and sorted every queued row on every claim (a quadratic drain)."""
    citizen = await make_citizen()
    now = utc_now()
    await OutboxMessage.bulk_create(
        [
            OutboxMessage(
                id=uuid.uuid4(),
                citizen_id=citizen.id,
                phone=citizen.phone,
                channel=Channel.SMS,
                template="dossier_result_ready",
                language=Language.VI,
                body="Ho so da co ket qua",
                next_attempt_at=now - timedelta(seconds=n),
            )
            for n in range(3000)
        ],
        batch_size=1000,
    )
    connection = get_connection("default")
    statement = _claim_statement(backend)
    parameters = ["t" * 32, now + LEASE, now, 100]
    if backend == "postgres":
        await connection.execute_script("ANALYZE outbox_message")
        rows = await connection.execute_query_dict(f"EXPLAIN {statement}", parameters)
        plan = "\n".join(row["QUERY PLAN"] for row in rows)
        assert "Seq Scan on outbox_message" not in plan, plan
        assert not re.search(r"Sort Key: \S*next_attempt_at", plan), plan
    else:
        rows = await connection.execute_query_dict(f"EXPLAIN QUERY PLAN {statement}", parameters)
        plan = "\n".join(row["detail"] for row in rows)
        assert "SCAN outbox_message" not in plan, plan
        assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
    assert len(await claim_due_messages(limit=100, lease=LEASE)) == 100
