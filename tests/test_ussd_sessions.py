"""USSD session rows: found while live, resumed once, dropped by the worker after a day."""

from __future__ import annotations

from datetime import timedelta

from domain.local_time import utc_now
from domain.ussd_sessions import (
    RESUME_WINDOW,
    load_ussd_session,
    new_ussd_session,
    open_ussd_caller,
    purge_expired_ussd_sessions,
    save_ussd_session,
    take_over_ussd_session,
)
from models import Citizen, UssdSession
from tests.factories import make_citizen


async def _session(citizen: Citizen, session_id: str, *, resumable: bool) -> UssdSession:
    session = new_ussd_session(session_id=session_id, citizen=citizen, screen="book_day")
    session.state = {"params": {"office": 1}, "stack": [["main", {}]]}
    session.resumable = resumable
    assert await save_ussd_session(session=session)
    return session


async def test_a_live_session_is_read_back_with_its_citizen(db):
    citizen = await make_citizen()
    session = await _session(citizen, "ATUid_1", resumable=True)
    session.last_text, session.hops = "3*1", 2
    assert await save_ussd_session(session=session)
    loaded = await load_ussd_session(session_id="ATUid_1")
    assert loaded is not None and loaded.citizen.phone == citizen.phone
    assert (loaded.screen, loaded.state["params"], loaded.last_text, loaded.hops) == (
        "book_day",
        {"office": 1},
        "3*1",
        2,
    )
    await UssdSession.filter(id=session.id).update(expires_at=utc_now() - timedelta(seconds=1))
    assert await load_ussd_session(session_id="ATUid_1") is None


async def test_a_twin_first_hop_loses_to_the_one_saved_first(db):
    citizen = await make_citizen()
    await _session(citizen, "ATUid_2", resumable=False)
    twin = new_ussd_session(session_id="ATUid_2", citizen=citizen, screen="main")
    assert not await save_ussd_session(session=twin)
    await UssdSession.filter(session_id="ATUid_2").update(expires_at=utc_now() - timedelta(hours=1))
    assert await save_ussd_session(session=twin)  # an expired id makes way


async def test_a_dropped_session_is_offered_and_taken_over_once(db):
    citizen = await make_citizen()
    dropped = await _session(citizen, "ATUid_3", resumable=True)
    caller, offered = await open_ussd_caller(phone="0901234567")
    assert caller.id == citizen.id and offered == dropped.id
    assert await take_over_ussd_session(session_pk=dropped.id, phone=citizen.phone) == (
        "book_day",
        {"params": {"office": 1}, "stack": [["main", {}]]},
    )
    assert await take_over_ussd_session(session_pk=dropped.id, phone=citizen.phone) is None
    assert (await open_ussd_caller(phone=citizen.phone))[1] is None


async def test_an_unknown_caller_becomes_a_citizen(db):
    caller, offered = await open_ussd_caller(phone="+84387654321")
    assert offered is None
    assert await Citizen.filter(id=caller.id, phone="+84387654321").exists()


async def test_sessions_expired_for_a_day_are_purged(db):
    citizen = await make_citizen()
    await _session(citizen, "ATUid_old", resumable=False)
    await _session(citizen, "ATUid_new", resumable=False)
    await UssdSession.filter(session_id="ATUid_old").update(
        expires_at=utc_now() - timedelta(days=1, minutes=1)
    )
    assert await purge_expired_ussd_sessions() == 1
    assert await purge_expired_ussd_sessions(now=utc_now() + timedelta(days=1) + RESUME_WINDOW) == 1
    assert await UssdSession.all().count() == 0
