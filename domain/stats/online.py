"""How the city's services go online, per agency and per procedure: the share of dossiers that
began as an online application, the applications waiting for an officer's review (and how long
the oldest has waited, in office hours), and what review decided.

- *Received online*: dossiers received in the period with `submitted_online`, over all dossiers
  received in it, whatever the door (app, USSD, SMS, counter).
- *Waiting*: applications submitted and not yet decided, right now (a stock, like dossiers in
  progress), whatever the period.
- *Decided*: applications an officer decided in the period, in three outcomes that add up to
  all of them: accepted, refused, sent back for supplement. An application sent back is also
  received into a dossier at once (its clock stops at the same moment), so it is `accepted` in
  the model; review stamps its supplement request with the decision's own moment
  (`request_supplement`), and that equality counts it as sent back instead. A supplement asked
  later, while the dossier is in processing, does not change what review decided: the dossier
  figures count it (`waiting_supplement`). A citizen's withdrawal decides nothing and is left out.

Every count is one grouped query; only the per-group oldest waits are put in office hours here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import F
from tortoise.functions import Count, Min
from tortoise.queryset import QuerySet

from domain.calendar import WorkingCalendar
from domain.holidays import load_working_calendar
from domain.stats.dossiers import count_by_agency, scope_dossiers
from domain.stats.periods import Period
from models import Agency, Application, Dossier, Procedure
from models.enums import ApplicationChannel, ApplicationStatus

LONG_WAITS = 20


@dataclass
class OnlineFigures:
    """One procedure's counts at one agency, or the total of several."""

    received: int = 0
    received_online: int = 0
    waiting: int = 0
    oldest_waiting_hours: float | None = None
    accepted: int = 0
    refused: int = 0
    sent_back: int = 0

    @property
    def online_share(self) -> float | None:
        return self.received_online / self.received if self.received else None

    @property
    def decided(self) -> int:
        return self.accepted + self.refused + self.sent_back

    def share_of_decided(self, count: int) -> float | None:
        return count / self.decided if self.decided else None

    def add(self, other: OnlineFigures) -> None:
        for name in ("received", "received_online", "waiting", "accepted", "refused", "sent_back"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        waits = [
            w for w in (self.oldest_waiting_hours, other.oldest_waiting_hours) if w is not None
        ]
        self.oldest_waiting_hours = max(waits) if waits else None


@dataclass(frozen=True)
class ProcedureOnline:
    code: str
    name_vi: str
    name_en: str
    figures: OnlineFigures


@dataclass(frozen=True)
class AgencyOnline:
    code: str
    name_vi: str
    name_en: str
    figures: OnlineFigures
    procedures: list[ProcedureOnline]


@dataclass(frozen=True)
class LongWait:
    """An application waiting for review longer than the city allows. No citizen's name: a
    supervisor reads figures, not files."""

    application_id: int
    agency_code: str
    procedure_code: str
    procedure_name_vi: str
    procedure_name_en: str
    channel: ApplicationChannel
    submitted_at: datetime
    waiting_hours: float


@dataclass(frozen=True)
class OnlineStats:
    totals: OnlineFigures
    by_agency: list[AgencyOnline]
    wait_hours: int
    waiting_too_long: int
    longest_waits: list[LongWait]


Key = tuple[int, int]  # (agency id, procedure id)


def _applications(agency_id: int | None) -> QuerySet[Application]:
    query = Application.all()
    return query if agency_id is None else query.filter(agency_id=agency_id)


async def _count(query: QuerySet[Application], *by: str) -> list[tuple[Any, ...]]:
    keys = ("agency_id", "procedure_id", *by)
    return (
        await query.annotate(n=Count("id", distinct=True)).group_by(*keys).values_list(*keys, "n")
    )


async def _figures(
    *, period: Period, agency_id: int | None, now: datetime, calendar: WorkingCalendar
) -> dict[Key, OnlineFigures]:
    figures: dict[Key, OnlineFigures] = defaultdict(OnlineFigures)
    received = scope_dossiers(
        Dossier.filter(received_at__gte=period.start, received_at__lt=period.end), agency_id
    )
    for agency, procedure, online, n in await count_by_agency(
        received, "procedure_id", "submitted_online"
    ):
        figures[(agency, procedure)].received += n
        if online:
            figures[(agency, procedure)].received_online += n
    waiting = (
        _applications(agency_id)
        .filter(status=ApplicationStatus.SUBMITTED)
        .annotate(n=Count("id"), oldest=Min("submitted_at"))
        .group_by("agency_id", "procedure_id")
        .values_list("agency_id", "procedure_id", "n", "oldest")
    )
    for agency, procedure, n, oldest in await waiting:
        figures[(agency, procedure)].waiting = n
        figures[(agency, procedure)].oldest_waiting_hours = calendar.working_hours_between(
            oldest, now
        )
    decided = _applications(agency_id).filter(
        decided_at__gte=period.start,
        decided_at__lt=period.end,
        status__in=[ApplicationStatus.ACCEPTED, ApplicationStatus.REFUSED],
    )
    for agency, procedure, status, n in await _count(decided, "status"):
        if status == ApplicationStatus.REFUSED:
            figures[(agency, procedure)].refused += n
        else:
            figures[(agency, procedure)].accepted += n
    sent_back = decided.filter(
        status=ApplicationStatus.ACCEPTED,
        dossier__supplement_requests__requested_at=F("decided_at"),
    )
    for agency, procedure, n in await _count(sent_back):
        figures[(agency, procedure)].accepted -= n
        figures[(agency, procedure)].sent_back += n
    return figures


async def _by_agency(figures: dict[Key, OnlineFigures]) -> list[AgencyOnline]:
    agencies = {a.id: a for a in await Agency.filter(id__in={a for a, _ in figures})}
    procedures = {p.id: p for p in await Procedure.filter(id__in={p for _, p in figures})}
    rows: dict[int, list[ProcedureOnline]] = defaultdict(list)
    for (agency_id, procedure_id), counted in figures.items():
        procedure = procedures[procedure_id]
        rows[agency_id].append(
            ProcedureOnline(procedure.code, procedure.name_vi, procedure.name_en, counted)
        )
    result = []
    for agency_id, procedure_rows in rows.items():
        agency = agencies[agency_id]
        total = OnlineFigures()
        for row in procedure_rows:
            total.add(row.figures)
        procedure_rows.sort(key=lambda row: row.code)
        result.append(
            AgencyOnline(agency.code, agency.name_vi, agency.name_en, total, procedure_rows)
        )
    return sorted(result, key=lambda row: row.code)


async def list_long_waits(
    *,
    agency_id: int | None,
    now: datetime,
    wait_hours: int,
    calendar: WorkingCalendar,
    limit: int = LONG_WAITS,
) -> tuple[int, list[LongWait]]:
    """How many applications have waited longer than `wait_hours` office hours, and the oldest
    of them: the reviews a supervisor chases first."""
    before = calendar.waited_longer_before(now, wait_hours)
    query = _applications(agency_id).filter(
        status=ApplicationStatus.SUBMITTED, submitted_at__lt=before
    )
    count = await query.count()
    rows = (
        await query.order_by("submitted_at", "id")
        .limit(limit)
        .select_related("agency", "procedure")
    )
    waits = [
        LongWait(
            application_id=row.id,
            agency_code=row.agency.code,
            procedure_code=row.procedure.code,
            procedure_name_vi=row.procedure.name_vi,
            procedure_name_en=row.procedure.name_en,
            channel=row.channel,
            submitted_at=row.submitted_at,
            waiting_hours=calendar.working_hours_between(row.submitted_at, now),
        )
        for row in rows
        if row.submitted_at is not None
    ]
    return count, waits


async def compute_online_stats(
    *, period: Period, agency_id: int | None, now: datetime, wait_hours: int
) -> OnlineStats:
    """The online side of the supervisors' figures, for one period and optionally one agency."""
    calendar = await load_working_calendar(around=now)
    figures = await _figures(period=period, agency_id=agency_id, now=now, calendar=calendar)
    by_agency = await _by_agency(figures)
    totals = OnlineFigures()
    for row in by_agency:
        totals.add(row.figures)
    count, waits = await list_long_waits(
        agency_id=agency_id, now=now, wait_hours=wait_hours, calendar=calendar
    )
    return OnlineStats(
        totals=totals,
        by_agency=by_agency,
        wait_hours=wait_hours,
        waiting_too_long=count,
        longest_waits=waits,
    )
