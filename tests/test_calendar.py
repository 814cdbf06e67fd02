"""Working-day deadlines on the 2026 Vietnamese calendar, against dates worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from domain.calendar import OFFICE_CLOSES, WorkingCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")

# Public holidays for civil servants in 2026 (the weekdays only; weekends are closed anyway).
HOLIDAYS_2026 = frozenset(
    {
        date(2026, 1, 1),  # Tết Dương lịch, Thursday
        date(2026, 2, 16),  # Tết Nguyên đán: Monday 16 ...
        date(2026, 2, 17),
        date(2026, 2, 18),
        date(2026, 2, 19),
        date(2026, 2, 20),  # ... to Friday 20 February
        date(2026, 4, 30),  # Reunification Day, Thursday
        date(2026, 5, 1),  # Labour Day, Friday
        date(2026, 9, 1),  # National Day, Tuesday (the adjacent day) ...
        date(2026, 9, 2),  # ... and Wednesday 2 September
    }
)

CAL = WorkingCalendar(holidays=HOLIDAYS_2026, tz=VN)


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """A moment on the office's wall clock."""
    return datetime(year, month, day, hour, minute, second, tzinfo=VN)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def assert_utc(result: datetime, expected: datetime) -> None:
    """Equal as an instant and written in UTC, as the database stores it."""
    assert result == expected
    assert result.tzinfo is UTC


# --- the data itself -------------------------------------------------------------------------


def test_the_test_calendar_has_the_weekdays_it_claims() -> None:
    weekdays = [d.strftime("%a") for d in sorted(HOLIDAYS_2026)]
    assert weekdays == ["Thu", "Mon", "Tue", "Wed", "Thu", "Fri", "Thu", "Fri", "Tue", "Wed"]
    assert CAL.cutoff == time(15, 0)
    assert CAL.closes == OFFICE_CLOSES == time(17, 0)


# --- working days ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 9), True),  # Monday
        (date(2026, 3, 13), True),  # Friday
        (date(2026, 3, 14), False),  # Saturday
        (date(2026, 3, 15), False),  # Sunday
        (date(2026, 2, 18), False),  # Wednesday of Tết
        (date(2026, 9, 2), False),  # National Day
        (date(2026, 9, 3), True),  # Thursday after National Day
    ],
)
def test_is_working_day(day: date, expected: bool) -> None:
    assert CAL.is_working_day(day) is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 9), date(2026, 3, 10)),  # Monday -> Tuesday
        (date(2026, 3, 13), date(2026, 3, 16)),  # Friday -> Monday
        (date(2026, 3, 14), date(2026, 3, 16)),  # Saturday -> Monday
        (date(2026, 2, 13), date(2026, 2, 23)),  # Friday before Tết -> Monday after it
        (date(2026, 4, 29), date(2026, 5, 4)),  # Wed before 30/4 and 1/5 -> Monday 4 May
        (date(2026, 12, 31), date(2027, 1, 1)),  # not in this holiday set: a plain Friday
    ],
)
def test_next_working_day_is_strictly_after(day: date, expected: date) -> None:
    assert CAL.next_working_day(day) == expected


def test_add_working_days() -> None:
    assert CAL.add_working_days(date(2026, 3, 9), 0) == date(2026, 3, 9)  # Monday stays
    assert CAL.add_working_days(date(2026, 3, 14), 0) == date(2026, 3, 16)  # Saturday -> Monday
    assert CAL.add_working_days(date(2026, 2, 17), 0) == date(2026, 2, 23)  # Tết -> after it
    assert CAL.add_working_days(date(2026, 3, 9), 1) == date(2026, 3, 10)
    assert CAL.add_working_days(date(2026, 3, 12), 2) == date(2026, 3, 16)  # Thu: Fri, Mon
    assert CAL.add_working_days(date(2026, 3, 14), 1) == date(2026, 3, 16)  # from a Saturday
    assert CAL.add_working_days(date(2026, 8, 28), 2) == date(2026, 9, 3)  # Fri: Mon 31, Thu 3
    # Mon 9 Mar + 20: four whole weeks, no holidays in between.
    assert CAL.add_working_days(date(2026, 3, 9), 20) == date(2026, 4, 6)


def test_add_working_days_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_days(date(2026, 3, 9), -1)


# --- local time ------------------------------------------------------------------------------


def test_local_converts_an_aware_datetime() -> None:
    moment = CAL.local(utc(2026, 11, 23, 20, 0))
    assert (moment.date(), moment.time()) == (date(2026, 11, 24), time(3, 0))
    assert moment.utcoffset() == timedelta(hours=7)


def test_naive_datetimes_are_refused_everywhere() -> None:
    naive = datetime(2026, 3, 9, 10, 0)
    with pytest.raises(ValueError, match="naive"):
        CAL.local(naive)
    with pytest.raises(ValueError, match="naive"):
        CAL.start_day(naive)
    with pytest.raises(ValueError, match="naive"):
        CAL.due_at(naive, 3)
    aware = at(2026, 3, 9, 10)
    with pytest.raises(ValueError, match="naive"):
        CAL.resume_due_at(due_at=naive, paused_at=aware, resumed_at=aware)
    with pytest.raises(ValueError, match="naive"):
        CAL.resume_due_at(due_at=aware, paused_at=naive, resumed_at=aware)
    with pytest.raises(ValueError, match="naive"):
        CAL.resume_due_at(due_at=aware, paused_at=aware, resumed_at=naive)


# --- when the clock starts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received_at", "expected"),
    [
        (at(2026, 3, 9, 9, 30), date(2026, 3, 9)),  # Monday morning
        (at(2026, 3, 9, 14, 59, 59), date(2026, 3, 9)),  # last second before the cut-off
        (at(2026, 3, 9, 15, 0), date(2026, 3, 10)),  # exactly 15:00 is after the cut-off
        (at(2026, 3, 13, 16, 30), date(2026, 3, 16)),  # Friday afternoon -> Monday
        (at(2026, 3, 14, 8, 0), date(2026, 3, 16)),  # Saturday morning -> Monday
        (at(2026, 3, 15, 23, 0), date(2026, 3, 16)),  # Sunday night -> Monday
        (at(2026, 2, 18, 9, 0), date(2026, 2, 23)),  # during Tết -> Monday after it
        (utc(2026, 11, 23, 20, 0), date(2026, 11, 24)),  # Mon 20:00 UTC is Tue 03:00 local
        (utc(2026, 11, 24, 7, 59), date(2026, 11, 24)),  # Tue 14:59 local
        (utc(2026, 11, 24, 8, 0), date(2026, 11, 25)),  # Tue 15:00 local
    ],
)
def test_start_day(received_at: datetime, expected: date) -> None:
    assert CAL.start_day(received_at) == expected


def test_start_day_follows_a_configured_cutoff() -> None:
    early = WorkingCalendar(holidays=HOLIDAYS_2026, tz=VN, cutoff=time(11, 30))
    assert early.start_day(at(2026, 3, 9, 11, 29)) == date(2026, 3, 9)
    assert early.start_day(at(2026, 3, 9, 11, 30)) == date(2026, 3, 10)


# --- due dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received_at", "days", "due_local"),
    [
        # Monday 09:30, 3 days: Tue, Wed, Thu.
        (at(2026, 3, 9, 9, 30), 3, at(2026, 3, 12, 17)),
        # Monday 15:00 counts from Tuesday: Wed, Thu, Fri.
        (at(2026, 3, 9, 15, 0), 3, at(2026, 3, 13, 17)),
        # Friday 16:30 counts from Monday 16: Tue 17, Wed 18.
        (at(2026, 3, 13, 16, 30), 2, at(2026, 3, 18, 17)),
        # Saturday and Sunday both count from Monday 16: Tue 17.
        (at(2026, 3, 14, 8, 0), 1, at(2026, 3, 17, 17)),
        (at(2026, 3, 15, 10, 0), 1, at(2026, 3, 17, 17)),
        # Thursday 10:00 across the weekend: Fri 13, Mon 16.
        (at(2026, 3, 12, 10, 0), 2, at(2026, 3, 16, 17)),
        # Friday 13 Feb before Tết: 16-20 closed, 21-22 weekend -> Mon 23, Tue 24, Wed 25.
        (at(2026, 2, 13, 10, 0), 3, at(2026, 2, 25, 17)),
        # Tuesday 10 Feb, 10 days: 11, 12, 13, (Tết), 23, 24, 25, 26, 27, 2 Mar, 3 Mar.
        (at(2026, 2, 10, 9, 0), 10, at(2026, 3, 3, 17)),
        # Wednesday 29 Apr after the cut-off: 30/4, 1/5 and the weekend -> Mon 4 May, then Tue 5.
        (at(2026, 4, 29, 16, 0), 1, at(2026, 5, 5, 17)),
        # Received Tue 24 Nov 03:00 local (Mon 20:00 UTC), 2 days: Wed 25, Thu 26.
        (utc(2026, 11, 23, 20, 0), 2, at(2026, 11, 26, 17)),
    ],
)
def test_due_at(received_at: datetime, days: int, due_local: datetime) -> None:
    assert_utc(CAL.due_at(received_at, days), due_local)


def test_due_at_is_returned_in_utc() -> None:
    due = CAL.due_at(at(2026, 2, 13, 10, 0), 3)
    assert (due.date(), due.time()) == (date(2026, 2, 25), time(10, 0))
    assert due.tzinfo is UTC


@pytest.mark.parametrize(
    ("received_at", "due_local"),
    [
        (at(2026, 3, 9, 10, 0), at(2026, 3, 9, 17)),  # same day, before the cut-off
        (at(2026, 3, 9, 15, 30), at(2026, 3, 10, 17)),  # after the cut-off: next day
        (at(2026, 3, 13, 15, 0), at(2026, 3, 16, 17)),  # Friday after the cut-off: Monday
        (at(2026, 3, 14, 9, 0), at(2026, 3, 16, 17)),  # Saturday: Monday
        (at(2026, 2, 13, 15, 30), at(2026, 2, 23, 17)),  # Friday before Tết, late: after Tết
    ],
)
def test_same_day_procedures(received_at: datetime, due_local: datetime) -> None:
    assert_utc(CAL.due_at(received_at, 0), due_local)


def test_due_at_refuses_negative_processing_days() -> None:
    with pytest.raises(ValueError, match="negative"):
        CAL.due_at(at(2026, 3, 9, 10), -1)


def test_due_at_uses_a_configured_closing_time() -> None:
    short = WorkingCalendar(holidays=HOLIDAYS_2026, tz=VN, closes=time(16, 30))
    assert_utc(short.due_at(at(2026, 3, 9, 10), 1), utc(2026, 3, 10, 9, 30))


def test_a_received_time_in_another_zone_is_placed_on_the_local_clock() -> None:
    # 16:30 in Tokyo (UTC+9) is 14:30 in Hà Nội: before the cut-off, so Monday counts.
    tokyo = timezone(timedelta(hours=9))
    received = datetime(2026, 3, 9, 16, 30, tzinfo=tokyo)
    assert CAL.start_day(received) == date(2026, 3, 9)
    assert_utc(CAL.due_at(received, 1), at(2026, 3, 10, 17))


# --- counting working days -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 3, 9), date(2026, 3, 9), 0),  # same day
        (date(2026, 3, 9), date(2026, 3, 10), 1),  # Mon -> Tue
        (date(2026, 3, 13), date(2026, 3, 16), 1),  # Fri -> Mon: only Monday counts
        (date(2026, 3, 13), date(2026, 3, 15), 0),  # Fri -> Sun
        (date(2026, 3, 14), date(2026, 3, 15), 0),  # Sat -> Sun
        (date(2026, 3, 9), date(2026, 3, 23), 10),  # two whole weeks
        (date(2026, 2, 12), date(2026, 2, 23), 2),  # Thu 12 Feb -> Mon 23 Feb: Fri 13, Mon 23
        (date(2026, 2, 13), date(2026, 2, 22), 0),  # the whole Tết break
        (date(2026, 8, 28), date(2026, 9, 3), 2),  # Mon 31 Aug and Thu 3 Sep
        (date(2025, 12, 31), date(2026, 12, 31), 251),  # 261 weekdays in 2026, 10 holidays
        (date(2026, 3, 16), date(2026, 3, 13), 0),  # reversed
        (date(2026, 2, 23), date(2026, 2, 12), 0),  # reversed across Tết
    ],
)
def test_working_days_between(start: date, end: date, expected: int) -> None:
    assert CAL.working_days_between(start, end) == expected


def test_working_days_between_agrees_with_counting_day_by_day() -> None:
    first = date(2026, 1, 20)
    days = [first + timedelta(days=i) for i in range(50)]
    for start in days:
        for end in days:
            by_hand = sum(
                1
                for i in range(1, (end - start).days + 1)
                if CAL.is_working_day(start + timedelta(days=i))
            )
            assert CAL.working_days_between(start, end) == by_hand, (start, end)


def test_adding_then_counting_gives_back_the_same_number() -> None:
    start = date(2026, 2, 10)
    for n in range(0, 300, 7):
        assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


# --- the stopped clock -----------------------------------------------------------------------


def test_a_pause_over_a_weekend_moves_the_due_date_by_the_monday() -> None:
    # Due Wed 18 Mar; paused Fri 13 Mar 10:00, resumed Mon 16 Mar 09:00: Monday was lost.
    moved = CAL.resume_due_at(
        due_at=at(2026, 3, 18, 17), paused_at=at(2026, 3, 13, 10), resumed_at=at(2026, 3, 16, 9)
    )
    assert_utc(moved, at(2026, 3, 19, 17))


def test_a_resume_after_the_cutoff_also_loses_that_day() -> None:
    # Resumed Mon 16 Mar 16:00 counts from Tuesday: Mon 16 and Tue 17 lost -> Wed 18 + 2 = Fri 20.
    moved = CAL.resume_due_at(
        due_at=at(2026, 3, 18, 17), paused_at=at(2026, 3, 13, 10), resumed_at=at(2026, 3, 16, 16)
    )
    assert_utc(moved, at(2026, 3, 20, 17))


def test_a_pause_and_resume_on_the_same_morning_moves_nothing() -> None:
    due = at(2026, 3, 12, 17)
    moved = CAL.resume_due_at(
        due_at=due, paused_at=at(2026, 3, 9, 9), resumed_at=at(2026, 3, 9, 14, 59)
    )
    assert_utc(moved, utc(2026, 3, 12, 10))


def test_a_pause_spanning_tet() -> None:
    # Received Tue 10 Feb 09:00 with 10 days: due Tue 3 Mar (see test_due_at).
    due = CAL.due_at(at(2026, 2, 10, 9), 10)
    assert_utc(due, at(2026, 3, 3, 17))
    # Paused Thu 12 Feb, resumed Mon 23 Feb 09:00: Fri 13 and Mon 23 lost, Tết and weekends not.
    moved = CAL.resume_due_at(
        due_at=due, paused_at=at(2026, 2, 12, 14), resumed_at=at(2026, 2, 23, 9)
    )
    assert_utc(moved, at(2026, 3, 5, 17))


def test_the_moved_due_date_skips_holidays() -> None:
    # Due Mon 31 Aug; one day lost (Fri 28 Aug) -> past 1-2 Sep to Thu 3 Sep.
    moved = CAL.resume_due_at(
        due_at=at(2026, 8, 31, 17), paused_at=at(2026, 8, 27, 10), resumed_at=at(2026, 8, 28, 10)
    )
    assert_utc(moved, at(2026, 9, 3, 17))


def test_the_moved_due_date_keeps_its_local_time_and_date() -> None:
    # Due Fri 13 Mar 06:00 local, which is Thu 12 Mar 23:00 UTC. One day lost moves it to
    # Mon 16 Mar 06:00 local (Sun 15 Mar 23:00 UTC), not to Friday 23:00 UTC (a Saturday here).
    moved = CAL.resume_due_at(
        due_at=utc(2026, 3, 12, 23, 0),
        paused_at=at(2026, 3, 9, 10),
        resumed_at=at(2026, 3, 10, 10),
    )
    assert_utc(moved, utc(2026, 3, 15, 23, 0))


# --- waiting in office hours -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "hours", "cutoff"),
    [
        (at(2026, 3, 10, 10, 0), 2, at(2026, 3, 10, 8, 0)),  # within one morning
        (at(2026, 3, 10, 14, 0), 2, at(2026, 3, 10, 10, 30)),  # back over the lunch break
        # Exactly one afternoon: a start at 13:00 or in the lunch break has waited 4 hours, not
        # more; only a start before the morning's end has waited longer.
        (at(2026, 3, 10, 17, 0), 4, at(2026, 3, 10, 11, 30)),
        (at(2026, 3, 9, 9, 30), 8, at(2026, 3, 6, 9, 30)),  # Monday morning back to Friday
        (at(2026, 3, 7, 22, 0), 1, at(2026, 3, 6, 16, 0)),  # a Saturday night: Friday's end
        (at(2026, 2, 23, 8, 30), 2, at(2026, 2, 13, 16, 0)),  # back over the Tết week
    ],
)
def test_waited_longer_before(end: datetime, hours: int, cutoff: datetime) -> None:
    found = CAL.waited_longer_before(end, hours)
    assert_utc(found, cutoff.astimezone(UTC))


def test_waited_longer_before_inverts_working_hours_between() -> None:
    end = at(2026, 4, 30, 10, 15)  # a holiday morning
    for hours in (1, 3.5, 4, 8, 12, 40):
        cutoff = CAL.waited_longer_before(end, hours)
        assert CAL.working_hours_between(cutoff, end) == pytest.approx(hours)
        assert CAL.working_hours_between(cutoff - timedelta(minutes=1), end) > hours
        later = cutoff + timedelta(minutes=1)
        assert CAL.working_hours_between(later, end) <= hours
