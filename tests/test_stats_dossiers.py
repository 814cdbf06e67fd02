"""Dossier statistics on a generated November 2026 whose every figure is known in advance
(tests/stats_november.py)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.stats import compute_dossier_stats, count_weekly_flow, month_period, weeks_of
from domain.stats.ranks import nearest_rank_offset
from models import Dossier
from models.enums import DossierStatus
from tests.factories import make_agency, make_office, make_procedure
from tests.stats_november import NOW, build_november, local_at, move_at, receive_at


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
    monday = local_at(date(2026, 11, 2), 9)  # due Thu 5 Nov 17:00
    resumed = await receive_at(office, procedure, monday)
    await move_at(resumed, DossierStatus.NEEDS_SUPPLEMENT, local_at(date(2026, 11, 3), 10), "Thiếu")
    await move_at(resumed, DossierStatus.IN_PROGRESS, local_at(date(2026, 11, 6), 10))  # due Tue 10
    await move_at(resumed, DossierStatus.RESULT_READY, local_at(date(2026, 11, 10), 10))
    refused = await receive_at(office, procedure, monday)
    await move_at(refused, DossierStatus.NEEDS_SUPPLEMENT, local_at(date(2026, 11, 4), 10), "Thiếu")
    await move_at(
        refused, DossierStatus.REJECTED, local_at(date(2026, 11, 25), 10), "Không bổ sung"
    )
    rows = {
        d.id: (d.finished_late, d.working_days_taken, d.time_used_percent)
        for d in await Dossier.all()
    }
    assert rows[resumed.id] == (False, 3, 100)
    assert rows[refused.id] == (False, 2, 67)
