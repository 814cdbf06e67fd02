"""Overdue apologies: one per missed deadline, with a new date; none for paused or finished work."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.alerts.apologies import send_overdue_apologies
from domain.dossiers.records import Actor, move_dossier, receive_dossier
from models import Dossier, OutboxMessage
from models.enums import ActorKind, DossierStatus
from tests.factories import make_agency, make_citizen, make_office, make_procedure

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICER = Actor(ActorKind.STAFF, "officer-1")


async def _dossier(days: int = 3) -> Dossier:
    agency = await make_agency()
    return await receive_dossier(
        citizen=await make_citizen(),
        procedure=await make_procedure(agency, days=days),
        office=await make_office(agency),
        actor=OFFICER,
        received_at=datetime(2026, 11, 23, 9, 0, tzinfo=HCM),  # due Thu 26 Nov 17:00
    )


async def _apologies() -> list[str]:
    return await OutboxMessage.filter(template="dossier_overdue_apology").values_list(
        "body", flat=True
    )


async def test_an_overdue_dossier_gets_one_apology_with_a_new_date(db):
    dossier = await _dossier(days=3)
    before_due = datetime(2026, 11, 26, 16, 0, tzinfo=HCM)
    assert await send_overdue_apologies(now=before_due) == 0
    late = datetime(2026, 11, 27, 9, 0, tzinfo=HCM)  # Friday morning
    assert await send_overdue_apologies(now=late) == 1
    assert await send_overdue_apologies(now=late + timedelta(hours=1)) == 0
    (body,) = await _apologies()
    # Half of 3 working days, rounded up: 2 working days from Friday -> Tuesday 1 December.
    assert dossier.code in body and "26/11/2026" in body and "01/12/2026" in body
    stored = await Dossier.get(id=dossier.id)
    assert stored.promised_at is not None
    assert stored.promised_at.astimezone(HCM) == datetime(2026, 12, 1, 17, 0, tzinfo=HCM)


async def test_paused_and_finished_dossiers_get_no_apology(db):
    paused = await _dossier()
    await move_dossier(
        dossier_id=paused.id,
        to_status=DossierStatus.NEEDS_SUPPLEMENT,
        actor=OFFICER,
        note="Thiếu bản sao CCCD",
        at=datetime(2026, 11, 24, 9, tzinfo=HCM),
    )
    assert await send_overdue_apologies(now=datetime(2026, 12, 20, 9, tzinfo=HCM)) == 0


async def test_a_new_deadline_missed_again_brings_a_second_apology(db):
    dossier = await _dossier()
    assert await send_overdue_apologies(now=datetime(2026, 11, 27, 9, tzinfo=HCM)) == 1
    await move_dossier(
        dossier_id=dossier.id,
        to_status=DossierStatus.NEEDS_SUPPLEMENT,
        actor=OFFICER,
        note="Thiếu bản vẽ",
        at=datetime(2026, 11, 27, 10, tzinfo=HCM),
    )
    await move_dossier(
        dossier_id=dossier.id,
        to_status=DossierStatus.IN_PROGRESS,
        actor=OFFICER,
        at=datetime(2026, 12, 1, 9, tzinfo=HCM),
    )
    resumed = await Dossier.get(id=dossier.id)
    assert resumed.apology_sent_at is None
    assert await send_overdue_apologies(now=resumed.due_at + timedelta(hours=1)) == 1
    assert len(await _apologies()) == 2
