"""Appointment reminders: queued once each, in their window, however often the scan runs."""

from __future__ import annotations

from datetime import timedelta

from domain.alerts.reminders import enqueue_due_reminders
from domain.appointments.booking import book_appointment, cancel_appointment, reschedule_appointment
from domain.local_time import utc_now
from models import Appointment, OutboxMessage
from tests.factories import make_citizen, make_office, make_slot


async def _booked_long_ago(slot_in: timedelta, phone: str = "0901234567") -> Appointment:
    slot = await make_slot(await make_office(), capacity=2, starts_in=slot_in)
    appointment = await book_appointment(citizen=await make_citizen(phone), slot_id=slot.id)
    # Booked a week before: its reminders are owed in full.
    await Appointment.filter(id=appointment.id).update(created_at=utc_now() - timedelta(days=7))
    return appointment


async def _reminders() -> list[str]:
    rows = await OutboxMessage.filter(template="appointment_reminder").values_list(
        "dedupe_key", flat=True
    )
    return sorted(rows)


async def test_each_reminder_is_queued_once_in_its_window(db):
    appointment = await _booked_long_ago(timedelta(hours=30))
    now = utc_now()
    assert await enqueue_due_reminders(now=now) == 0  # 30 h ahead: nothing yet
    assert await enqueue_due_reminders(now=now + timedelta(hours=7)) == 1  # 23 h ahead
    assert await enqueue_due_reminders(now=now + timedelta(hours=8)) == 0  # already reminded
    assert await enqueue_due_reminders(now=now + timedelta(hours=29)) == 1  # 1 h ahead
    assert await enqueue_due_reminders(now=now + timedelta(hours=29, minutes=30)) == 0
    assert await _reminders() == [
        f"appointment:{appointment.id}:{appointment.slot_id}:T-120m",
        f"appointment:{appointment.id}:{appointment.slot_id}:T-1440m",
    ]
    message = await OutboxMessage.filter(template="appointment_reminder").first()
    assert message is not None and f"HUY {appointment.id}" in message.body


async def test_an_appointment_found_late_gets_only_the_nearest_reminder(db):
    await _booked_long_ago(timedelta(hours=1))
    assert await enqueue_due_reminders() == 1
    assert [key.rsplit(":", 1)[1] for key in await _reminders()] == ["T-120m"]


async def test_booking_inside_a_window_skips_that_reminder(db):
    slot = await make_slot(await make_office(), capacity=1, starts_in=timedelta(hours=5))
    await book_appointment(citizen=await make_citizen(), slot_id=slot.id)
    assert await enqueue_due_reminders() == 0  # the confirmation just told them
    assert await enqueue_due_reminders(now=utc_now() + timedelta(hours=4)) == 1  # T-2h still due


async def test_cancelled_appointments_get_no_reminder(db):
    appointment = await _booked_long_ago(timedelta(hours=3))
    citizen = await appointment.citizen
    await cancel_appointment(citizen=citizen, appointment_id=appointment.id)
    assert await enqueue_due_reminders() == 0


async def test_a_rescheduled_appointment_is_reminded_again(db):
    appointment = await _booked_long_ago(timedelta(hours=3))
    assert await enqueue_due_reminders() == 1
    later = await make_slot(await make_office(), capacity=1, starts_in=timedelta(hours=20))
    citizen = await appointment.citizen
    await reschedule_appointment(citizen=citizen, appointment_id=appointment.id, slot_id=later.id)
    await Appointment.filter(id=appointment.id).update(created_at=utc_now() - timedelta(days=7))
    assert await enqueue_due_reminders() == 1
    assert len(await _reminders()) == 2


async def test_scans_racing_queue_each_reminder_once(db):
    import asyncio

    for n in range(5):
        await _booked_long_ago(timedelta(hours=10), phone=f"09{20000000 + n:08d}")
    counts = await asyncio.gather(*(enqueue_due_reminders() for _ in range(4)))
    assert sum(counts) == 5
    assert len(await _reminders()) == 5
