"""Claiming due outbox rows so that any number of workers never send one row twice at once.

One statement claims a batch: an UPDATE of the oldest due rows that stamps them `sending` with a
fresh token and a lease, and returns what sending them needs. Rows whose lease ran out come
first, then queued rows by due time; each kind is read in its own index's order and the read
stops at the batch size, so a claim costs the same with ten rows waiting or a million (one OR
of the two kinds under one ORDER BY had PostgreSQL read and sort every queued row on every
claim). On PostgreSQL the reads lock the rows `FOR UPDATE SKIP LOCKED`, so concurrent workers
take disjoint batches without waiting for each other; SQLite runs writes one at a time, so each
row goes to exactly one claimer. A worker that dies leaves rows that become due again when their
lease expires.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.connection import get_connection

from domain.local_time import as_utc, utc_now
from models.enums import Channel, Language, Priority
from models.sql import placeholders

# Rows whose lease ran out, then queued rows by due time: each read in its own index's order.
_CLAIMABLE = """
    SELECT id FROM (
        SELECT id FROM (
            SELECT id FROM outbox_message
            WHERE status = 'sending' AND lease_until < {p[2]}
            ORDER BY lease_until LIMIT {p[3]}{lock}
        ) AS expired
        UNION ALL
        SELECT id FROM (
            SELECT id FROM outbox_message
            WHERE status = 'queued' AND next_attempt_at <= {p[2]}
            ORDER BY next_attempt_at LIMIT {p[3]}{lock}
        ) AS due
    ) AS claimable
    LIMIT {p[3]}
"""

_CLAIM = """
UPDATE outbox_message
SET status = 'sending', claim_token = {p[0]}, lease_until = {p[1]}, attempts = attempts + 1
WHERE {picked}
RETURNING id, claim_token, citizen_id, phone, channel, sms_allowed, template, language, body,
    priority, attempts, next_attempt_at
"""


@dataclass(slots=True)
class ClaimedMessage:
    """A row this worker holds under its claim token, with what sending it needs."""

    id: uuid.UUID
    claim_token: str
    citizen_id: int | None
    phone: str
    channel: Channel
    template: str
    language: Language
    body: str
    priority: Priority
    attempts: int  # counting this claim
    next_attempt_at: datetime  # its place in the queue, kept if it goes back unsent
    lease_until: datetime  # when another worker may claim it
    # May it go by SMS (as chosen or as a push's fallback): decided by `domain.alerts.choices`.
    sms_allowed: bool


def _claim_statement(dialect: str) -> str:
    """The one dialect difference of claiming: PostgreSQL locks the rows it picks and skips
    those another claimer holds, and takes the picked ids as an array so that it reaches them
    through the primary key (given `IN`, it hash-joined a scan of the whole table whenever the
    table looked small); SQLite, one writer at a time, needs no lock."""
    p = placeholders(dialect, 4)
    if dialect == "postgres":
        claimable = _CLAIMABLE.format(p=p, lock=" FOR UPDATE SKIP LOCKED")
        return _CLAIM.format(p=p, picked=f"id = ANY(ARRAY({claimable}))")
    return _CLAIM.format(p=p, picked=f"id IN ({_CLAIMABLE.format(p=p, lock='')})")


async def claim_due_messages(
    *, limit: int, lease: timedelta, now: datetime | None = None
) -> list[ClaimedMessage]:
    """Take up to `limit` due rows (oldest first) and mark them `sending` under a lease."""
    now = as_utc(now or utc_now())
    token, lease_until = uuid.uuid4().hex, now + lease
    connection = get_connection("default")
    rows = await connection.execute_query_dict(
        _claim_statement(connection.capabilities.dialect), [token, lease_until, now, limit]
    )
    rows.sort(key=lambda row: row["next_attempt_at"])
    return [
        ClaimedMessage(
            id=row["id"] if isinstance(row["id"], uuid.UUID) else uuid.UUID(row["id"]),
            claim_token=token,
            citizen_id=row["citizen_id"],
            phone=row["phone"],
            channel=Channel(row["channel"]),
            template=row["template"],
            language=Language(row["language"]),
            body=row["body"],
            priority=Priority(row["priority"]),
            attempts=row["attempts"],
            next_attempt_at=_as_datetime(row["next_attempt_at"]),
            lease_until=lease_until,
            sms_allowed=bool(row["sms_allowed"]),
        )
        for row in rows
    ]


def _as_datetime(value: datetime | str) -> datetime:
    """A timestamp as the driver returns it: asyncpg gives datetimes, SQLite the ISO text
    Tortoise stored."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
