"""The supervisors' page at /console/dashboard: the same figures as /v1/staff/stats, as tables
and server-drawn SVG charts, in Vietnamese or English, printable."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.catalogue import has_text, localised_name, text
from domain.errors import DomainError
from domain.local_time import local_text
from domain.stats.access import Dashboard, view_dashboard
from mobile_api.console.charts import Bar, Series, bar_chart, line_chart
from mobile_api.console.review import office_hours
from mobile_api.console.routes import LOGIN_URL, _error_text, _redirect, _render
from mobile_api.console.session import console_language, console_staff
from mobile_api.staff_stats import read_day

FINISHED_COLOUR = "#1f5fa8"


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f} %"


def failure_reason(reason: str, language: str) -> str:
    """Reasons mgov itself gives (an opt-out, a test number) read in the page's language; a
    gateway's own words are shown as the gateway wrote them."""
    key = "dashboard.reason_" + reason.strip().lower().replace(" ", "_")
    return text(key, language) if has_text(key) else reason


def _charts(dashboard: Dashboard, language: str) -> dict[str, Any]:
    stats = dashboard.dossiers.stats
    on_time = bar_chart(
        title=text("dashboard.chart_on_time", language),
        bars=[
            Bar(
                label=f"{row.code} · {localised_name(row, language)}",
                share=row.figures.on_time_rate,
                text=percent(row.figures.on_time_rate),
            )
            for row in stats.by_agency
        ],
    )
    weekly = dashboard.dossiers.weekly
    flow = line_chart(
        title=text("dashboard.chart_weekly", language),
        x_labels=[week.week.first_day.strftime("%d/%m") for week in weekly],
        series=[
            Series(
                text("dashboard.received", language),
                [w.received for w in weekly],
                "#a3161a",
            ),
            Series(
                text("dashboard.finished", language),
                [w.finished for w in weekly],
                FINISHED_COLOUR,
                dashes="6 4",
            ),
        ],
    )
    return {"chart_on_time": on_time, "chart_weekly": flow}


async def dashboard(request: Request) -> Response:
    caller = await console_staff(request)
    if caller is None:
        return _redirect(LOGIN_URL)
    language = console_language(request)
    form = {
        "from": request.query_params.get("from", ""),
        "to": request.query_params.get("to", ""),
        "agency": request.query_params.get("agency", ""),
    }
    try:
        view = await view_dashboard(
            caller=caller,
            first_day=read_day(form["from"], "from"),
            last_day=read_day(form["to"], "to"),
            agency_code=form["agency"] or None,
            wait_hours=request.app.state.settings.review_wait_hours,
        )
    except DomainError as exc:
        context: dict[str, Any] = {"error": _error_text(request, exc), "view": None, "form": form}
        return _render(request, "dashboard.html", context, caller=caller, status_code=exc.status)
    context = {
        "error": None,
        "view": view,
        "form": form,
        "percent": percent,
        "hours": lambda hours: "—" if hours is None else office_hours(hours, language),
        "failure_reason": lambda reason: failure_reason(reason, language),
        "scoped": caller.user.agency_id is not None,
        "as_of": local_text(view.dossiers.stats.as_of, "%H:%M %d/%m/%Y"),
        **_charts(view, language),
    }
    return _render(request, "dashboard.html", context, caller=caller)


routes = [Route("/console/dashboard", dashboard, methods=["GET"])]
