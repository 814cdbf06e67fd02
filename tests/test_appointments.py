"""Appointments on a real database: capacity is never exceeded, even under a crowd."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta

import pytest
from tortoise.connection import get_connection

from domain.appointments.booking import (
    book_appointment,
    cancel_appointment,
    get_citizen_appointment,
    list_citizen_appointments,
    list_open_days,
    list_open_slots,
    reschedule_appointment,
)
from domain.appointments.offices import find_slots_for_booking
from domain.errors import Conflict, DomainError, NotFound
from domain.local_time import utc_now
from domain.policy import current_policy
from models import Appointment, OfficeSlot, OutboxMessage
from models.enums import AppointmentStatus
from tests.factories import make_citizen, make_office, make_slot

POOL_SIZE = 20  # the `maxsize` tests/conftest.py gives PostgreSQL test databases


async def _crowd(count: int) -> list:
    return [await make_citizen(f"09{10000000 + i:08d}", f"Công dân {i}") for i in range(count)]


async def test_booking_takes_a_seat_and_queues_a_confirmation(db):
    office = await make_office()
    slot = await make_slot(office, capacity=2)
    citizen = await make_citizen()
    appointment = await book_appointment(citizen=citizen, slot_id=slot.id)
    assert appointment.status == AppointmentStatus.BOOKED
    assert (await OfficeSlot.get(id=slot.id)).booked == 1
    message = await OutboxMessage.get(citizen=citizen)
    assert message.template == "appointment_booked"
    assert f"HUY {appointment.id}" in message.body


async def test_a_citizen_holds_one_active_seat_per_slot(db):
    slot = await make_slot(await make_office(), capacity=5)
    citizen = await make_citizen()
    await book_appointment(citizen=citizen, slot_id=slot.id)
    with pytest.raises(Conflict) as caught:
        await book_appointment(citizen=citizen, slot_id=slot.id)
    assert caught.value.code == "already_booked"
    assert (await OfficeSlot.get(id=slot.id)).booked == 1
    assert await Appointment.filter(citizen=citizen).count() == 1


async def test_full_past_and_unknown_slots_are_refused(db):
    office = await make_office()
    full = await make_slot(office, capacity=1)
    past = await make_slot(office, capacity=3, starts_in=timedelta(hours=-1))
    first, second = await _crowd(2)
    await book_appointment(citizen=first, slot_id=full.id)
    for slot_id, code in ((full.id, "slot_full"), (past.id, "slot_in_past"), (99999, None)):
        with pytest.raises(DomainError) as caught:
            await book_appointment(citizen=second, slot_id=slot_id)
        assert caught.value.code == (code or "slot_not_found")
    assert await Appointment.filter(citizen=second).count() == 0
    assert await OutboxMessage.filter(citizen=second).count() == 0


async def test_cancel_returns_the_seat_once(db):
    slot = await make_slot(await make_office(), capacity=1)
    citizen = await make_citizen()
    appointment = await book_appointment(citizen=citizen, slot_id=slot.id)
    cancelled = await cancel_appointment(
        citizen=citizen, appointment_id=appointment.id, reason="bận việc"
    )
    assert cancelled.status == AppointmentStatus.CANCELLED
    assert (await OfficeSlot.get(id=slot.id)).booked == 0
    with pytest.raises(Conflict):
        await cancel_appointment(citizen=citizen, appointment_id=appointment.id)
    assert (await OfficeSlot.get(id=slot.id)).booked == 0
    # The freed seat can be booked again, by the same citizen too.
    again = await book_appointment(citizen=citizen, slot_id=slot.id)
    assert again.id != appointment.id


async def test_another_citizens_appointment_does_not_exist_for_me(db):
    slot = await make_slot(await make_office(), capacity=2)
    owner, other = await _crowd(2)
    appointment = await book_appointment(citizen=owner, slot_id=slot.id)
    with pytest.raises(NotFound):
        await get_citizen_appointment(citizen=other, appointment_id=appointment.id)
    with pytest.raises(NotFound):
        await cancel_appointment(citizen=other, appointment_id=appointment.id)
    assert (await Appointment.get(id=appointment.id)).status == AppointmentStatus.BOOKED


async def test_reschedule_moves_the_seat_or_keeps_the_old_one(db):
    office = await make_office()
    first = await make_slot(office, capacity=1)
    second = await make_slot(office, capacity=1, starts_in=timedelta(days=2))
    full = await make_slot(office, capacity=1, starts_in=timedelta(days=3))
    citizen, other = await _crowd(2)
    await book_appointment(citizen=other, slot_id=full.id)
    appointment = await book_appointment(citizen=citizen, slot_id=first.id)

    with pytest.raises(Conflict) as caught:
        await reschedule_appointment(
            citizen=citizen, appointment_id=appointment.id, slot_id=full.id
        )
    assert caught.value.code == "slot_full"
    assert (await Appointment.get(id=appointment.id)).slot_id == first.id
    assert (await OfficeSlot.get(id=first.id)).booked == 1

    moved = await reschedule_appointment(
        citizen=citizen, appointment_id=appointment.id, slot_id=second.id
    )
    assert moved.slot_id == second.id
    assert [(await OfficeSlot.get(id=s.id)).booked for s in (first, second)] == [0, 1]
    templates = await OutboxMessage.filter(citizen=citizen).values_list("template", flat=True)
    assert sorted(templates) == ["appointment_booked", "appointment_rescheduled"]


async def test_open_slots_lists_only_future_slots_with_room(db):
    office = await make_office()
    tz = current_policy().timezone
    tomorrow = (utc_now().astimezone(tz) + timedelta(days=1)).date()
    open_slot = await make_slot(office, capacity=2)
    full = await make_slot(office, capacity=1, starts_in=timedelta(days=1, minutes=30))
    await book_appointment(citizen=await make_citizen(), slot_id=full.id)
    listed = await list_open_slots(office=office, day=open_slot.starts_at.astimezone(tz).date())
    assert open_slot.id in [s.id for s in listed]
    assert full.id not in [s.id for s in listed]
    assert all(s.starts_at > utc_now() for s in listed)
    assert tomorrow >= open_slot.starts_at.astimezone(tz).date()


async def test_my_appointments_are_the_active_future_ones(db):
    office = await make_office()
    citizen = await make_citizen()
    kept = await book_appointment(citizen=citizen, slot_id=(await make_slot(office)).id)
    dropped = await book_appointment(
        citizen=citizen, slot_id=(await make_slot(office, starts_in=timedelta(days=2))).id
    )
    await cancel_appointment(citizen=citizen, appointment_id=dropped.id)
    listed = await list_citizen_appointments(citizen=citizen)
    assert [a.id for a in listed] == [kept.id]


@pytest.mark.parametrize("crowd", [50])
async def test_a_crowd_racing_for_the_last_seat_gets_exactly_one(db, backend, crowd):
    """50 bookings at once of a one-seat slot: exactly one appointment, the rest `slot_full`."""
    slot = await make_slot(await make_office(), capacity=1)
    citizens = await _crowd(crowd)
    if backend == "postgres":
        # Open every pooled connection first, so the bookings start together instead of
        # one by one as the pool grows: the race is then real, inside PostgreSQL.
        connection = get_connection("default")
        await asyncio.gather(
            *(connection.execute_query("SELECT pg_sleep(0.05)") for _ in range(POOL_SIZE))
        )
        assert connection._pool.get_size() == POOL_SIZE
    results = await asyncio.gather(
        *(book_appointment(citizen=c, slot_id=slot.id) for c in citizens), return_exceptions=True
    )
    booked = [r for r in results if isinstance(r, Appointment)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(booked) == 1, [r for r in results if not isinstance(r, Appointment | Conflict)]
    assert len(refused) == crowd - 1
    assert {r.code for r in refused} == {"slot_full"}
    assert (await OfficeSlot.get(id=slot.id)).booked == 1
    assert await Appointment.filter(slot_id=slot.id).count() == 1
    assert await OutboxMessage.filter(template="appointment_booked").count() == 1


async def test_one_citizen_double_tapping_gets_one_seat(db):
    slot = await make_slot(await make_office(), capacity=10)
    citizen = await make_citizen()
    results = await asyncio.gather(
        *(book_appointment(citizen=citizen, slot_id=slot.id) for _ in range(10)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Appointment) for r in results) == 1
    assert {r.code for r in results if isinstance(r, Conflict)} == {"already_booked"}
    assert (await OfficeSlot.get(id=slot.id)).booked == 1


async def test_open_slots_of_a_day_end_at_local_midnight(db):
    """A 07:00 slot tomorrow is 00:00 UTC: it must not show among today's slots (SQLite compares
    datetimes as text, so a local-time bound would let it through)."""
    office = await make_office()
    tz = current_policy().timezone
    tomorrow = (utc_now().astimezone(tz) + timedelta(days=2)).date()
    early = await OfficeSlot.create(
        office=office,
        starts_at=datetime.combine(tomorrow, time(7, 0), tz),
        capacity=1,
    )
    day_before = tomorrow - timedelta(days=1)
    assert early.id not in [s.id for s in await list_open_slots(office=office, day=day_before)]
    assert early.id in [s.id for s in await list_open_slots(office=office, day=tomorrow)]


async def test_a_seat_the_citizen_holds_is_not_offered_to_them_again(db):
    office = await make_office()
    tz = current_policy().timezone
    day = (utc_now().astimezone(tz) + timedelta(days=2)).date()
    held, free = [
        await OfficeSlot.create(
            office=office, starts_at=datetime.combine(day, time(hour, 0), tz), capacity=3
        )
        for hour in (8, 9)
    ]
    citizen, other = await make_citizen(), await make_citizen("0912345678", "Trần Thị Bình")
    cancelled = await book_appointment(citizen=citizen, slot_id=free.id)
    await cancel_appointment(citizen=citizen, appointment_id=cancelled.id)
    await book_appointment(citizen=citizen, slot_id=held.id)
    offered = await find_slots_for_booking(office_id=office.id, day=day, holder=citizen)
    assert [slot.id for slot in offered[1]] == [free.id]
    assert await list_open_days(office_id=office.id, holder=citizen) == [day]
    for holder in (other, None):
        _, slots = await find_slots_for_booking(office_id=office.id, day=day, holder=holder)
        assert [slot.id for slot in slots] == [held.id, free.id]
    await Appointment.filter(citizen=citizen).delete()
    only = await make_slot(office, capacity=2, starts_in=timedelta(days=5))
    await book_appointment(citizen=citizen, slot_id=only.id)
    only_day = only.starts_at.astimezone(tz).date()
    assert only_day not in await list_open_days(office_id=office.id, holder=citizen)
    assert only_day in await list_open_days(office_id=office.id, holder=other)
