"""One-stop offices citizens can book a visit at."""

from __future__ import annotations

from datetime import date

from domain.appointments.booking import held_slot_ids, list_open_slots
from domain.errors import NotFound
from models import Citizen, Office, OfficeSlot


async def list_offices() -> list[Office]:
    """Every open counter; a city has a few hundred, so one answer holds them all."""
    return await Office.filter(is_active=True).order_by("id").prefetch_related("agency")


async def get_office(*, office_id: int) -> Office:
    office = await Office.get_or_none(id=office_id, is_active=True)
    if office is None:
        raise NotFound("office_not_found", "no such office")
    return office


async def find_slots_for_booking(
    *, office_id: int, day: date, holder: Citizen | None = None
) -> tuple[Office, list[OfficeSlot]]:
    """An office and its free slots on one day: what every booking door shows next, without
    the slots `holder` already has a seat in (`held_slot_ids`)."""
    office = await get_office(office_id=office_id)
    slots = await list_open_slots(office=office, day=day)
    held = await held_slot_ids(citizen=holder, slot_ids=[slot.id for slot in slots])
    return office, [slot for slot in slots if slot.id not in held]
