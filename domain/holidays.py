"""The working calendar as configured: public holidays are rows, the rest is policy."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from domain.calendar import WorkingCalendar
from domain.policy import current_policy
from models import Holiday

# Wide enough for the longest procedure plus a long wait for a supplement.
_LOOKBACK = timedelta(days=400)
_LOOKAHEAD = timedelta(days=800)


async def load_working_calendar(*, around: datetime) -> WorkingCalendar:
    """The calendar with the holidays near `around`: a few dozen rows, read per change."""
    day = around.date()
    # Tortoise types a flat values_list as a list of tuples; it holds the days themselves.
    rows: list[Any] = await Holiday.filter(
        day__gte=day - _LOOKBACK, day__lte=day + _LOOKAHEAD
    ).values_list("day", flat=True)
    policy = current_policy()
    return WorkingCalendar(
        holidays=frozenset(d for d in rows if isinstance(d, date)),
        tz=policy.timezone,
        cutoff=policy.afternoon_cutoff,
    )


async def add_holiday(*, day: date, name_vi: str, name_en: str) -> Holiday:
    holiday, _ = await Holiday.update_or_create(
        day=day, defaults={"name_vi": name_vi, "name_en": name_en}
    )
    return holiday
