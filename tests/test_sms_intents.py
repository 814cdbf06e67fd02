"""SMS journeys a person can finish (issue 15): words are not dossier codes, plain language finds
the right answer before help does, and a reply neither repeats itself nor cuts what fits. Each
through the real door, in both gateway formats."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from channels.summaries import dossier_summary
from domain.appointments.booking import book_appointment
from domain.catalogue import text
from domain.dossiers.records import SYSTEM, DossierView, move_dossier, receive_dossier
from domain.local_time import utc_now
from domain.sms_text import to_sms_text
from models import Citizen, Dossier
from models.enums import DossierStatus, Language
from tests.factories import make_agency, make_citizen, make_office, make_procedure, make_slot
from tests.sms_door import sms_reply

OWNER, STRANGER = "+84901234567", "+84912345678"
OFFICE = "Bo phan mot cua UBND phuong Sai Gon"  # 35 characters: more than a list used to show
ADAPTERS = ["generic", "africastalking"]


@pytest.fixture
async def city(db) -> dict[str, Any]:
    """An owner with an open dossier, a returned one and an appointment; a stranger."""
    agency = await make_agency()
    office = await make_office(agency)
    owner = await make_citizen(OWNER)
    await make_citizen(STRANGER, name="Trần Thị Bình")
    open_one = await receive_dossier(
        citizen=owner, procedure=await make_procedure(agency), office=office, actor=SYSTEM
    )
    done = await receive_dossier(
        citizen=owner,
        procedure=await make_procedure(agency, code="2.000720"),
        office=office,
        actor=SYSTEM,
    )
    for status in (
        DossierStatus.IN_PROGRESS,
        DossierStatus.RESULT_READY,
        DossierStatus.RETURNED,
    ):
        await move_dossier(dossier_id=done.id, to_status=status, actor=SYSTEM)
    slot = await make_slot(office, starts_in=timedelta(days=2))
    appointment = await book_appointment(citizen=owner, slot_id=slot.id)
    return {"open": open_one.code, "done": done.code, "ref": appointment.id}


async def text_in(client, adapter: str, text: str, phone: str = OWNER) -> str:
    return await sms_reply(client, adapter, text, phone=phone)


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_words_are_not_dossier_codes(client, city, adapter):
    for words in ("Hồ sơ của tôi đâu?", "HS cua toi", "HS"):
        reply = await text_in(client, adapter, words)
        assert reply.startswith("Ho so cua ong/ba: "), (words, reply)
        assert city["open"] in reply and city["done"] in reply
        assert "Khong tim thay" not in reply
    assert (await text_in(client, adapter, "Hồ sơ của tôi đâu?", STRANGER)).startswith(
        "So nay chua co ho so nao."
    )


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_a_dossier_code_sent_alone_answers_its_status(client, city, adapter):
    code = city["open"]  # H29.99-YYMMDD-0001, as `H29.15-260914-0001` in the issue
    agency, day, number = code.split("-")
    digits = agency[1:].replace(".", "")
    for form in (
        code,
        f"{agency.replace('.', '').lower()} {day} {number}",  # h2915 260914 0001
        f"{digits}{day} {number}",  # its digits
        f"{digits}{day}{number}",
    ):
        reply = await text_in(client, adapter, form)
        assert reply.startswith(f"Ho so {code}: Moi tiep nhan. Hen tra: "), (form, reply)


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("When is my appointment?", "Lich hen: {ref}: "),
        ("lich hen cua toi", "Lich hen: {ref}: "),
        ("khi nao toi co lich hen?", "Lich hen: {ref}: "),
        ("cho toi hoi ho so cua toi da xong chua", "Ho so cua ong/ba: "),
        ("what is the status of my application", "Ho so cua ong/ba: "),
        ("Xin chào", "Dich vu cong TP.HCM. Soan: HS <ma ho so>"),  # help, the last resort
    ],
)
async def test_plain_language_reaches_its_answer_before_help(client, city, adapter, text, starts):
    reply = await text_in(client, adapter, text)
    assert reply.startswith(starts.format(**city)), reply


async def test_a_new_number_asking_in_english_is_answered_in_english(client, city):
    reply = await text_in(client, "generic", "When is my appointment?", "+84987654321")
    assert reply == "You have no upcoming appointments."
    assert (await Citizen.get(phone="+84987654321")).language == Language.EN


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_a_status_reply_says_each_thing_once(client, city, adapter):
    reply = await text_in(client, adapter, f"hs {city['done'].lower()}")
    assert reply.startswith(f"Ho so {city['done']}: Da tra ket qua. Hen tra: ")
    assert reply.count("Da tra ket qua") == 1, reply
    await Dossier.filter(code=city["open"]).update(status=DossierStatus.IN_PROGRESS)
    reply = await text_in(client, adapter, f"HS {city['open']}")
    assert reply.count("Dang xu ly") == 1, reply


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_the_appointment_list_names_the_office_as_far_as_the_segment_allows(
    client, city, adapter
):
    reply = await text_in(client, adapter, "LH")
    assert f"{city['ref']}: " in reply and OFFICE in reply, reply
    owner = await Citizen.get(phone=OWNER)
    office = await make_office()
    for days in range(3, 9):
        slot = await make_slot(office, starts_in=timedelta(days=days))
        await book_appointment(citizen=owner, slot_id=slot.id)
    crowded = await text_in(client, adapter, "LH")
    assert crowded.startswith(f"Lich hen: {city['ref']}: ") and crowded.count("; ") >= 1
    assert len(crowded) > 140, crowded  # the room is used, not left empty


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("status", list(DossierStatus))
async def test_no_summary_says_its_status_twice(db, status, language):
    dossier = Dossier(
        code="H29.99-261005-0001", status=status, due_at=utc_now(), status_note="Thieu CCCD"
    )
    summary = dossier_summary(DossierView(dossier, full=True, overdue=False), language)
    word = to_sms_text(text(f"status.{status.value}", language))
    assert summary.lower().count(word.lower()) == 1, summary
