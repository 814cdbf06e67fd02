"""The dossier lifecycle on a real database: every move, codes, deadlines, owner-aware lookup."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.citizens import set_citizen_cccd
from domain.dossiers.codes import code_digits_key
from domain.dossiers.lifecycle import TRANSITIONS
from domain.dossiers.records import (
    Actor,
    dossier_timeline,
    find_dossier_by_code,
    is_overdue,
    lookup_dossier,
    move_dossier,
    receive_dossier,
    unlock_dossier,
)
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests
from domain.holidays import add_holiday
from models import Dossier, OutboxMessage
from models.enums import ActorKind, DossierStatus
from tests.factories import make_agency, make_citizen, make_office, make_procedure

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICER = Actor(ActorKind.STAFF, "officer-1")
S = DossierStatus

# The shortest path from `received` to each status, so any move can be tried from any state.
PATH_TO = {
    S.RECEIVED: [],
    S.IN_PROGRESS: [S.IN_PROGRESS],
    S.NEEDS_SUPPLEMENT: [S.NEEDS_SUPPLEMENT],
    S.RESULT_READY: [S.IN_PROGRESS, S.RESULT_READY],
    S.RETURNED: [S.IN_PROGRESS, S.RESULT_READY, S.RETURNED],
    S.REJECTED: [S.REJECTED],
    S.WITHDRAWN: [S.WITHDRAWN],
}
ALL_MOVES = [(a, b) for a in S for b in S]


async def _setup(days: int = 3):
    agency = await make_agency()
    office = await make_office(agency)
    procedure = await make_procedure(agency, days=days)
    citizen = await make_citizen()
    return citizen, procedure, office


async def _receive(citizen, procedure, office, at: datetime | None = None) -> Dossier:
    return await receive_dossier(
        citizen=citizen, procedure=procedure, office=office, actor=OFFICER, received_at=at
    )


async def _walk(dossier: Dossier, path: list[DossierStatus]) -> Dossier:
    for status in path:
        dossier = await move_dossier(
            dossier_id=dossier.id, to_status=status, actor=OFFICER, note="lý do"
        )
    return dossier


@pytest.mark.parametrize(("from_status", "to_status"), ALL_MOVES, ids=lambda s: s.value)
async def test_every_move_is_allowed_or_refused_by_the_table(db, from_status, to_status):
    dossier = await _walk(await _receive(*await _setup()), PATH_TO[from_status])
    assert dossier.status == from_status
    events_before = await dossier_timeline(dossier=dossier)
    if to_status in TRANSITIONS[from_status]:
        moved = await move_dossier(
            dossier_id=dossier.id, to_status=to_status, actor=OFFICER, note="ghi chú"
        )
        assert moved.status == to_status
        timeline = await dossier_timeline(dossier=dossier)
        assert len(timeline) == len(events_before) + 1
        assert (timeline[-1].from_status, timeline[-1].to_status) == (from_status, to_status)
    else:
        with pytest.raises(Conflict) as caught:
            await move_dossier(dossier_id=dossier.id, to_status=to_status, actor=OFFICER, note="x")
        assert caught.value.code == "illegal_transition"
        assert (await Dossier.get(id=dossier.id)).status == from_status
        assert len(await dossier_timeline(dossier=dossier)) == len(events_before)


async def test_reason_is_required_for_supplement_and_rejection(db):
    dossier = await _receive(*await _setup())
    for status in (S.NEEDS_SUPPLEMENT, S.REJECTED):
        with pytest.raises(InvalidInput) as caught:
            await move_dossier(dossier_id=dossier.id, to_status=status, actor=OFFICER, note=" ")
        assert caught.value.code == "reason_required"
    assert (await Dossier.get(id=dossier.id)).status == S.RECEIVED


async def test_moving_an_unknown_dossier_is_not_found(db):
    with pytest.raises(NotFound):
        await move_dossier(dossier_id=987654, to_status=S.IN_PROGRESS, actor=OFFICER)


async def test_receipt_gives_code_deadline_event_and_a_queued_sms(db):
    citizen, procedure, office = await _setup(days=3)
    received = datetime(2026, 11, 20, 16, 30, tzinfo=HCM)  # Friday after the 15:00 cut-off
    dossier = await _receive(citizen, procedure, office, received)
    assert dossier.code == "H29.99-261120-0001"
    # Clock starts Monday 23, plus 3 working days: Thursday 26 November, end of office hours.
    assert dossier.due_at.astimezone(HCM) == datetime(2026, 11, 26, 17, 0, tzinfo=HCM)
    message = await OutboxMessage.get(citizen=citizen)
    assert message.template == "dossier_received"
    assert "H29.99-261120-0001" in message.body and "26/11/2026" in message.body
    assert message.status == "queued"


async def test_codes_count_per_agency_and_day(db):
    citizen, procedure, office = await _setup()
    other_office = await make_office(await make_agency("H29.98", "UBND phường Bến Thành"))
    day = datetime(2026, 11, 23, 9, 0, tzinfo=HCM)
    first = await _receive(citizen, procedure, office, day)
    second = await _receive(citizen, procedure, office, day + timedelta(hours=1))
    elsewhere = await _receive(citizen, procedure, other_office, day)
    next_day = await _receive(citizen, procedure, office, day + timedelta(days=1))
    assert [first.code, second.code, elsewhere.code, next_day.code] == [
        "H29.99-261123-0001",
        "H29.99-261123-0002",
        "H29.98-261123-0001",
        "H29.99-261124-0001",
    ]


async def test_concurrent_receipts_get_distinct_consecutive_codes(db):
    citizen, procedure, office = await _setup()
    day = datetime(2026, 11, 23, 9, 0, tzinfo=HCM)
    dossiers = await asyncio.gather(*(_receive(citizen, procedure, office, day) for _ in range(20)))
    numbers = sorted(int(d.code.rsplit("-", 1)[1]) for d in dossiers)
    assert numbers == list(range(1, 21))


async def test_deadline_skips_tet_holidays_from_the_database(db):
    citizen, procedure, office = await _setup(days=3)
    for day in range(16, 21):
        await add_holiday(day=datetime(2026, 2, day).date(), name_vi="Tết", name_en="Tet")
    dossier = await _receive(citizen, procedure, office, datetime(2026, 2, 13, 10, tzinfo=HCM))
    # Fri 13 Feb counts as day 0; Tết week is skipped; 3 working days later is Wed 25 Feb.
    assert dossier.due_at.astimezone(HCM) == datetime(2026, 2, 25, 17, 0, tzinfo=HCM)


async def test_clock_stops_while_waiting_for_a_supplement(db):
    citizen, procedure, office = await _setup(days=3)
    dossier = await _receive(citizen, procedure, office, datetime(2026, 11, 23, 9, tzinfo=HCM))
    assert dossier.due_at.astimezone(HCM).date() == datetime(2026, 11, 26).date()
    paused = await move_dossier(
        dossier_id=dossier.id,
        to_status=S.NEEDS_SUPPLEMENT,
        actor=OFFICER,
        note="Thiếu bản sao CCCD",
        at=datetime(2026, 11, 24, 10, tzinfo=HCM),
    )
    # While paused the dossier is never overdue, even long after its old deadline.
    assert not is_overdue(paused, now=datetime(2026, 12, 31, tzinfo=HCM))
    resumed = await move_dossier(
        dossier_id=dossier.id,
        to_status=S.IN_PROGRESS,
        actor=OFFICER,
        at=datetime(2026, 11, 30, 9, tzinfo=HCM),  # Monday, the citizen brought the paper
    )
    # Waited Wed 25, Thu 26, Fri 27, Mon 30 = 4 working days: due moves from Thu 26 to Wed 2 Dec.
    assert resumed.due_at.astimezone(HCM) == datetime(2026, 12, 2, 17, 0, tzinfo=HCM)
    assert resumed.paused_at is None


async def test_overdue_only_while_the_clock_runs(db):
    citizen, procedure, office = await _setup(days=1)
    received = datetime(2026, 11, 23, 9, tzinfo=HCM)
    dossier = await _receive(citizen, procedure, office, received)
    late = datetime(2026, 11, 25, 9, tzinfo=HCM)
    assert not is_overdue(dossier, now=datetime(2026, 11, 24, 16, 59, tzinfo=HCM))
    assert is_overdue(dossier, now=late)
    finished = await _walk(dossier, [S.IN_PROGRESS, S.RESULT_READY])
    assert finished.finished_at is not None
    assert not is_overdue(finished, now=late)


async def test_finished_time_is_kept_when_the_result_is_returned(db):
    dossier = await _walk(await _receive(*await _setup()), [S.IN_PROGRESS, S.RESULT_READY])
    ready_at = dossier.finished_at
    returned = await _walk(dossier, [S.RETURNED])
    assert returned.finished_at == ready_at


async def test_messages_follow_the_moves_the_citizen_cares_about(db):
    dossier = await _receive(*await _setup())
    await _walk(dossier, [S.IN_PROGRESS, S.NEEDS_SUPPLEMENT, S.IN_PROGRESS, S.RESULT_READY])
    templates = await OutboxMessage.all().order_by("created_at").values_list("template", flat=True)
    assert templates == ["dossier_received", "dossier_needs_supplement", "dossier_result_ready"]


async def test_a_refused_move_writes_no_message(db):
    dossier = await _receive(*await _setup())
    before = await OutboxMessage.all().count()
    with pytest.raises(Conflict):
        await move_dossier(dossier_id=dossier.id, to_status=S.RETURNED, actor=OFFICER)
    assert await OutboxMessage.all().count() == before


async def test_owner_sees_everything_others_the_status_word(db):
    owner, procedure, office = await _setup()
    await set_citizen_cccd(citizen=owner, cccd="079085001234")
    stranger = await make_citizen("0912345678", "Trần Thị Bình")
    dossier = await _receive(owner, procedure, office)

    mine = await lookup_dossier(code=dossier.code, viewer=owner)
    assert mine.full and mine.dossier.id == dossier.id

    anonymous = await lookup_dossier(code=dossier.code)
    assert not anonymous.full and anonymous.dossier.status == S.RECEIVED

    theirs = await lookup_dossier(code=dossier.code, viewer=stranger)
    assert not theirs.full

    helped = await lookup_dossier(code=dossier.code, viewer=stranger, cccd_last4="1234")
    assert helped.full

    with pytest.raises(Forbidden) as caught:
        await lookup_dossier(code=dossier.code, viewer=stranger, cccd_last4="9999")
    assert caught.value.code == "cccd_mismatch"


async def test_cccd_digits_do_not_open_a_dossier_whose_owner_gave_none(db):
    owner, procedure, office = await _setup()
    dossier = await _receive(owner, procedure, office)
    with pytest.raises(Forbidden):
        await lookup_dossier(code=dossier.code, cccd_last4="0000")


async def test_lookup_accepts_codes_as_typed_on_a_keypad(db):
    citizen, procedure, office = await _setup()
    dossier = await _receive(citizen, procedure, office, datetime(2026, 11, 23, 9, tzinfo=HCM))
    for typed in (
        "H29.99-261123-0001",
        "h29.99-261123-0001",
        "H2999 261123 0001",
        "h2999-261123-0001",
        "2999261123 0001",
        "29992611230001",
    ):
        assert (await find_dossier_by_code(code=typed)).id == dossier.id
    for typed in ("H29.99-261123-0002", "", "---", "2999261123"):
        with pytest.raises(NotFound):
            await find_dossier_by_code(code=typed)


async def test_digits_shared_by_two_agencies_ask_for_the_full_code(db):
    citizen, procedure, office = await _setup()
    twin_office = await make_office(await make_agency("G29.99", "Cơ quan khác"))
    day = datetime(2026, 11, 23, 9, tzinfo=HCM)
    await _receive(citizen, procedure, office, day)
    await _receive(citizen, procedure, twin_office, day)
    with pytest.raises(Conflict) as caught:
        await find_dossier_by_code(code="2999 261123 0001")
    assert caught.value.code == "dossier_code_ambiguous"
    assert (await find_dossier_by_code(code="g2999-261123-0001")).code == "G29.99-261123-0001"


async def test_a_wrong_cccd_says_the_tries_left_and_the_last_one_when_to_come_back(db):
    owner, procedure, office = await _setup()
    await set_citizen_cccd(citizen=owner, cccd="079085001234")
    dossier = await _receive(owner, procedure, office)
    caller = "+84912345678"
    for left in (4, 3, 2, 1):
        with pytest.raises(Forbidden) as caught:
            await unlock_dossier(code=dossier.code, caller_phone=caller, cccd_last4="0000")
        assert (caught.value.code, caught.value.params) == ("cccd_mismatch", {"tries_left": left})
    with pytest.raises(TooManyRequests) as last:
        await unlock_dossier(code=dossier.code, caller_phone=caller, cccd_last4="0000")
    assert last.value.code == "cccd_tries_used" and 1 <= last.value.retry_after <= 15 * 60
    with pytest.raises(TooManyRequests) as after:
        await unlock_dossier(code=dossier.code, caller_phone=caller, cccd_last4="1234")
    assert after.value.code == "too_many_requests"


async def test_a_looked_up_dossier_comes_with_its_procedure(db):
    owner, procedure, office = await _setup()
    dossier = await _receive(owner, procedure, office)
    for typed in (dossier.code, code_digits_key(dossier.code)):
        found = await find_dossier_by_code(code=typed)
        assert found.procedure.name_vi == procedure.name_vi  # loaded, not a query away
