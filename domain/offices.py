"""One-stop offices citizens can book a visit at."""

from __future__ import annotations

from domain.errors import NotFound
from models import Office


async def list_offices() -> list[Office]:
    """Every open counter; a city has a few hundred, so one answer holds them all."""
    return await Office.filter(is_active=True).order_by("id").prefetch_related("agency")


async def get_office(*, office_id: int) -> Office:
    office = await Office.get_or_none(id=office_id, is_active=True)
    if office is None:
        raise NotFound("office_not_found", "no such office")
    return office
