"""Statistics for supervisors and admins: dossier handling per agency, and the outbox's health."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.stats.access import DossierDashboard
from domain.stats.dossiers import DossierFigures
from domain.stats.online import OnlineFigures, OnlineStats
from domain.stats.outbox import OutboxHealth
from domain.stats.periods import Period
from mobile_api.schemas.common import KeepsNulls


def _date_param(schema: dict[str, Any]) -> None:
    """An ISO date in the document; absent (not "") when not given."""
    schema.pop("default", None)
    schema["format"] = "date"


class PeriodQuery(BaseModel):
    """Days are local calendar days, parsed by the route so a bad one is a 422 `invalid_date`."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(
        default="", alias="from", json_schema_extra=_date_param, description="first day"
    )
    to: str = Field(default="", json_schema_extra=_date_param, description="last day")


class DossierStatsQuery(PeriodQuery):
    agency: str | None = Field(default=None, description="an agency code; admins and city-wide")


class PeriodOut(KeepsNulls):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date

    @classmethod
    def of(cls, period: Period) -> PeriodOut:
        return cls(from_=period.first_day, to=period.last_day)


class Figures(KeepsNulls):
    received: int
    finished_on_time: int
    finished_late: int
    on_time_rate: float | None = Field(description="share finished on time, 4 decimals")
    withdrawn: int
    in_progress: int
    overdue: int
    waiting_supplement: int

    @classmethod
    def fields_of(cls, figures: DossierFigures) -> dict[str, int | float | None]:
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


class AgencyFiguresOut(Figures):
    code: str
    name_vi: str
    name_en: str


class ProcessingTime(KeepsNulls):
    finished: int
    median_working_days: int | None
    p90_working_days: int | None
    median_percent_of_statutory: int | None
    p90_percent_of_statutory: int | None


class WeekOut(PeriodOut):
    received: int
    finished: int


class OverdueOut(KeepsNulls):
    code: str
    status: str
    agency: str
    procedure: str
    received_at: datetime
    due_at: datetime
    working_days_overdue: int


def _share(share: float | None) -> float | None:
    return round(share, 4) if share is not None else None


class OnlineFiguresOut(KeepsNulls):
    received: int = Field(description="dossiers received in the period")
    received_online: int = Field(description="of them, submitted online (app, USSD or SMS)")
    online_share: float | None = Field(description="received_online / received, 4 decimals")
    waiting_for_review: int = Field(description="applications submitted, not decided, now")
    oldest_waiting_hours: float | None = Field(description="office hours the oldest has waited")
    decided: int = Field(description="applications decided in the period: the three below")
    accepted: int
    refused: int
    sent_back: int = Field(description="received and at once asked for a supplement")
    accepted_share: float | None
    refused_share: float | None
    sent_back_share: float | None

    @classmethod
    def fields_of(cls, figures: OnlineFigures) -> dict[str, int | float | None]:
        oldest = figures.oldest_waiting_hours
        return {
            "received": figures.received,
            "received_online": figures.received_online,
            "online_share": _share(figures.online_share),
            "waiting_for_review": figures.waiting,
            "oldest_waiting_hours": round(oldest, 1) if oldest is not None else None,
            "decided": figures.decided,
            "accepted": figures.accepted,
            "refused": figures.refused,
            "sent_back": figures.sent_back,
            "accepted_share": _share(figures.share_of_decided(figures.accepted)),
            "refused_share": _share(figures.share_of_decided(figures.refused)),
            "sent_back_share": _share(figures.share_of_decided(figures.sent_back)),
        }


class ProcedureOnlineOut(OnlineFiguresOut):
    code: str
    name_vi: str
    name_en: str


class AgencyOnlineOut(OnlineFiguresOut):
    code: str
    name_vi: str
    name_en: str
    procedures: list[ProcedureOnlineOut]


class LongWaitOut(KeepsNulls):
    application_id: int
    agency: str
    procedure: str
    channel: str
    submitted_at: datetime
    waiting_hours: float


class OnlineOut(KeepsNulls):
    review_wait_hours: int = Field(description="office hours a review may wait (a setting)")
    waiting_too_long: int = Field(description="applications waiting longer than that, now")
    longest_waits: list[LongWaitOut] = Field(description="the oldest of them, at most 20")
    totals: OnlineFiguresOut
    agencies: list[AgencyOnlineOut]

    @classmethod
    def of(cls, online: OnlineStats) -> OnlineOut:
        return cls(
            review_wait_hours=online.wait_hours,
            waiting_too_long=online.waiting_too_long,
            longest_waits=[
                LongWaitOut(
                    application_id=wait.application_id,
                    agency=wait.agency_code,
                    procedure=wait.procedure_code,
                    channel=wait.channel.value,
                    submitted_at=wait.submitted_at,
                    waiting_hours=round(wait.waiting_hours, 1),
                )
                for wait in online.longest_waits
            ],
            totals=OnlineFiguresOut.model_validate(OnlineFiguresOut.fields_of(online.totals)),
            agencies=[
                AgencyOnlineOut.model_validate(
                    {
                        "code": row.code,
                        "name_vi": row.name_vi,
                        "name_en": row.name_en,
                        **OnlineFiguresOut.fields_of(row.figures),
                        "procedures": [
                            {
                                "code": p.code,
                                "name_vi": p.name_vi,
                                "name_en": p.name_en,
                                **OnlineFiguresOut.fields_of(p.figures),
                            }
                            for p in row.procedures
                        ],
                    }
                )
                for row in online.by_agency
            ],
        )


class DossierStatsOut(KeepsNulls):
    period: PeriodOut
    as_of: datetime
    agency: str | None = Field(description="the agency the figures are limited to")
    totals: Figures
    processing_time: ProcessingTime
    agencies: list[AgencyFiguresOut]
    weekly: list[WeekOut]
    most_overdue: list[OverdueOut]
    online: OnlineOut = Field(
        description="dossiers received online, applications waiting for review, and what "
        "review decided, per agency and procedure"
    )

    @classmethod
    def of(cls, view: DossierDashboard) -> DossierStatsOut:
        stats, times = view.stats, view.stats.times
        return cls(
            period=PeriodOut.of(stats.period),
            as_of=stats.as_of,
            agency=view.agency.code if view.agency else None,
            totals=Figures.model_validate(Figures.fields_of(stats.totals)),
            processing_time=ProcessingTime(
                finished=times.finished,
                median_working_days=times.median_days,
                p90_working_days=times.p90_days,
                median_percent_of_statutory=times.median_percent,
                p90_percent_of_statutory=times.p90_percent,
            ),
            agencies=[
                AgencyFiguresOut.model_validate(
                    {
                        "code": row.code,
                        "name_vi": row.name_vi,
                        "name_en": row.name_en,
                        **Figures.fields_of(row.figures),
                    }
                )
                for row in stats.by_agency
            ],
            weekly=[
                WeekOut(
                    from_=flow.week.first_day,
                    to=flow.week.last_day,
                    received=flow.received,
                    finished=flow.finished,
                )
                for flow in view.weekly
            ],
            most_overdue=[
                OverdueOut(
                    code=item.code,
                    status=item.status.value,
                    agency=item.agency_code,
                    procedure=item.procedure_code,
                    received_at=item.received_at,
                    due_at=item.due_at,
                    working_days_overdue=item.working_days_overdue,
                )
                for item in stats.most_overdue
            ],
            online=OnlineOut.of(view.online),
        )


class ChannelStatus(KeepsNulls):
    channel: str
    status: str
    count: int


class Delivery(KeepsNulls):
    provider: str
    handed_over: int
    delivered: int
    delivery_rate: float


class BacklogOut(KeepsNulls):
    queued: int
    sending: int
    oldest_queued_seconds: float | None


class Failure(KeepsNulls):
    reason: str
    count: int


class OutboxHealthOut(KeepsNulls):
    period: PeriodOut
    as_of: datetime
    messages: list[ChannelStatus]
    deliveries: list[Delivery]
    median_seconds_to_send: float | None
    backlog: BacklogOut
    failures: list[Failure]

    @classmethod
    def of(cls, health: OutboxHealth) -> OutboxHealthOut:
        backlog = health.backlog
        return cls(
            period=PeriodOut.of(health.period),
            as_of=health.as_of,
            messages=[
                ChannelStatus(channel=c.channel, status=c.status, count=c.count)
                for c in health.by_channel_status
            ],
            deliveries=[
                Delivery(
                    provider=d.provider,
                    handed_over=d.handed_over,
                    delivered=d.delivered,
                    delivery_rate=round(d.delivery_rate, 4),
                )
                for d in health.deliveries
            ],
            median_seconds_to_send=health.median_seconds_to_send,
            backlog=BacklogOut(
                queued=backlog.queued,
                sending=backlog.sending,
                oldest_queued_seconds=backlog.oldest_queued_seconds,
            ),
            failures=[Failure(reason=f.reason, count=f.count) for f in health.failures],
        )
