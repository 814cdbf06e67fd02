"""Dossier statistics on a generated November 2026 whose every figure is known in advance.

No holidays, Monday 2 November is the first working day; a dossier received at 09:00 on day D
and finished at 10:00 on the k-th working day after D took exactly k working days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.calendar import WorkingCalendar
from domain.dossiers import Actor, move_dossier, receive_dossier
from domain.stats import compute_dossier_stats, count_weekly_flow, month_period, weeks_of
from domain.stats.ranks import nearest_rank_offset
from models import Agency, Dossier, Office, Procedure
from models.enums import ActorKind, DossierStatus
from tests.factories import make_agency, make_citizen, make_office, make_procedure

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICER = Actor(ActorKind.STAFF, "officer-1")
CALENDAR = WorkingCalendar(holidays=frozenset(), tz=HCM)
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=HCM)

# Working days taken by the dossiers each agency finished in November (answers below).
WARD_DAYS = [1, 1, 2, 2, 3, 3, 3, 4, 5, 6]  # 3-day procedure: 7 on time, 3 late
DEPARTMENT_DAYS = [2, 5, 5, 7, 10]  # 5-day procedure: 3 on time, 2 late (+1 from October)


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=HCM)


async def _dossier(office: Office, procedure: Procedure, received: datetime) -> Dossier:
    citizen = await make_citizen()
    return await receive_dossier(
        citizen=citizen, procedure=procedure, office=office, actor=OFFICER, received_at=received
    )


async def _move(dossier: Dossier, status: DossierStatus, at: datetime, note: str = "") -> None:
    await move_dossier(dossier_id=dossier.id, to_status=status, actor=OFFICER, at=at, note=note)


async def _finish_after(dossier: Dossier, received: datetime, working_days: int) -> None:
    day = CALENDAR.add_working_days(received.date(), working_days)
    await _move(dossier, DossierStatus.IN_PROGRESS, received + timedelta(minutes=30))
    await _move(dossier, DossierStatus.RESULT_READY, _at(day, 10))


async def build_november() -> tuple[Agency, Agency]:
    ward = await make_agency("H29.99", "UBND phường Sài Gòn")
    department = await make_agency("H29.12", "Sở Tư pháp")
    ward_office, department_office = await make_office(ward), await make_office(department)
    three_days = await make_procedure(ward, code="2.000720", days=3)
    ten_days = await make_procedure(ward, code="1.009972", days=10)
    five_days = await make_procedure(department, code="2.000488", days=5)
    monday = _at(date(2026, 11, 2), 9)
    for days in WARD_DAYS:
        await _finish_after(await _dossier(ward_office, three_days, monday), monday, days)
    for days in DEPARTMENT_DAYS:
        await _finish_after(await _dossier(department_office, five_days, monday), monday, days)
    # Received in October, finished on its due day in November: finished, not received, here.
    october = _at(date(2026, 10, 26), 9)
    await _finish_after(await _dossier(department_office, five_days, october), october, 5)
    # Saturday 31 October 23:30 local is still October (16:30 UTC), and it is overdue now.
    late_saturday = datetime(2026, 10, 31, 23, 30, tzinfo=HCM)
    await _dossier(department_office, five_days, late_saturday)
    # Open work received in November.
    await _dossier(ward_office, three_days, monday)  # overdue, never started
    started = await _dossier(ward_office, three_days, monday)
    await _move(started, DossierStatus.IN_PROGRESS, monday + timedelta(hours=1))  # overdue
    await _dossier(ward_office, ten_days, _at(date(2026, 11, 16), 9))  # due 30 Nov
    await _dossier(department_office, five_days, monday)  # overdue
    waiting = await _dossier(ward_office, three_days, monday)
    await _move(waiting, DossierStatus.NEEDS_SUPPLEMENT, _at(date(2026, 11, 3), 9), "Thiếu CCCD")
    withdrawn = await _dossier(ward_office, three_days, monday)
    await _move(withdrawn, DossierStatus.WITHDRAWN, _at(date(2026, 11, 3), 9))
    return ward, department


def test_nearest_rank_offsets():
    assert [nearest_rank_offset(count=n, percent=50) for n in (1, 2, 3, 4, 10)] == [0, 0, 1, 1, 4]
    assert [nearest_rank_offset(count=n, percent=90) for n in (1, 6, 10, 16)] == [0, 5, 8, 14]


async def test_november_figures_for_the_whole_city(db):
    ward, department = await build_november()
    stats = await compute_dossier_stats(period=month_period(year=2026, month=11), now=NOW)
    totals = stats.totals
    assert (totals.received, totals.finished_on_time, totals.finished_late) == (21, 11, 5)
    assert (totals.in_progress, totals.overdue, totals.waiting_supplement) == (5, 4, 1)
    assert totals.withdrawn == 1
    assert totals.on_time_rate == pytest.approx(11 / 16)
    # Days, all 16 sorted: 1 1 2 2 2 3 3 3 4 5 5 5 5 6 7 10 -> 8th and 15th values.
    assert (stats.times.finished, stats.times.median_days, stats.times.p90_days) == (16, 3, 7)
    # Share of the statutory time: 33 33 40 67 67 100×6 133 140 167 200 200.
    assert (stats.times.median_percent, stats.times.p90_percent) == (100, 200)

    rows = {row.code: row.figures for row in stats.by_agency}
    assert list(rows) == ["H29.12", "H29.99"]
    ward_row, department_row = rows["H29.99"], rows["H29.12"]
    assert (ward_row.received, ward_row.finished_on_time, ward_row.finished_late) == (15, 7, 3)
    assert (ward_row.in_progress, ward_row.overdue, ward_row.waiting_supplement) == (3, 2, 1)
    assert ward_row.withdrawn == 1
    assert (department_row.received, department_row.finished_on_time) == (6, 4)
    assert (department_row.finished_late, department_row.in_progress) == (2, 2)
    assert (department_row.overdue, department_row.waiting_supplement) == (2, 0)


async def test_a_scoped_view_counts_one_agency_only(db):
    ward, department = await build_november()
    november = month_period(year=2026, month=11)
    stats = await compute_dossier_stats(period=november, agency_id=department.id, now=NOW)
    assert [row.code for row in stats.by_agency] == ["H29.12"]
    assert (stats.totals.received, stats.totals.finished, stats.totals.overdue) == (6, 6, 2)
    # Days 2 5 5 5 7 10: median is the 3rd, the 90th percentile the 6th.
    assert (stats.times.median_days, stats.times.p90_days) == (5, 10)
    assert (stats.times.median_percent, stats.times.p90_percent) == (100, 200)
    assert {d.agency_code for d in stats.most_overdue} == {"H29.12"}

    ward_stats = await compute_dossier_stats(period=november, agency_id=ward.id, now=NOW)
    assert (ward_stats.times.median_days, ward_stats.times.p90_days) == (3, 5)
    assert (ward_stats.times.median_percent, ward_stats.times.p90_percent) == (100, 167)
    assert ward_stats.totals.received == 15


async def test_most_overdue_come_first_with_working_days_late(db):
    await build_november()
    stats = await compute_dossier_stats(period=month_period(year=2026, month=11), now=NOW)
    overdue = [(d.agency_code, d.working_days_overdue) for d in stats.most_overdue]
    # Ward dossiers were due Thu 5 Nov (11 working days ago), the department's Mon 9 Nov (9).
    assert overdue == [("H29.99", 11), ("H29.99", 11), ("H29.12", 9), ("H29.12", 9)]
    assert stats.most_overdue[0].procedure_code == "2.000720"


async def test_weekly_flow_of_received_and_finished(db):
    await build_november()
    november = month_period(year=2026, month=11)
    weeks = weeks_of(november)
    assert [w.first_day.day for w in weeks] == [1, 2, 9, 16, 23, 30]
    flow = [(f.received, f.finished) for f in await count_weekly_flow(weeks=weeks)]
    # Finished on working day k after Mon 2 Nov: k 1-4 that week (9, and the October dossier
    # finished Mon 2 Nov), k 5-9 the next, k 10 the third.
    assert flow == [(0, 0), (20, 10), (0, 5), (1, 1), (0, 0), (0, 0)]


async def test_a_pause_moves_the_deadline_and_a_refusal_while_paused_is_on_time(db):
    agency = await make_agency()
    office = await make_office(agency)
    procedure = await make_procedure(agency, days=3)
    monday = _at(date(2026, 11, 2), 9)  # due Thu 5 Nov 17:00
    resumed = await _dossier(office, procedure, monday)
    await _move(resumed, DossierStatus.NEEDS_SUPPLEMENT, _at(date(2026, 11, 3), 10), "Thiếu")
    await _move(resumed, DossierStatus.IN_PROGRESS, _at(date(2026, 11, 6), 10))  # due Tue 10
    await _move(resumed, DossierStatus.RESULT_READY, _at(date(2026, 11, 10), 10))
    refused = await _dossier(office, procedure, monday)
    await _move(refused, DossierStatus.NEEDS_SUPPLEMENT, _at(date(2026, 11, 4), 10), "Thiếu")
    await _move(refused, DossierStatus.REJECTED, _at(date(2026, 11, 25), 10), "Không bổ sung")
    rows = {
        d.id: (d.finished_late, d.working_days_taken, d.time_used_percent)
        for d in await Dossier.all()
    }
    assert rows[resumed.id] == (False, 3, 100)
    assert rows[refused.id] == (False, 2, 67)
