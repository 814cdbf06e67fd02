"""Real-world texts, as citizens type them, through the SMS door: each gets the reply it should,
in the citizen's language, in one GSM-7 segment once diacritics are folded."""

from __future__ import annotations

import asyncio
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from channels.sms.keywords import KEYWORDS, Action, parse_command, words_of
from domain.appointments.booking import book_appointment
from domain.dossiers.records import Actor, receive_dossier
from domain.sms_text import measure_sms, to_sms_text
from models import Appointment, Citizen, ConsentRecord, InboundMessage, OutboxMessage
from models.enums import ActorKind, AppointmentStatus, Language
from tests.factories import make_agency, make_citizen, make_office, make_procedure, make_slot

OWNER = "0901234567"
STRANGER = "0912345678"
NFD = "nfd:"  # a message sent decomposed, as some phones do


@dataclass(frozen=True)
class Case:
    text: str
    template: str
    says: str = ""  # part of the folded reply, with {code} and {ref} filled in
    sender: str = OWNER
    language: Language = Language.VI


V, E = Language.VI, Language.EN
CASES = [
    # dossier status, every way people type a code
    Case("hs {lower}", "reply_dossier", "Ho so {code}: Moi tiep nhan. Hen tra:"),
    Case("HS {code}", "reply_dossier", "Ho so {code}: Moi tiep nhan."),
    Case("HỒ SƠ {spaced}", "reply_dossier", "Ho so {code}: Moi tiep nhan."),
    Case(NFD + "Hồ sơ {code}", "reply_dossier", "Ho so {code}:"),
    Case("Ho so: {code}", "reply_dossier", "Ho so {code}:"),
    Case("hoso {nodots}", "reply_dossier", "Ho so {code}:"),
    Case("HS{code}", "reply_dossier", "Ho so {code}:"),
    Case("   hs     {code}   ", "reply_dossier", "Ho so {code}:"),
    Case("HS {compact}", "reply_dossier", "Ho so {code}:"),
    Case("hs {digits}", "reply_dossier", "Ho so {code}:"),
    Case("Tra cứu hồ sơ {code}", "reply_dossier", "Ho so {code}:"),
    Case("HS: {code}!", "reply_dossier", "Ho so {code}:"),
    Case("hs {lower}.", "reply_dossier", "Ho so {code}:"),
    Case("status {lower}", "reply_dossier", "Dossier {code}: Received. Due:", language=E),
    Case("STATUS {nodots}", "reply_dossier", "Dossier {code}: Received.", language=E),
    Case("Status: {digits}", "reply_dossier", "Dossier {code}:", language=E),
    Case("check {code}", "reply_dossier", "Dossier {code}:", language=E),
    Case("HS {code}", "reply_dossier_limited", "Ho so {code}: Moi tiep nhan. Xem", STRANGER),
    Case("STATUS {code}", "reply_dossier_limited", "owner's phone", STRANGER, E),
    Case("HS H29.99-991231-9999", "reply_dossier_not_found", "tim thay ho so H29 99 991231 9999."),
    Case("status H2999 991231 9999", "reply_dossier_not_found", "No dossier H2999", language=E),
    # no code: the sender's own dossiers
    Case("hs", "reply_my_dossiers", "Ho so cua ong/ba: {code} Moi tiep nhan - Chi tiet"),
    Case("Hồ sơ:", "reply_my_dossiers", "Ho so cua ong/ba: {code}"),
    Case("Hồ sơ của tôi đâu?", "reply_my_dossiers", "Ho so cua ong/ba: {code}"),
    Case("STATUS", "reply_my_dossiers", "Your dossiers: {code} Received", language=E),
    Case("hs cua toi", "reply_no_dossiers", "chua co ho so nao", STRANGER),
    Case("status please", "reply_no_dossiers", "No dossiers for this number.", STRANGER, E),
    # a code alone, in any form
    Case("{code}", "reply_dossier", "Ho so {code}: Moi tiep nhan. Hen tra:"),
    Case("{spaced}", "reply_dossier", "Ho so {code}:"),
    Case("{digits}", "reply_dossier", "Ho so {code}:"),
    Case("{code} cam on", "reply_dossier", "Ho so {code}:"),
    Case("{lower}", "reply_dossier_limited", "Ho so {code}: Moi tiep nhan. Xem", STRANGER),
    # appointments
    Case("LH", "reply_appointments", "Lich hen: {ref}: "),
    Case("lh", "reply_appointments", "Lich hen: {ref}: "),
    Case("Lịch hẹn", "reply_appointments", " - Huy: soan HUY <ma>"),
    Case("lich  hen", "reply_appointments", "Lich hen: {ref}: "),
    Case("APPT", "reply_appointments", "Appointments: {ref}: ", language=E),
    Case("appointments", "reply_appointments", " - To cancel: text CANCEL <ref>", language=E),
    Case("LH", "reply_no_appointments", "khong co lich hen", STRANGER),
    Case("appt", "reply_no_appointments", "no upcoming", STRANGER, E),
    # cancelling
    Case("HUY {ref}", "reply_cancelled", "Da huy. Lich hen {ref}: "),
    Case("Hủy {ref}", "reply_cancelled", "Da huy. Lich hen {ref}: "),
    Case("huy lich hen {ref}", "reply_cancelled", "Da huy."),
    Case("HUY{ref}", "reply_cancelled", "Da huy."),
    Case("huỷ số {ref}", "reply_cancelled", "Da huy."),
    Case("cancel {ref}", "reply_cancelled", "Cancelled. Appointment {ref}: ", language=E),
    Case("CANCEL #{ref}", "reply_cancelled", "Cancelled.", language=E),
    Case("HUY", "reply_cancel_usage", "soan HUY <ma lich hen>"),
    Case("huy abc", "reply_cancel_usage", "Xem ma lich hen: soan LH"),
    Case("cancel", "reply_cancel_usage", "text CANCEL <ref>", language=E),
    Case("HUY 999999", "reply_appointment_not_found", "Khong co lich hen ma 999999."),
    Case("HUY {ref}", "reply_appointment_not_found", "ma {ref}", STRANGER),
    Case("cancel 999999", "reply_appointment_not_found", "ref 999999", language=E),
    # help, and everything we do not understand
    Case("TG", "reply_help", "Dich vu cong TP.HCM. Soan: HS <ma ho so>"),
    # a request from a basic phone: none can be made so in this world
    Case("NOP", "reply_request_none", "Hien chua co thu tuc nao nop duoc qua SMS."),
    Case("apply", "reply_request_none", "Nothing can be requested by SMS yet.", language=E),
    Case("tg", "reply_help", "LH xem lich hen"),
    Case("Trợ giúp", "reply_help", "TU CHOI"),
    Case("HELP", "reply_help", "HCMC public services. Text: STATUS", language=E),
    Case("help", "reply_help", "Dich vu cong"),  # the citizen's language, not the keyword's
    Case("?", "reply_help", "Dich vu cong"),
    Case("", "reply_help", "Dich vu cong"),
    Case("Xin chào", "reply_help", "Dich vu cong"),
    Case("Vì sao hồ sơ của tôi chưa xong?", "reply_my_dossiers", "Ho so cua ong/ba: {code}"),
    Case("079085001234", "reply_help", "Dich vu cong"),  # a CCCD is not a dossier code
    Case("0901234567", "reply_help", "Dich vu cong"),  # nor is a phone number
    Case("hello", "reply_help", "HCMC public services", language=E),
    # alerts off and on
    Case("TU CHOI", "reply_stopped", "da ngung nhan tin nhac"),
    Case("Từ chối", "reply_stopped", "Soan DK de nhan lai."),
    Case(NFD + "từ chối", "reply_stopped", "Ma OTP van duoc gui."),
    Case("tuchoi", "reply_stopped", "da ngung"),
    Case("STOP", "reply_stopped", "no more alerts", language=E),
    Case("stop", "reply_stopped", "da ngung"),
    Case("DK", "reply_started", "se nhan lai tin nhac"),
    Case("Đăng ký", "reply_started", "Soan TU CHOI de ngung."),
    Case("ĐK", "reply_started", "se nhan lai"),
    Case(NFD + "đk", "reply_started", "se nhan lai"),
    Case("START", "reply_started", "alerts from HCMC public services again", language=E),
    # language
    Case("EN", "reply_language", "Messages will now be in English."),
    Case("en", "reply_language", "in English"),
    Case("English", "reply_language", "in English"),
    Case("VI", "reply_language", "Tin nhan se duoc gui bang tieng Viet.", language=E),
    Case("Tiếng Việt", "reply_language", "bang tieng Viet", language=E),
    Case("vi", "reply_language", "bang tieng Viet", language=E),
]


@pytest.fixture
async def world(db) -> dict[str, Any]:
    """An owner with one fresh dossier and one booked appointment; a stranger with neither."""
    agency = await make_agency()
    office = await make_office(agency)
    procedure = await make_procedure(agency)
    owner = await make_citizen(OWNER)
    await make_citizen(STRANGER, name="Trần Thị Bình")
    dossier = await receive_dossier(
        citizen=owner, procedure=procedure, office=office, actor=Actor(ActorKind.STAFF, "cb")
    )
    slot = await make_slot(office, starts_in=timedelta(days=2))
    appointment = await book_appointment(citizen=owner, slot_id=slot.id)
    code = dossier.code
    return {
        "code": code,
        "lower": code.lower(),
        "nodots": code.replace(".", ""),
        "spaced": code.replace(".", "").replace("-", " "),
        "compact": code.replace(".", "").replace("-", ""),
        "digits": "".join(ch for ch in code if ch.isdigit() or ch == "-").replace("-", " "),
        "ref": appointment.id,
    }


def _typed(case: Case, world: dict[str, Any]) -> str:
    text = case.text.removeprefix(NFD).format(**world)
    return unicodedata.normalize("NFD", text) if case.text.startswith(NFD) else text


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c.sender[-3:]}-{c.language}-{c.text}" for c in CASES]
)
async def test_a_real_world_text_gets_its_reply(client, world, case):
    phone = "+84" + case.sender[1:]
    await Citizen.filter(phone=phone).update(language=case.language)
    response = await client.post(
        "/channels/sms/generic/inbound",
        json={"id": "msg-1", "from": phone, "text": _typed(case, world)},
    )
    assert response.status_code == 200
    record = await InboundMessage.get(gateway_message_id="msg-1")
    assert record.reply_id is not None, "never silence"
    reply = await OutboxMessage.get(id=record.reply_id)
    sent = to_sms_text(reply.body)
    assert reply.template == case.template, sent
    assert case.says.format(**world) in sent
    encoding = measure_sms(sent)
    assert (encoding.encoding, encoding.segments) == ("GSM-7", 1), sent


def test_at_least_forty_variants_cover_every_keyword():
    assert len(CASES) >= 40
    assert {parse_command(c.text.removeprefix(NFD)).action for c in CASES} == set(Action)
    spelled = {s for k in KEYWORDS for spellings in k.spellings.values() for s in spellings}
    assert {"HS", "HO SO", "STATUS", "LH", "APPT", "HUY", "CANCEL", "TG", "HELP"} <= spelled
    assert {"TU CHOI", "STOP", "DK", "START", "EN", "VI"} <= spelled


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Hồ sơ: h29.99-251123-0042", ["HO", "SO", "H29", "99", "251123", "0042"]),
        (unicodedata.normalize("NFD", "HỒ SƠ"), ["HO", "SO"]),
        ("đăng ký", ["DANG", "KY"]),
        ("  HUY\t#12 ", ["HUY", "12"]),
    ],
)
def test_messages_are_folded_to_plain_words(text, words):
    assert words_of(text) == words


@pytest.mark.parametrize(
    ("text", "action", "argument"),
    [
        ("HUY DK", Action.STOP, None),
        ("huy dang ky", Action.STOP, None),
        ("HUY 12 13", Action.CANCEL, None),
        ("HUY 1234567890", Action.CANCEL, None),
        ("huyen", Action.UNKNOWN, None),
        ("EN please", Action.UNKNOWN, None),
        ("STOP sending me these", Action.STOP, None),
        ("cancel ref 12", Action.CANCEL, "12"),
        ("HS H29.99-251123-0042 xin cam on", Action.STATUS, "H29 99 251123 0042"),
        ("Ho so cua toi dau", Action.STATUS, None),
        ("HS cua toi H2999 251123 0042", Action.STATUS, "H2999 251123 0042"),
        ("check my appointment", Action.APPOINTMENTS, None),
        ("toi muon huy lich hen 12", Action.APPOINTMENTS, None),  # never a guessed cancel
        ("please stop", Action.UNKNOWN, None),  # nor a guessed STOP
        ("079085001234", Action.UNKNOWN, None),
    ],
)
def test_edge_cases_of_the_grammar(text, action, argument):
    command = parse_command(text)
    assert (command.action, command.argument) == (action, argument)


async def test_cancel_by_sms_frees_the_seat_and_sends_one_confirmation(client, world):
    before = await OutboxMessage.all().count()
    await client.post(
        "/channels/sms/generic/inbound",
        json={"id": "c-1", "from": "+84901234567", "text": f"HUY {world['ref']}"},
    )
    appointment = await Appointment.get(id=world["ref"]).prefetch_related("slot")
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.slot.booked == 0
    new = await OutboxMessage.filter().order_by("-created_at").limit(5)
    assert await OutboxMessage.all().count() == before + 1
    assert new[0].template == "reply_cancelled"


async def test_a_repeated_message_acts_once(client, world):
    # Gateways retry callbacks, sometimes at once: each keyword's effect happens one time.
    async def twice_at_once(message_id: str, text: str) -> None:
        body = {"id": message_id, "from": "+84901234567", "text": text}
        posts = [client.post("/channels/sms/generic/inbound", json=body) for _ in range(3)]
        assert {r.status_code for r in await asyncio.gather(*posts)} == {200}
        again = await client.post("/channels/sms/generic/inbound", json=body)
        assert again.status_code == 200

    await twice_at_once("r-1", f"HUY {world['ref']}")
    await twice_at_once("r-2", "STOP")
    await twice_at_once("r-3", "EN")
    replies = (
        await OutboxMessage.filter(template__startswith="reply_")
        .order_by("created_at")
        .values_list("template", flat=True)
    )
    assert replies == ["reply_cancelled", "reply_stopped", "reply_language"]
    appointment = await Appointment.get(id=world["ref"]).prefetch_related("slot")
    assert (appointment.status, appointment.slot.booked) == (AppointmentStatus.CANCELLED, 0)
    owner = await Citizen.get(phone="+84901234567")
    assert await ConsentRecord.filter(citizen=owner).count() == 1
    assert owner.sms_opt_out and owner.language == Language.EN


async def _text_owner(client, text: str) -> OutboxMessage:
    await client.post(
        "/channels/sms/generic/inbound",
        json={"id": f"t-{text}", "from": "+84901234567", "text": text},
    )
    record = await InboundMessage.get(gateway_message_id=f"t-{text}")
    return await OutboxMessage.get(id=record.reply_id)


async def test_digits_shared_by_two_dossiers_ask_for_the_full_code(client, world):
    other = await make_agency("K29.99", "Phường khác")
    owner = await Citizen.get(phone="+84901234567")
    await receive_dossier(
        citizen=owner,
        procedure=await make_procedure(other, code="1.000001"),
        office=await make_office(other),
        actor=Actor(ActorKind.STAFF, "cb"),
    )
    reply = await _text_owner(client, f"HS {world['digits']}")
    assert reply.template == "reply_code_ambiguous"
    assert (await _text_owner(client, f"HS {world['code']}")).template == "reply_dossier"


async def test_many_appointments_are_listed_as_far_as_one_segment_goes(client, world):
    owner = await Citizen.get(phone="+84901234567")
    office = await make_office()
    for days in range(3, 9):
        slot = await make_slot(office, starts_in=timedelta(days=days))
        await book_appointment(citizen=owner, slot_id=slot.id)
    reply = await _text_owner(client, "LH")
    sent = to_sms_text(reply.body)
    assert sent.startswith(f"Lich hen: {world['ref']}: ")  # soonest first
    assert sent.count("; ") >= 1
    assert measure_sms(sent).segments == 1, sent
