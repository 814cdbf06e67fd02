"""Reminders the worker schedules itself: appointments at T-24h and T-2h (configurable).

Each appointment counts the reminders it has had, so a scan reads only appointments that are
inside a reminder window and still owe that reminder (an index on status and count, and one on
slot start), and a reminder is queued once however often the scan runs or how many workers run it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from domain.alerts.enqueue import enqueue_message
from domain.catalogue import localised_name
from domain.local_time import as_utc, local_text, utc_now
from models import Appointment
from models.enums import AppointmentStatus

DEFAULT_REMINDERS = (timedelta(hours=24), timedelta(hours=2))


async def enqueue_due_reminders(
    *, now: datetime | None = None, offsets: tuple[timedelta, ...] = DEFAULT_REMINDERS
) -> int:
    """Queue the reminders now due; returns how many were queued.

    Windows do not overlap: the T-24h reminder covers starts between 2 h and 24 h ahead, so an
    appointment found late gets the nearest reminder only, never two at once. One booked inside
    a window skips that reminder: its booking confirmation just told the citizen.
    """
    now = as_utc(now or utc_now())
    ordered = sorted(offsets, reverse=True)
    queued = 0
    for stage, offset in enumerate(ordered, start=1):
        nearer = ordered[stage] if stage < len(ordered) else timedelta(0)
        due = await Appointment.filter(
            status=AppointmentStatus.BOOKED,
            reminders_sent__lt=stage,
            slot__starts_at__gt=now + nearer,
            slot__starts_at__lte=now + offset,
        ).prefetch_related("slot__office", "citizen")
        for appointment in due:
            queued += await _remind(appointment, stage, offset)
    return queued


async def _remind(appointment: Appointment, stage: int, offset: timedelta) -> int:
    slot = appointment.slot
    label = f"T-{int(offset.total_seconds() // 60)}m"
    async with in_transaction():
        claimed = await Appointment.filter(
            id=appointment.id, reminders_sent=appointment.reminders_sent
        ).update(reminders_sent=stage)
        if not claimed or appointment.created_at > slot.starts_at - offset:
            return 0
        citizen = appointment.citizen
        message = await enqueue_message(
            citizen=citizen,
            template="appointment_reminder",
            params={
                "id": appointment.id,
                "when": local_text(slot.starts_at, "%H:%M %d/%m/%Y"),
                "office": localised_name(slot.office, citizen.language),
            },
            dedupe_key=f"appointment:{appointment.id}:{slot.id}:{label}",
        )
    return 1 if message is not None else 0
