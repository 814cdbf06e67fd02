"""Who sees which statistics: supervisors and admins; a supervisor tied to an agency sees only
that agency's dossiers, whatever the request asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.errors import Forbidden, NotFound
from domain.local_time import as_utc, utc_now
from domain.policy import current_policy
from domain.staff.accounts import require_permission
from domain.staff.audit import StaffCaller
from domain.stats.dossiers import DossierStats, WeekFlow, compute_dossier_stats, count_weekly_flow
from domain.stats.online import OnlineStats, compute_online_stats
from domain.stats.outbox import OutboxHealth, compute_outbox_health
from domain.stats.periods import Period, make_period, month_period, weeks_of
from models import Agency
from models.enums import StaffRole


@dataclass(frozen=True)
class DossierDashboard:
    """The dossier side of the dashboard: figures, received against finished per week, and how
    much of it came online and how its review goes."""

    stats: DossierStats
    weekly: list[WeekFlow]
    agency: Agency | None
    online: OnlineStats


def _period(first_day: date | None, last_day: date | None, now: datetime) -> Period:
    """The asked days; a missing end is the end of the start's month, a missing start the first
    of the end's month, and by default the current month, the period leaders follow."""
    if first_day is None and last_day is None:
        today = now.astimezone(current_policy().timezone).date()
        return month_period(year=today.year, month=today.month)
    if first_day is None:
        assert last_day is not None
        return make_period(first_day=last_day.replace(day=1), last_day=last_day)
    if last_day is None:
        return make_period(
            first_day=first_day,
            last_day=month_period(year=first_day.year, month=first_day.month).last_day,
        )
    return make_period(first_day=first_day, last_day=last_day)


async def _scope(caller: StaffCaller, agency_code: str | None) -> Agency | None:
    require_permission(caller.user, "stats.read")
    code = (agency_code or "").strip()
    if caller.user.role == StaffRole.SUPERVISOR and caller.user.agency_id is not None:
        own = await Agency.get(id=caller.user.agency_id)
        if code and code.upper() != own.code.upper():
            raise Forbidden("stats_other_agency", "a supervisor sees their own agency only")
        return own
    if not code:
        return None
    agency = await Agency.get_or_none(code__iexact=code)
    if agency is None:
        raise NotFound("agency_not_found", "no agency with this code", agency=code)
    return agency


async def view_dossier_stats(
    *,
    caller: StaffCaller,
    first_day: date | None = None,
    last_day: date | None = None,
    agency_code: str | None = None,
    wait_hours: int,
    now: datetime | None = None,
) -> DossierDashboard:
    """Dossier statistics for a period as this staff member may see them; an application
    waiting for review more than `wait_hours` office hours is listed as waiting too long."""
    now = as_utc(now or utc_now())
    agency = await _scope(caller, agency_code)
    period = _period(first_day, last_day, now)
    agency_id = agency.id if agency else None
    return DossierDashboard(
        stats=await compute_dossier_stats(period=period, agency_id=agency_id, now=now),
        weekly=await count_weekly_flow(weeks=weeks_of(period), agency_id=agency_id),
        agency=agency,
        online=await compute_online_stats(
            period=period, agency_id=agency_id, now=now, wait_hours=wait_hours
        ),
    )


async def view_outbox_health(
    *,
    caller: StaffCaller,
    first_day: date | None = None,
    last_day: date | None = None,
    now: datetime | None = None,
) -> OutboxHealth:
    """Outbox health for a period: messages are the city's, not one agency's."""
    now = as_utc(now or utc_now())
    require_permission(caller.user, "stats.read")
    return await compute_outbox_health(period=_period(first_day, last_day, now), now=now)


@dataclass(frozen=True)
class Dashboard:
    dossiers: DossierDashboard
    outbox: OutboxHealth


async def view_dashboard(
    *,
    caller: StaffCaller,
    first_day: date | None = None,
    last_day: date | None = None,
    agency_code: str | None = None,
    wait_hours: int,
    now: datetime | None = None,
) -> Dashboard:
    """Everything the supervisors' page shows, under the same access rules as the API."""
    now = as_utc(now or utc_now())
    dossiers = await view_dossier_stats(
        caller=caller,
        first_day=first_day,
        last_day=last_day,
        agency_code=agency_code,
        wait_hours=wait_hours,
        now=now,
    )
    outbox = await view_outbox_health(
        caller=caller, first_day=first_day, last_day=last_day, now=now
    )
    return Dashboard(dossiers=dossiers, outbox=outbox)
