"""Periods statistics are asked for: half-open ranges of moments, cut on local days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from domain.errors import InvalidInput
from domain.policy import current_policy

# A dashboard asks about a month or a quarter; a year of weeks is the widest chart we draw.
MAX_PERIOD_DAYS = 366
# mgov's records start in this century; outside it, local midnights overflow `datetime`.
YEARS = range(2000, 2101)


def _check_years(**years: int) -> None:
    """Each year given by name lies in YEARS; the first that does not is the field refused."""
    for name, year in years.items():
        if year not in YEARS:
            raise InvalidInput(
                "period_out_of_range",
                "a period lies in 2000-2100",
                field=name,
                first=YEARS[0],
                last=YEARS[-1],
            )


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC, as the database compares stored times."""

    start: datetime
    end: datetime
    first_day: date
    last_day: date


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=current_policy().timezone).astimezone(UTC)


def make_period(*, first_day: date, last_day: date) -> Period:
    """From the first to the last local day, both included: how people name a period."""
    # The end first: a period asked by its end alone starts in the same year.
    _check_years(last_day=last_day.year, first_day=first_day.year)
    if last_day < first_day:
        raise InvalidInput("period_reversed", "the period ends before it starts", field="last_day")
    if (last_day - first_day).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(
            "period_too_long",
            "a period spans at most a year",
            field="last_day",
            days=MAX_PERIOD_DAYS,
        )
    return Period(
        start=_local_midnight(first_day),
        end=_local_midnight(last_day + timedelta(days=1)),
        first_day=first_day,
        last_day=last_day,
    )


def month_period(*, year: int, month: int) -> Period:
    """A calendar month, the period leaders compare."""
    _check_years(first_day=year)
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return make_period(first_day=first, last_day=following - timedelta(days=1))


def weeks_of(period: Period) -> list[Period]:
    """The Monday-to-Sunday weeks that touch the period, clipped to it, for the weekly chart."""
    weeks = []
    day = period.first_day
    while day <= period.last_day:
        sunday = day + timedelta(days=6 - day.weekday())
        last = min(sunday, period.last_day)
        weeks.append(make_period(first_day=day, last_day=last))
        day = last + timedelta(days=1)
    return weeks
