"""Statistics for supervisors and operators: dossier handling per agency, outbox health."""

from domain.stats.dossiers import (
    DossierFigures,
    DossierStats,
    compute_dossier_stats,
    count_weekly_flow,
    list_most_overdue,
)
from domain.stats.online import OnlineFigures, OnlineStats, compute_online_stats
from domain.stats.outbox import (
    OutboxHealth,
    OutboxPulse,
    compute_outbox_health,
    read_backlog,
    read_outbox_pulse,
)
from domain.stats.periods import Period, make_period, month_period, weeks_of

__all__ = [
    "DossierFigures",
    "DossierStats",
    "OnlineFigures",
    "OnlineStats",
    "OutboxHealth",
    "OutboxPulse",
    "Period",
    "compute_dossier_stats",
    "compute_online_stats",
    "compute_outbox_health",
    "count_weekly_flow",
    "list_most_overdue",
    "make_period",
    "month_period",
    "read_backlog",
    "read_outbox_pulse",
    "weeks_of",
]
