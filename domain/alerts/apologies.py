"""Overdue dossiers: the citizen gets an apology (thư xin lỗi) with a new date, once a deadline."""

from __future__ import annotations

import math
from datetime import datetime

from tortoise.transactions import in_transaction

from domain.alerts.enqueue import enqueue_message
from domain.calendar import WorkingCalendar
from domain.dossiers.lifecycle import CLOCK_RUNNING
from domain.holidays import load_working_calendar
from domain.local_time import as_utc, local_text, utc_now
from models import Dossier


def promised_date(calendar: WorkingCalendar, *, now: datetime, processing_days: int) -> datetime:
    """The new date we promise: half the procedure's statutory time again (at least one working
    day) from today, at the end of office hours."""
    extra = max(1, math.ceil(processing_days / 2))
    return calendar.due_at(now, extra)


async def send_overdue_apologies(*, now: datetime | None = None, limit: int = 500) -> int:
    """Apologise for every dossier that has newly passed its deadline; returns how many.
    Reads only overdue rows without an apology, through the (status, due_at) index."""
    now = as_utc(now or utc_now())
    calendar = await load_working_calendar(around=now)
    overdue = (
        await Dossier.filter(status__in=list(CLOCK_RUNNING), due_at__lt=now, apology_sent_at=None)
        .order_by("due_at")
        .limit(limit)
        .prefetch_related("procedure", "citizen")
    )
    sent = 0
    for dossier in overdue:
        new_date = promised_date(
            calendar, now=now, processing_days=dossier.procedure.processing_days
        )
        async with in_transaction():
            claimed = await Dossier.filter(id=dossier.id, apology_sent_at=None).update(
                apology_sent_at=now, promised_at=new_date
            )
            if not claimed:
                continue
            await enqueue_message(
                citizen=dossier.citizen,
                template="dossier_overdue_apology",
                params={
                    "code": dossier.code,
                    "due_date": local_text(dossier.due_at, "%d/%m/%Y"),
                    "new_date": local_text(new_date, "%d/%m/%Y"),
                },
                dedupe_key=f"dossier:{dossier.id}:apology:{dossier.due_at.isoformat()}",
            )
        sent += 1
    return sent
