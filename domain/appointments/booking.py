"""Appointments at one-stop counters: slots with a capacity that is never exceeded."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from domain.alerts.enqueue import enqueue_message
from domain.catalogue import localised_name
from domain.errors import Conflict, NotFound
from domain.local_time import as_utc, local_text, utc_now
from domain.policy import current_policy
from models import Appointment, Citizen, Office, OfficeSlot, Procedure
from models.enums import AppointmentStatus

BOOKABLE_YEARS = range(2000, 2101)


def _active_key(citizen_id: int, slot_id: int) -> str:
    return f"{citizen_id}:{slot_id}"


async def list_open_slots(*, office: Office, day: date) -> list[OfficeSlot]:
    """The slots of one local day at one office that still have a free seat and are ahead."""
    if not BOOKABLE_YEARS[0] <= day.year <= BOOKABLE_YEARS[-1]:
        return []  # no slot so far out, and local midnight of year 1 overflows `datetime`
    tz = current_policy().timezone
    start = as_utc(datetime.combine(day, datetime.min.time(), tz))
    end = start + timedelta(days=1)
    return (
        await OfficeSlot.filter(
            office=office,
            starts_at__gte=max(start, utc_now()),
            starts_at__lt=end,
            booked__lt=F("capacity"),
        )
        .order_by("starts_at")
        .all()
    )


async def _take_seat(slot_id: int) -> OfficeSlot:
    """Claim one seat with a single conditional UPDATE: of many at once, only as many as there
    are seats see a row change, on PostgreSQL and SQLite alike."""
    slot = await OfficeSlot.get_or_none(id=slot_id)
    if slot is None:
        raise NotFound("slot_not_found", "no such slot")
    if slot.starts_at <= utc_now():
        raise Conflict("slot_in_past", "the slot has started")
    taken = await OfficeSlot.filter(id=slot_id, booked__lt=F("capacity")).update(
        booked=F("booked") + 1
    )
    if not taken:
        raise Conflict("slot_full", "no seat left")
    return slot


async def _release_seat(slot_id: int) -> None:
    await OfficeSlot.filter(id=slot_id, booked__gt=0).update(booked=F("booked") - 1)


async def _notify(citizen: Citizen, appointment: Appointment, slot: OfficeSlot, what: str) -> None:
    office: Office = await slot.office
    await enqueue_message(
        citizen=citizen,
        template=what,
        params={
            "id": appointment.id,
            "when": local_text(slot.starts_at, "%H:%M %d/%m/%Y"),
            "office": localised_name(office, citizen.language),
        },
    )


async def book_appointment(
    *, citizen: Citizen, slot_id: int, procedure: Procedure | None = None
) -> Appointment:
    """Book a seat; refused when the slot is full or the citizen already holds a seat in it."""
    try:
        async with in_transaction():
            slot = await _take_seat(slot_id)
            appointment = await Appointment.create(
                citizen=citizen,
                slot=slot,
                procedure=procedure,
                active_key=_active_key(citizen.id, slot.id),
            )
            await _notify(citizen, appointment, slot, "appointment_booked")
    except IntegrityError:
        raise Conflict("already_booked", "the citizen already holds a seat in this slot") from None
    return appointment


async def get_citizen_appointment(*, citizen: Citizen, appointment_id: int) -> Appointment:
    """Another citizen's appointment does not exist, as far as this citizen can tell."""
    appointment = await Appointment.get_or_none(id=appointment_id, citizen=citizen)
    if appointment is None:
        raise NotFound("appointment_not_found", "no such appointment")
    return appointment


async def list_citizen_appointments(
    *, citizen: Citizen, include_past: bool = False
) -> list[Appointment]:
    query = Appointment.filter(citizen=citizen, status=AppointmentStatus.BOOKED)
    if not include_past:
        query = query.filter(slot__starts_at__gte=utc_now())
    return await query.order_by("slot__starts_at").prefetch_related("slot", "slot__office")


async def _lock_active(citizen: Citizen, appointment_id: int) -> Appointment:
    appointment = await Appointment.select_for_update().get_or_none(
        id=appointment_id, citizen=citizen
    )
    if appointment is None:
        raise NotFound("appointment_not_found", "no such appointment")
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict("appointment_not_active", "the appointment is not active")
    return appointment


async def cancel_appointment(
    *, citizen: Citizen, appointment_id: int, reason: str = "", notify: bool = True
) -> Appointment:
    """Give the seat back; cancelling twice is refused, so the seat is returned once.
    `notify=False` when the door's own answer is the confirmation (an SMS reply to HUY)."""
    async with in_transaction():
        appointment = await _lock_active(citizen, appointment_id)
        appointment.status = AppointmentStatus.CANCELLED
        appointment.active_key = None
        appointment.cancel_reason = reason.strip()
        await appointment.save()
        await _release_seat(appointment.slot_id)
        if notify:
            slot = await OfficeSlot.get(id=appointment.slot_id)
            await _notify(citizen, appointment, slot, "appointment_cancelled")
    await appointment.fetch_related("slot__office")
    return appointment


async def reschedule_appointment(
    *, citizen: Citizen, appointment_id: int, slot_id: int
) -> Appointment:
    """Move to another slot in one transaction: the old seat is kept if the new one is full."""
    try:
        async with in_transaction():
            appointment = await _lock_active(citizen, appointment_id)
            if appointment.slot_id == slot_id:
                raise Conflict("already_booked", "the appointment is already in this slot")
            new_slot = await _take_seat(slot_id)
            await _release_seat(appointment.slot_id)
            appointment.slot = new_slot
            appointment.active_key = _active_key(citizen.id, new_slot.id)
            appointment.reminders_sent = 0
            await appointment.save()
            await _notify(citizen, appointment, new_slot, "appointment_rescheduled")
    except IntegrityError:
        raise Conflict("already_booked", "the citizen already holds a seat in this slot") from None
    return appointment


async def list_open_days(
    *, office_id: int, days_ahead: int = 14, holder: Citizen | None = None
) -> list[date]:
    """Local days in the coming weeks with a free seat at an office, for a choose-a-day menu;
    a seat `holder` already has is not free to them (see `held_slot_ids`)."""
    now = utc_now()
    rows = await OfficeSlot.filter(
        office_id=office_id,
        starts_at__gte=now,
        starts_at__lt=now + timedelta(days=days_ahead + 1),
        booked__lt=F("capacity"),
    ).values_list("id", "starts_at")
    held = await held_slot_ids(citizen=holder, slot_ids=[row[0] for row in rows])
    tz = current_policy().timezone
    return sorted({starts.astimezone(tz).date() for slot_id, starts in rows if slot_id not in held})


async def held_slot_ids(*, citizen: Citizen | None, slot_ids: list[int]) -> set[int]:
    """Which of these slots the citizen holds a seat in. Booking one again can only be
    refused, so a door leaves them out: the same key presses (a script, a habit) then book the
    next free time instead of meeting `already_booked`."""
    if citizen is None or not slot_ids:
        return set()
    held = await Appointment.filter(
        citizen=citizen, status=AppointmentStatus.BOOKED, slot_id__in=slot_ids
    ).values_list("slot_id", flat=True)
    return set(held)  # type: ignore[arg-type]
