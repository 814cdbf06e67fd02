"""Whether alerts get through: the outbox seen by an operator, for a period and right now.

Counts are GROUP BYs over the `created_at` and `(status, …)` indexes; the median time from
queued to sent is read at its rank (ORDER BY … OFFSET), never by loading rows into Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.connection import get_connection
from tortoise.expressions import RawSQL
from tortoise.functions import Count, Min

from domain.local_time import as_utc, utc_now
from domain.stats.periods import Period
from domain.stats.ranks import nearest_rank_offset
from models import OutboxMessage
from models.enums import OutboxStatus

TOP_FAILURE_REASONS = 10


@dataclass(frozen=True)
class ChannelStatusCount:
    channel: str
    status: str
    count: int


@dataclass(frozen=True)
class ProviderDelivery:
    """Only providers whose gateway sends delivery reports get a rate (most Vietnamese carriers
    send none, and `sent` is then a final state, not a failure)."""

    provider: str
    handed_over: int
    delivered: int

    @property
    def delivery_rate(self) -> float:
        return self.delivered / self.handed_over if self.handed_over else 0.0


@dataclass(frozen=True)
class FailureReason:
    reason: str
    count: int


@dataclass(frozen=True)
class Backlog:
    queued: int
    sending: int
    oldest_queued_seconds: float | None


@dataclass(frozen=True)
class OutboxHealth:
    period: Period
    as_of: datetime
    by_channel_status: list[ChannelStatusCount]
    deliveries: list[ProviderDelivery]
    median_seconds_to_send: float | None
    backlog: Backlog
    failures: list[FailureReason]


def _seconds_to_send_sql() -> str:
    """Seconds from queued to sent, the one dialect difference of this module: PostgreSQL
    subtracts timestamps; SQLite stores ISO text, which `julianday` reads, offset included."""
    if get_connection("default").capabilities.dialect == "postgres":
        return "EXTRACT(EPOCH FROM (sent_at - created_at))"
    return "(julianday(sent_at) - julianday(created_at)) * 86400.0"


async def _median_seconds_to_send(period: Period) -> float | None:
    sent = OutboxMessage.filter(
        created_at__gte=period.start, created_at__lt=period.end, sent_at__isnull=False
    )
    count = await sent.count()
    if count == 0:
        return None
    offset = nearest_rank_offset(count=count, percent=50)
    # Tortoise types a flat values_list as a list of tuples; it holds the values themselves.
    values: list[Any] = (
        await sent.annotate(wait=RawSQL(_seconds_to_send_sql()))
        .order_by("wait")
        .offset(offset)
        .limit(1)
        .values_list("wait", flat=True)
    )
    return round(float(values[0]), 3) if values else None


async def read_backlog(*, now: datetime | None = None) -> Backlog:
    """What waits to go out now, and for how long the oldest message that is due has waited:
    cheap enough for every Prometheus scrape (the status index holds the answer)."""
    now = as_utc(now or utc_now())
    counts = dict(
        await OutboxMessage.filter(status__in=[OutboxStatus.QUEUED, OutboxStatus.SENDING])
        .annotate(n=Count("id"))
        .group_by("status")
        .values_list("status", "n")
    )
    # Only rows due to go: a message held for the morning (quiet hours) or a retry's backoff
    # waits by design, and counting it would show hours of backlog every night.
    oldest: list[Any] = (
        await OutboxMessage.filter(status=OutboxStatus.QUEUED, next_attempt_at__lte=now)
        .annotate(oldest=Min("created_at"))
        .values_list("oldest", flat=True)
    )
    oldest_at: datetime | None = oldest[0] if oldest else None
    return Backlog(
        queued=counts.get(OutboxStatus.QUEUED, 0),
        sending=counts.get(OutboxStatus.SENDING, 0),
        oldest_queued_seconds=(
            max(0.0, (now - oldest_at).total_seconds()) if oldest_at is not None else None
        ),
    )


async def compute_outbox_health(*, period: Period, now: datetime | None = None) -> OutboxHealth:
    """Messages of the period by channel and status, delivery rates, time to send, failures, and
    the backlog as of now: is the alerting pipeline healthy?"""
    in_period = OutboxMessage.filter(created_at__gte=period.start, created_at__lt=period.end)
    by_channel_status = [
        ChannelStatusCount(str(channel), str(status), n)
        for channel, status, n in await in_period.annotate(n=Count("id"))
        .group_by("channel", "status")
        .values_list("channel", "status", "n")
    ]
    handed: dict[str, list[int]] = {}
    for provider, status, n in (
        await in_period.filter(sent_at__isnull=False)
        .annotate(n=Count("id"))
        .group_by("provider", "status")
        .values_list("provider", "status", "n")
    ):
        totals = handed.setdefault(provider, [0, 0])
        totals[0] += n
        if status == OutboxStatus.DELIVERED:
            totals[1] += n
    deliveries = [
        ProviderDelivery(provider, total, delivered)
        for provider, (total, delivered) in sorted(handed.items())
        if delivered
    ]
    failures = [
        FailureReason(reason, n)
        for reason, n in await in_period.filter(status=OutboxStatus.FAILED)
        .annotate(n=Count("id"))
        .group_by("last_error")
        .order_by("-n", "last_error")
        .limit(TOP_FAILURE_REASONS)
        .values_list("last_error", "n")
    ]
    return OutboxHealth(
        period=period,
        as_of=as_utc(now or utc_now()),
        by_channel_status=sorted(by_channel_status, key=lambda c: (c.channel, c.status)),
        deliveries=deliveries,
        median_seconds_to_send=await _median_seconds_to_send(period),
        backlog=await read_backlog(now=now),
        failures=failures,
    )


@dataclass(frozen=True)
class OutboxPulse:
    """What a Prometheus scrape needs, read with three small indexed queries."""

    backlog: Backlog
    recent: list[ChannelStatusCount]


async def read_outbox_pulse(
    *, now: datetime | None = None, window: timedelta = timedelta(hours=1)
) -> OutboxPulse:
    """The backlog and the messages of the last hour by channel and status, for every scrape."""
    now = as_utc(now or utc_now())
    recent = [
        ChannelStatusCount(str(channel), str(status), n)
        for channel, status, n in await OutboxMessage.filter(
            created_at__gte=now - window, created_at__lt=now
        )
        .annotate(n=Count("id"))
        .group_by("channel", "status")
        .values_list("channel", "status", "n")
    ]
    return OutboxPulse(backlog=await read_backlog(now=now), recent=recent)
