"""Working-day arithmetic for dossier deadlines, in the office's local time.

Pure and database-free: the holidays come in as data (see `domain.holidays`), so every rule of the
deadline (weekends, public holidays, the afternoon cut-off, the stopped clock while the citizen
owes a supplement) can be checked without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A due date falls at the end of office hours, local time.
OFFICE_CLOSES = time(17, 0)

# The hours a one-stop office works: what "waiting N working hours for review" counts.
OFFICE_HOURS = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


def _weekdays_before(day: date) -> int:
    """Monday-to-Friday days from 1 Jan 0001 (a Monday) up to, not including, `day`.

    Lets a count over years cost one division instead of a walk over every day.
    """
    weeks, extra = divmod(day.toordinal() - 1, 7)
    return weeks * 5 + min(extra, 5)


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[date]
    tz: ZoneInfo
    cutoff: time = time(15, 0)
    closes: time = OFFICE_CLOSES

    def is_working_day(self, day: date) -> bool:
        """The deadline only runs on days the office is open."""
        return day.weekday() < _SATURDAY and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """Where a clock that cannot start or end on `day` goes instead."""
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def local(self, moment: datetime) -> datetime:
        """The office's wall clock decides the day; a naive time cannot be placed on it."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"naive datetime {moment.isoformat()}: a time zone is required")
        return moment.astimezone(self.tz)

    def start_day(self, received_at: datetime) -> date:
        """A dossier received after the cut-off or on a closed day counts from the next one."""
        moment = self.local(received_at)
        day = moment.date()
        if self.is_working_day(day) and moment.time() < self.cutoff:
            return day
        return self.next_working_day(day)

    def add_working_days(self, day: date, n: int) -> date:
        """Processing times are promised in working days, not calendar days."""
        if n < 0:
            raise ValueError(f"cannot add a negative number of working days: {n}")
        if n == 0:
            return day if self.is_working_day(day) else self.next_working_day(day)
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def due_at(self, received_at: datetime, processing_days: int) -> datetime:
        """The promised moment, stored in UTC so it compares with any other stored time."""
        day = self.add_working_days(self.start_day(received_at), processing_days)
        return datetime.combine(day, self.closes, tzinfo=self.tz).astimezone(UTC)

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days a stopped clock lost: those after `start`, up to `end`."""
        if end <= start:
            return 0
        weekdays = _weekdays_before(end + _ONE_DAY) - _weekdays_before(start + _ONE_DAY)
        closed = sum(1 for day in self.holidays if start < day <= end and day.weekday() < _SATURDAY)
        return weekdays - closed

    def resume_due_at(
        self, *, due_at: datetime, paused_at: datetime, resumed_at: datetime
    ) -> datetime:
        """The clock stops while the citizen owes a supplement: the due date moves by the wait."""
        due = self.local(due_at)
        waited = self.working_days_between(self.local(paused_at).date(), self.start_day(resumed_at))
        if waited == 0:
            return due.astimezone(UTC)
        day = self.add_working_days(due.date(), waited)
        return datetime.combine(day, due.time(), tzinfo=self.tz).astimezone(UTC)

    def working_days_taken(
        self, *, due_at: datetime, stopped_at: datetime, processing_days: int
    ) -> int:
        """Working days a dossier used, measured from its deadline (which already carries every
        pause for a supplement): finishing on the due day used exactly the statutory time."""
        due_day = self.local(due_at).date()
        stop_day = self.local(stopped_at).date()
        if stop_day <= due_day:
            return max(0, processing_days - self.working_days_between(stop_day, due_day))
        return processing_days + self.working_days_between(due_day, stop_day)

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Office hours on working days from `start` to `end`: a Friday-evening submission has
        waited no time by Monday 07:30. Walks the days, so callers bound the span."""
        begin, finish = self.local(start), self.local(end)
        seconds = 0.0
        day = begin.date()
        while day <= finish.date():
            if self.is_working_day(day):
                for opens, shuts in OFFICE_HOURS:
                    low = max(begin, datetime.combine(day, opens, self.tz))
                    high = min(finish, datetime.combine(day, shuts, self.tz))
                    seconds += max(0.0, (high - low).total_seconds())
            day += _ONE_DAY
        return seconds / 3600

    def waited_longer_before(self, end: datetime, hours: float) -> datetime:
        """The moment before which a start has waited more than `hours` office hours by `end`:
        the inverse of `working_hours_between`, so a query picks the long waits by their start
        alone. Walks back over the days the hours reach."""
        finish = self.local(end)
        remaining = timedelta(hours=hours)
        day = finish.date()
        while True:
            if self.is_working_day(day):
                for opens, shuts in reversed(OFFICE_HOURS):
                    low = datetime.combine(day, opens, self.tz)
                    high = min(finish, datetime.combine(day, shuts, self.tz))
                    if high <= low:
                        continue
                    if remaining < high - low:
                        return (high - remaining).astimezone(UTC)
                    remaining -= high - low
            day -= _ONE_DAY
