"""Statistics for supervisors and admins under /v1/staff/stats: parse the period, call one domain
function, render JSON."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.errors import InvalidInput
from domain.stats.access import DossierDashboard, view_dossier_stats, view_outbox_health
from domain.stats.dossiers import DossierFigures
from domain.stats.outbox import OutboxHealth
from domain.stats.periods import Period
from mobile_api.staff_auth import require_staff


def read_day(request: Request, name: str) -> date | None:
    """`?from=2026-11-01`: a local calendar day, or absent."""
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("invalid_date", f"{name} is not a date", field=name) from None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _period(period: Period) -> dict[str, str]:
    return {"from": period.first_day.isoformat(), "to": period.last_day.isoformat()}


def _figures(figures: DossierFigures) -> dict[str, Any]:
    rate = figures.on_time_rate
    return {
        "received": figures.received,
        "finished_on_time": figures.finished_on_time,
        "finished_late": figures.finished_late,
        "on_time_rate": round(rate, 4) if rate is not None else None,
        "withdrawn": figures.withdrawn,
        "in_progress": figures.in_progress,
        "overdue": figures.overdue,
        "waiting_supplement": figures.waiting_supplement,
    }


def dossier_stats_json(view: DossierDashboard) -> dict[str, Any]:
    stats = view.stats
    times = stats.times
    return {
        "period": _period(stats.period),
        "as_of": _iso(stats.as_of),
        "agency": view.agency.code if view.agency else None,
        "totals": _figures(stats.totals),
        "processing_time": {
            "finished": times.finished,
            "median_working_days": times.median_days,
            "p90_working_days": times.p90_days,
            "median_percent_of_statutory": times.median_percent,
            "p90_percent_of_statutory": times.p90_percent,
        },
        "agencies": [
            {
                "code": row.code,
                "name_vi": row.name_vi,
                "name_en": row.name_en,
                **_figures(row.figures),
            }
            for row in stats.by_agency
        ],
        "weekly": [
            {**_period(flow.week), "received": flow.received, "finished": flow.finished}
            for flow in view.weekly
        ],
        "most_overdue": [
            {
                "code": item.code,
                "status": item.status.value,
                "agency": item.agency_code,
                "procedure": item.procedure_code,
                "received_at": _iso(item.received_at),
                "due_at": _iso(item.due_at),
                "working_days_overdue": item.working_days_overdue,
            }
            for item in stats.most_overdue
        ],
    }


def outbox_health_json(health: OutboxHealth) -> dict[str, Any]:
    backlog = health.backlog
    return {
        "period": _period(health.period),
        "as_of": _iso(health.as_of),
        "messages": [
            {"channel": c.channel, "status": c.status, "count": c.count}
            for c in health.by_channel_status
        ],
        "deliveries": [
            {
                "provider": d.provider,
                "handed_over": d.handed_over,
                "delivered": d.delivered,
                "delivery_rate": round(d.delivery_rate, 4),
            }
            for d in health.deliveries
        ],
        "median_seconds_to_send": health.median_seconds_to_send,
        "backlog": {
            "queued": backlog.queued,
            "sending": backlog.sending,
            "oldest_queued_seconds": backlog.oldest_queued_seconds,
        },
        "failures": [{"reason": f.reason, "count": f.count} for f in health.failures],
    }


async def dossier_stats(request: Request) -> Response:
    caller = await require_staff(request)
    view = await view_dossier_stats(
        caller=caller,
        first_day=read_day(request, "from"),
        last_day=read_day(request, "to"),
        agency_code=request.query_params.get("agency"),
    )
    return JSONResponse(dossier_stats_json(view))


async def notification_stats(request: Request) -> Response:
    caller = await require_staff(request)
    health = await view_outbox_health(
        caller=caller, first_day=read_day(request, "from"), last_day=read_day(request, "to")
    )
    return JSONResponse(outbox_health_json(health))


routes = [
    Route("/v1/staff/stats/dossiers", dossier_stats, methods=["GET"]),
    Route("/v1/staff/stats/notifications", notification_stats, methods=["GET"]),
]
