"""Writing what became of claimed messages, many at a time, each only while its claim holds.

A worker collects outcomes as sends finish and writes them in one statement per flush instead of
one UPDATE per message. Each row is written only while it still carries the claim token of the
worker that sent it, so a worker that outlived its lease never overwrites what another worker
did since. A process that dies between a send and the flush leaves the row in `sending`: the
lease expires, another claim sends it again (at least once; the provider drops the repeat by
our reference), which is the same contract as a death between the send and a single UPDATE.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.connection import get_connection

from domain.local_time import as_utc
from models.enums import Channel, OutboxStatus
from notifications.clock import Clock, SystemClock
from notifications.outage import DatabaseOutage

logger = logging.getLogger("mgov.worker")

# Rows per statement: SQLite allows 32,766 parameters (12 per row here); PostgreSQL has no such
# limit for arrays, but one bounded statement keeps a flush's lock time short.
_CHUNK = 1000

# Column, then how a row's value applies: None in an optional column keeps what the row holds.
_COLUMNS = (
    ("id", "uuid"),
    ("claim_token", "text"),
    ("status", "text"),
    ("channel", "text"),
    ("attempts_delta", "int"),
    ("next_attempt_at", "timestamptz"),
    ("last_error", "text"),
    ("sent_at", "timestamptz"),
    ("delivered_at", "timestamptz"),
    ("provider", "text"),
    ("provider_message_id", "text"),
    ("segments", "int"),
)
_KEPT_UNLESS_GIVEN = (
    "next_attempt_at",
    "last_error",
    "sent_at",
    "delivered_at",
    "provider",
    "provider_message_id",
    "segments",
)
_UPDATE = (
    "UPDATE outbox_message AS o SET status = v.status, channel = v.channel, "
    "attempts = o.attempts + v.attempts_delta, "
    + ", ".join(f"{name} = COALESCE(v.{name}, o.{name})" for name in _KEPT_UNLESS_GIVEN)
    + ", claim_token = NULL, lease_until = NULL "
    "FROM {rows} WHERE o.id = v.id AND o.claim_token = v.claim_token"
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one claimed message; None in an optional field leaves the row's value."""

    id: uuid.UUID
    claim_token: str
    status: OutboxStatus
    channel: Channel
    attempts_delta: int = 0  # -1 gives the claim's attempt back (a deferral is no attempt)
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    provider: str | None = None
    provider_message_id: str | None = None
    segments: int | None = None


def _row(outcome: Outcome) -> tuple[Any, ...]:
    """One outcome's values, in the order of `_COLUMNS`."""
    return (
        outcome.id,
        outcome.claim_token,
        outcome.status.value,
        outcome.channel.value,
        outcome.attempts_delta,
        outcome.next_attempt_at and as_utc(outcome.next_attempt_at),
        outcome.last_error,
        outcome.sent_at and as_utc(outcome.sent_at),
        outcome.delivered_at and as_utc(outcome.delivered_at),
        outcome.provider,
        outcome.provider_message_id,
        outcome.segments,
    )


def _update(dialect: str, rows: list[tuple[Any, ...]]) -> tuple[str, list[Any]]:
    """The one dialect difference of writing outcomes: how rows become the table `v`.
    PostgreSQL takes one array per column (`unnest`), so the statement text is the same for
    any count and stays prepared; SQLite takes a VALUES list, its columns named in a SELECT,
    and UUIDs as the text Tortoise stores there."""
    if dialect == "postgres":
        arrays = ", ".join(f"${n}::{kind}[]" for n, (_, kind) in enumerate(_COLUMNS, start=1))
        names = ", ".join(name for name, _ in _COLUMNS)
        statement = _UPDATE.format(rows=f"unnest({arrays}) AS v({names})")
        return statement, [list(column) for column in zip(*rows, strict=True)]
    names = ", ".join(f"column{n} AS {name}" for n, (name, _) in enumerate(_COLUMNS, start=1))
    placeholders = "(" + ", ".join("?" * len(_COLUMNS)) + ")"
    values = ", ".join([placeholders] * len(rows))
    statement = _UPDATE.format(rows=f"(SELECT {names} FROM (VALUES {values})) AS v")
    return statement, [value for row in rows for value in (str(row[0]), *row[1:])]


async def record_outcomes(outcomes: Sequence[Outcome]) -> int:
    """Write outcomes and give up their claims, in one statement per chunk; returns how many
    rows were written (fewer when a claim was lost: those rows are left as they are)."""
    connection = get_connection("default")
    dialect = connection.capabilities.dialect
    written = 0
    for start in range(0, len(outcomes), _CHUNK):
        statement, values = _update(dialect, [_row(o) for o in outcomes[start : start + _CHUNK]])
        count, _ = await connection.execute_query(statement, values)
        written += count
    return written


def summarise_outcomes(outcomes: Sequence[Outcome]) -> str:
    """One line for a flush, e.g. `sent 97 (http 97), queued 2, failed 1`: the operator's
    trail of what went out, by status and by the provider that took each message."""
    by_status: dict[str, Counter[str]] = {}
    for outcome in outcomes:
        providers = by_status.setdefault(outcome.status.value, Counter())
        providers[outcome.provider or ""] += 1
    parts = []
    for status, providers in by_status.items():
        named = ", ".join(f"{name} {n}" for name, n in providers.most_common() if name)
        parts.append(f"{status} {providers.total()}" + (f" ({named})" if named else ""))
    return ", ".join(parts)


class OutcomeWriter:
    """Collects outcomes as sends finish and writes them together: when `flush_size` are
    waiting, every `interval` seconds while `run_flusher` runs, and when asked.

    While the database is away the outcomes wait here, and the flush retries until they are
    written. Their rows' leases may run out meanwhile, so a claim must not run before they are
    written, or it would take those rows again and send them twice: a claimer waits for
    `caught_up`, which is clear from a failed write until every outcome waiting is written.
    """

    def __init__(
        self,
        *,
        flush_size: int = 100,
        interval: float = 0.05,
        outage: DatabaseOutage | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.flush_size = flush_size
        self.interval = interval
        self.outage = outage or DatabaseOutage()
        self.clock = clock or SystemClock()
        self._pending: list[Outcome] = []
        self._full = asyncio.Event()
        self._lock = asyncio.Lock()
        self.caught_up = asyncio.Event()
        self.caught_up.set()

    def add(self, outcome: Outcome) -> None:
        self._pending.append(outcome)
        if len(self._pending) >= self.flush_size:
            self._full.set()

    async def flush(self) -> None:
        """Write what is waiting; one flush at a time, so outcomes reach the database in order.
        After an outage it writes again until nothing waits, then lets claims go on."""
        async with self._lock:
            while True:
                self._full.clear()
                outcomes, self._pending = self._pending, []
                if outcomes:
                    await self._write(outcomes)
                if self.caught_up.is_set() or not self._pending:
                    break
            self.caught_up.set()

    async def _write(self, outcomes: list[Outcome]) -> None:
        written = 0
        for start in range(0, len(outcomes), _CHUNK):
            chunk = outcomes[start : start + _CHUNK]
            # Chunk by chunk: a retry rewrites no chunk already written.
            count = await self.outage.retry(
                functools.partial(record_outcomes, chunk), on_failure=self.caught_up.clear
            )
            written += count or 0
        if logger.isEnabledFor(logging.INFO):
            logger.info("recorded %d outcomes: %s", len(outcomes), summarise_outcomes(outcomes))
        if written < len(outcomes):
            logger.warning(
                "%d outcomes not written: their claims had expired and the rows were claimed again",
                len(outcomes) - written,
            )

    async def run_flusher(self, done: asyncio.Event) -> None:
        """Flush whenever `flush_size` outcomes wait or `interval` passes, until `done`; then
        write the rest."""
        while not done.is_set():
            await self.clock.wait(self._full, done, timeout=self.interval)
            await self.flush()
        await self.flush()
