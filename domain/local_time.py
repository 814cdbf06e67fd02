"""The clock and the city's local time, as every rule reads them: UTC inside, local time in
what a citizen reads."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.policy import current_policy


def utc_now() -> datetime:
    return datetime.now(UTC)


def local_text(moment: datetime, pattern: str) -> str:
    """A moment as citizens read it: in the city's local time, in a Vietnamese date order."""
    return moment.astimezone(current_policy().timezone).strftime(pattern)


def as_utc(moment: datetime) -> datetime:
    """Datetimes we filter on, in UTC: Tortoise stores UTC, and SQLite compares the text, so a
    `+07:00` parameter would be compared wrongly against stored `+00:00` values."""
    return moment.astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The city's calendar day at `moment`: what "today" means in a date answer."""
    return moment.astimezone(current_policy().timezone).date()
