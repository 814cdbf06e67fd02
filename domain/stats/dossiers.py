"""How agencies handle their dossiers: flow figures for a period, the backlog as of now.

Flow (dossiers received in the period; dossiers whose handling ended in it, on time or late, and
how many working days they took) and stock (in progress, overdue, waiting for the citizen's
supplement, right now) are counted in SQL, grouped by agency, through indexes on `received_at`,
`finished_at` and `(status, due_at)`; no query walks the table in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.expressions import Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from domain.dossiers.lifecycle import CLOCK_RUNNING, HANDLED
from domain.holidays import load_working_calendar
from domain.local_time import as_utc, utc_now
from domain.stats.periods import Period
from domain.stats.ranks import read_percentile
from models import Agency, Dossier, Office
from models.enums import DossierStatus

MOST_OVERDUE = 10


@dataclass
class DossierFigures:
    """One agency's counts, or the total of several."""

    received: int = 0
    finished_on_time: int = 0
    finished_late: int = 0
    withdrawn: int = 0
    in_progress: int = 0
    overdue: int = 0
    waiting_supplement: int = 0

    @property
    def finished(self) -> int:
        return self.finished_on_time + self.finished_late

    @property
    def on_time_rate(self) -> float | None:
        """Share of handled dossiers finished by their deadline; None when none finished."""
        return self.finished_on_time / self.finished if self.finished else None

    def add(self, other: DossierFigures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class AgencyFigures:
    agency_id: int
    code: str
    name_vi: str
    name_en: str
    figures: DossierFigures


@dataclass(frozen=True)
class ProcessingTimes:
    """Working days taken by dossiers handled in the period, and the share of each procedure's
    statutory time they used (100 = all of it; the city's goal is 70 or less)."""

    finished: int
    median_days: int | None
    p90_days: int | None
    median_percent: int | None
    p90_percent: int | None


@dataclass(frozen=True)
class OverdueDossier:
    code: str
    status: DossierStatus
    agency_code: str
    procedure_code: str
    procedure_name_vi: str
    procedure_name_en: str
    received_at: datetime
    due_at: datetime
    working_days_overdue: int


@dataclass(frozen=True)
class DossierStats:
    period: Period
    agency_id: int | None
    as_of: datetime
    totals: DossierFigures
    by_agency: list[AgencyFigures]
    times: ProcessingTimes
    most_overdue: list[OverdueDossier] = field(default_factory=list)


def scope_dossiers(query: QuerySet[Dossier], agency_id: int | None) -> QuerySet[Dossier]:
    """One agency's dossiers, by its offices' ids, so the `(office_id, …)` indexes serve."""
    if agency_id is None:
        return query
    offices = Office.filter(agency_id=agency_id).values("id")
    return query.filter(office_id__in=Subquery(offices))


async def count_by_agency(query: QuerySet[Dossier], *by: str) -> list[tuple[Any, ...]]:
    """Counts per agency (and `by`): one GROUP BY, rows never leave the database."""
    keys = ("office__agency_id", *by)
    return await query.annotate(n=Count("id")).group_by(*keys).values_list(*keys, "n")


async def _figures_by_agency(
    *, period: Period, agency_id: int | None, now: datetime
) -> dict[int, DossierFigures]:
    figures: dict[int, DossierFigures] = defaultdict(DossierFigures)
    received = scope_dossiers(
        Dossier.filter(received_at__gte=period.start, received_at__lt=period.end), agency_id
    )
    for agency, n in await count_by_agency(received):
        figures[agency].received += n
    finished = scope_dossiers(
        Dossier.filter(finished_at__gte=period.start, finished_at__lt=period.end), agency_id
    )
    for agency, status, late, n in await count_by_agency(finished, "status", "finished_late"):
        if status == DossierStatus.WITHDRAWN:
            figures[agency].withdrawn += n
        elif status in HANDLED and late is not None:
            if late:
                figures[agency].finished_late += n
            else:
                figures[agency].finished_on_time += n
    open_now = scope_dossiers(
        Dossier.filter(status__in=[*CLOCK_RUNNING, DossierStatus.NEEDS_SUPPLEMENT]), agency_id
    )
    for agency, status, n in await count_by_agency(open_now, "status"):
        if status == DossierStatus.NEEDS_SUPPLEMENT:
            figures[agency].waiting_supplement += n
        else:
            figures[agency].in_progress += n
    overdue = scope_dossiers(
        Dossier.filter(status__in=list(CLOCK_RUNNING), due_at__lt=now), agency_id
    )
    for agency, n in await count_by_agency(overdue):
        figures[agency].overdue += n
    return figures


async def _processing_times(
    *, period: Period, agency_id: int | None, finished: int
) -> ProcessingTimes:
    """`finished` is the handled count already read: lateness and days are stored together."""
    handled = scope_dossiers(
        Dossier.filter(
            finished_at__gte=period.start,
            finished_at__lt=period.end,
            status__in=list(HANDLED),
            working_days_taken__isnull=False,
        ),
        agency_id,
    )
    days_count = finished
    percent_count = await handled.filter(time_used_percent__isnull=False).count()
    return ProcessingTimes(
        finished=days_count,
        median_days=await read_percentile(
            handled, field="working_days_taken", count=days_count, percent=50
        ),
        p90_days=await read_percentile(
            handled, field="working_days_taken", count=days_count, percent=90
        ),
        median_percent=await read_percentile(
            handled, field="time_used_percent", count=percent_count, percent=50
        ),
        p90_percent=await read_percentile(
            handled, field="time_used_percent", count=percent_count, percent=90
        ),
    )


async def list_most_overdue(
    *, agency_id: int | None = None, now: datetime | None = None, limit: int = MOST_OVERDUE
) -> list[OverdueDossier]:
    """The dossiers longest past their deadline: the first calls a supervisor makes."""
    now = as_utc(now or utc_now())
    rows = (
        await scope_dossiers(
            Dossier.filter(status__in=list(CLOCK_RUNNING), due_at__lt=now), agency_id
        )
        .order_by("due_at", "id")
        .limit(limit)
        .select_related("procedure", "office__agency")
    )
    calendar = await load_working_calendar(around=now)
    today = calendar.local(now).date()
    return [
        OverdueDossier(
            code=row.code,
            status=row.status,
            agency_code=row.office.agency.code,
            procedure_code=row.procedure.code,
            procedure_name_vi=row.procedure.name_vi,
            procedure_name_en=row.procedure.name_en,
            received_at=row.received_at,
            due_at=row.due_at,
            working_days_overdue=calendar.working_days_between(
                calendar.local(row.due_at).date(), today
            ),
        )
        for row in rows
    ]


async def compute_dossier_stats(
    *, period: Period, agency_id: int | None = None, now: datetime | None = None
) -> DossierStats:
    """Everything the supervisor dashboard shows about dossiers, for one period and optionally
    one agency (a supervisor scoped to an agency sees only its own)."""
    now = as_utc(now or utc_now())
    by_id = await _figures_by_agency(period=period, agency_id=agency_id, now=now)
    agencies = await Agency.filter(id__in=list(by_id)).order_by("code") if by_id else []
    by_agency = [
        AgencyFigures(agency.id, agency.code, agency.name_vi, agency.name_en, by_id[agency.id])
        for agency in agencies
    ]
    totals = DossierFigures()
    for row in by_agency:
        totals.add(row.figures)
    return DossierStats(
        period=period,
        agency_id=agency_id,
        as_of=now,
        totals=totals,
        by_agency=by_agency,
        times=await _processing_times(period=period, agency_id=agency_id, finished=totals.finished),
        most_overdue=await list_most_overdue(agency_id=agency_id, now=now),
    )


@dataclass(frozen=True)
class WeekFlow:
    week: Period
    received: int
    finished: int


async def count_weekly_flow(*, weeks: list[Period], agency_id: int | None = None) -> list[WeekFlow]:
    """Received against finished, week by week: two indexed counts a week."""
    flows = []
    for week in weeks:
        received = await scope_dossiers(
            Dossier.filter(received_at__gte=week.start, received_at__lt=week.end), agency_id
        ).count()
        finished = await scope_dossiers(
            Dossier.filter(
                finished_at__gte=week.start,
                finished_at__lt=week.end,
                status__in=list(HANDLED),
            ),
            agency_id,
        ).count()
        flows.append(WeekFlow(week, received, finished))
    return flows
