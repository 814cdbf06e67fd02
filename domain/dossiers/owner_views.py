"""Dossiers as the app shows them: the owner's list and detail (timeline, due date, overdue,
what to do next), and the throttled lookup of someone else's code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.catalogue import localised_name, text
from domain.dossiers.records import (
    DossierView,
    dossier_timeline,
    find_dossier_by_code,
    is_overdue,
    list_citizen_dossiers,
    lookup_dossier,
)
from domain.errors import NotFound
from domain.throttle import consume_attempt
from models import Citizen, Dossier, DossierEvent
from models.enums import DossierStatus

# Four digits are 10,000 guesses: a few per code and per caller an hour make guessing useless.
CCCD_TRIES_PER_CODE = (5, timedelta(hours=1))
CCCD_TRIES_PER_CALLER = (10, timedelta(hours=1))


@dataclass(frozen=True)
class DossierDetail:
    dossier: Dossier
    overdue: bool
    timeline: list[DossierEvent]
    next_step: str


def next_step(dossier: Dossier, language: str) -> str:
    """What the citizen should do now, in words; procedure and office must be loaded."""
    return text(
        f"app.next_step.{dossier.status.value}",
        language,
        note=dossier.status_note,
        office=localised_name(dossier.office, language),
    )


async def _detail(dossier: Dossier, language: str) -> DossierDetail:
    await dossier.fetch_related("procedure", "office")
    return DossierDetail(
        dossier=dossier,
        overdue=is_overdue(dossier),
        timeline=await dossier_timeline(dossier=dossier),
        next_step=next_step(dossier, language),
    )


async def list_my_dossiers(
    *,
    citizen: Citizen,
    status: DossierStatus | None = None,
    before_id: int | None = None,
    limit: int = 20,
) -> list[Dossier]:
    """The owner's page of dossiers, with each one's procedure loaded for its name."""
    dossiers = await list_citizen_dossiers(
        citizen=citizen, status=status, before_id=before_id, limit=limit
    )
    await Dossier.fetch_for_list(dossiers, "procedure")
    return dossiers


async def get_my_dossier(*, citizen: Citizen, code: str, language: str) -> DossierDetail:
    """Someone else's dossier does not exist, as far as this citizen's app can tell."""
    try:
        dossier = await find_dossier_by_code(code=code)
    except NotFound:
        raise NotFound("dossier_not_found", "no dossier with this code") from None
    if dossier.citizen_id != citizen.id:
        raise NotFound("dossier_not_found", "no dossier with this code")
    return await _detail(dossier, language)


async def look_up_dossier(
    *, code: str, viewer: Citizen, cccd_last4: str | None, language: str
) -> tuple[DossierView, DossierDetail | None]:
    """Owner-aware lookup (`domain.dossiers.records.lookup_dossier`); each CCCD try by a
    non-owner is counted per code and per caller before it is checked."""
    dossier = await find_dossier_by_code(code=code)
    if cccd_last4 and dossier.citizen_id != viewer.id:
        limit, window = CCCD_TRIES_PER_CALLER
        await consume_attempt(key=f"cccd:caller:{viewer.id}", limit=limit, window=window)
        limit, window = CCCD_TRIES_PER_CODE
        await consume_attempt(key=f"cccd:dossier:{dossier.id}", limit=limit, window=window)
    view = await lookup_dossier(code=code, viewer=viewer, cccd_last4=cccd_last4)
    return view, (await _detail(view.dossier, language) if view.full else None)
