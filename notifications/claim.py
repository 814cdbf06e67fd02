"""Claiming due outbox rows so that any number of workers never send one row twice at once.

PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` in a transaction, so concurrent workers take
disjoint batches without waiting. SQLite (where Tortoise ignores `select_for_update`): the same
candidates, then an UPDATE whose WHERE re-checks that each row is still due; SQLite runs writes
one at a time, so a row goes to exactly one claimer. Either way the claimer stamps its rows with a
fresh token and a lease; a worker that dies leaves rows that become due again when it expires.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from domain.policy import as_utc, utc_now
from models import OutboxMessage
from models.enums import OutboxStatus


def _due(now: datetime) -> Q:
    return Q(status=OutboxStatus.QUEUED, next_attempt_at__lte=now) | Q(
        status=OutboxStatus.SENDING, lease_until__lt=now
    )


async def claim_due_messages(
    *, limit: int, lease: timedelta, now: datetime | None = None
) -> list[OutboxMessage]:
    """Take up to `limit` due rows (oldest first) and mark them `sending` under a lease."""
    now = as_utc(now or utc_now())
    token = uuid.uuid4().hex
    async with in_transaction() as connection:
        candidates = OutboxMessage.filter(_due(now)).order_by("next_attempt_at").limit(limit)
        if connection.capabilities.dialect == "postgres":
            candidates = candidates.select_for_update(skip_locked=True)
        # Model rows, not values_list: Tortoise drops FOR UPDATE from values queries.
        ids = [row.id for row in await candidates.only("id")]
        if not ids:
            return []
        await OutboxMessage.filter(_due(now), id__in=list(ids)).update(
            status=OutboxStatus.SENDING,
            claim_token=token,
            lease_until=now + lease,
            attempts=F("attempts") + 1,
        )
    return await OutboxMessage.filter(claim_token=token).order_by("next_attempt_at")
