"""Statistics for supervisors and admins under /v1/staff/stats: parse the period, call one domain
function, render."""

from __future__ import annotations

from datetime import date

from domain.errors import InvalidInput
from domain.stats.access import view_dossier_stats, view_outbox_health
from mobile_api.access import staff
from mobile_api.endpoints import Call, Endpoint
from mobile_api.schemas.stats import (
    DossierStatsOut,
    DossierStatsQuery,
    OutboxHealthOut,
    PeriodQuery,
)


def read_day(value: str, name: str) -> date | None:
    """`?from=2026-11-01`: a local calendar day, or absent."""
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("invalid_date", f"{name} is not a date", field=name) from None


async def dossier_stats(call: Call) -> DossierStatsOut:
    query: DossierStatsQuery = call.query
    view = await view_dossier_stats(
        caller=call.staff,
        first_day=read_day(query.from_, "from"),
        last_day=read_day(query.to, "to"),
        agency_code=query.agency,
        wait_hours=call.request.app.state.settings.review_wait_hours,
    )
    return DossierStatsOut.of(view)


async def notification_stats(call: Call) -> OutboxHealthOut:
    query: PeriodQuery = call.query
    health = await view_outbox_health(
        caller=call.staff,
        first_day=read_day(query.from_, "from"),
        last_day=read_day(query.to, "to"),
    )
    return OutboxHealthOut.of(health)


TAG = "statistics"
PERIOD_FIELDS = {"first_day": "from", "last_day": "to"}  # the period's days, as asked
endpoints = [
    Endpoint(
        "GET",
        "/v1/staff/stats/dossiers",
        dossier_stats,
        "Dossier handling for the days from–to: totals, per agency, processing-time percentiles, "
        "received and finished per week, the 10 most overdue, the share received online and "
        "review's outcomes per agency and procedure, applications waiting for review longer "
        "than MGOV_REVIEW_WAIT_HOURS office hours (a supervisor tied to an agency sees that "
        "agency only)",
        TAG,
        query=DossierStatsQuery,
        response=DossierStatsOut,
        auth=staff("stats.read"),
        fields=PERIOD_FIELDS,
    ),
    Endpoint(
        "GET",
        "/v1/staff/stats/notifications",
        notification_stats,
        "Outbox health for the days from–to: messages by channel and status, delivery rates, "
        "median time to send, backlog, failures by reason",
        TAG,
        query=PeriodQuery,
        response=OutboxHealthOut,
        auth=staff("stats.read"),
        fields=PERIOD_FIELDS,
    ),
]
