"""The demo data set is what README promises: fixed codes, every status, some overdue."""

from __future__ import annotations

from domain.dossiers.records import is_overdue
from mgov.demo import load_demo_data
from mgov.demo_data import RECENT
from models import Agency, Citizen, Dossier, OfficeSlot, OutboxMessage, Procedure, StaffUser
from models.enums import DossierStatus, OutboxStatus

README_DOSSIERS = {
    "H29.99-261005-0001": ("returned", False),
    "H29.15-260914-0001": ("in_progress", True),
    "H29.12-261019-0001": ("result_ready", False),
    "H29.99-261026-0001": ("needs_supplement", False),
    "H29.99-261012-0001": ("in_progress", True),
    "H29.15-260803-0001": ("rejected", False),
    "H29.98-261102-0001": ("returned", False),
    "H29.15-260921-0001": ("in_progress", True),
    "H29.97-261028-0001": ("withdrawn", False),
    "H29.12-261001-0001": ("in_progress", True),
}


async def test_seed_loads_the_documented_city_once(db):
    lines: list[str] = []
    await load_demo_data(out=lines.append)
    assert await Agency.all().count() == 6
    assert await Procedure.all().count() >= 10
    assert await Citizen.all().count() == 8
    assert await StaffUser.all().count() == 5
    for code, (status, overdue) in README_DOSSIERS.items():
        dossier = await Dossier.get(code=code)
        assert (dossier.status.value, is_overdue(dossier)) == (status, overdue), code
    statuses = set(await Dossier.all().values_list("status", flat=True))
    assert statuses == set(DossierStatus)
    assert await OfficeSlot.all().count() > 100
    # The demo's history is not a backlog for the worker.
    assert await OutboxMessage.filter(status=OutboxStatus.QUEUED).count() == 0
    assert "demo data loaded" in lines

    slots = await OfficeSlot.all().count()
    again: list[str] = []
    await load_demo_data(out=again.append)
    assert "demo data already loaded" in again
    assert await Dossier.all().count() == len(README_DOSSIERS) + len(RECENT)
    assert await OfficeSlot.all().count() == slots
