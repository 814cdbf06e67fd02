"""Requests from a basic phone by SMS `NOP` (issue 17): the list, how to fill one in, a request
accepted from the officer's queue, and every way a request can be wrong, each answered in one
segment. Through the real gateway door, in both formats, on both databases."""

from __future__ import annotations

import httpx
import pytest

from channels.sms.keywords import Action, parse_command
from channels.ussd.pages import HINT_ROOM, fold
from domain.catalogue import LANGUAGES, catalogues, placeholders, text
from domain.sms_text import to_sms_text
from models import Application, Dossier, OutboxMessage
from models.enums import ApplicationChannel, ApplicationStatus
from tests.basic_phone_setup import CALLER, phone_city
from tests.sms_door import sms_reply
from tests.staff_setup import bearer

ADAPTERS = ["generic", "africastalking"]
# Labels are cut as far as one segment needs, the choices' legend kept.
USAGE = "NOP TRICHLUC <Loai trich luc>;<Nam dang ky>;<Ho ten...>;<4 so cuoi CCCD>"


async def text_in(
    client: httpx.AsyncClient, adapter: str, text: str, *, phone: str = CALLER, sms_id: str = ""
) -> str:
    return await sms_reply(client, adapter, text, phone=phone, sms_id=sms_id)


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_nop_alone_lists_and_nop_with_a_code_says_how(client, adapter):
    await phone_city(client)
    assert await text_in(client, adapter, "NOP") == (
        "Thu tuc nop duoc qua SMS: CUTRU Xac nhan thong tin ve cu tru; TRICHLUC Cap ban sao "
        "trich luc ho tich. Cach dien: soan NOP <ma>"
    )
    assert await text_in(client, adapter, "nộp trichluc") == (
        f"Cap ban sao trich luc ho tich: soan {USAGE} Loai trich luc: 1 Khai sinh, 2 Ket hon, "
        "3 Khai tu."
    )
    english = await text_in(client, adapter, "APPLY", phone="+84912000333")  # a new number
    assert english.startswith("You can apply by SMS for: CUTRU Residence confirmation; TRICHLUC ")


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_an_sms_request_is_accepted_from_the_queue_with_its_receipt(client, adapter):
    town = await phone_city(client)
    reply = await text_in(client, adapter, "Nộp TRICHLUC 2; 2015; Nguyễn Văn Bình; 4321")
    application = await Application.get(citizen=town.caller)
    assert reply == (
        f"Da nhan yeu cau so {application.id} (Cap ban sao trich luc ho tich). Can bo se xem xet "
        "va bao ma ho so, ngay hen tra."
    )
    assert application.channel == ApplicationChannel.SMS
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.answers == {
        "extract_type": "marriage",
        "registration_year": 2015,
        "full_name": "Nguyễn Văn Bình",  # accents kept, as typed
    }
    # The reply is the receipt: the citizen is told once.
    assert await OutboxMessage.filter(template="application_submitted").count() == 1
    officer = await bearer(client, "canbo.saigon")
    queue = await client.get("/v1/staff/applications", headers=officer)
    assert [item["id"] for item in queue.json()["items"]] == [application.id]
    accepted = await client.post(
        f"/v1/staff/applications/{application.id}/accept", json={}, headers=officer
    )
    assert accepted.status_code == 201, accepted.text
    code = accepted.json()["code"]
    [receipt] = await OutboxMessage.filter(template="dossier_received", citizen=town.caller)
    assert to_sms_text(receipt.body).startswith(f"Ho so {code} da duoc tiep nhan.")
    assert (await Dossier.get(code=code)).citizen_id == town.caller.id


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_answers_separated_by_spaces_give_the_name_its_words(client, adapter):
    town = await phone_city(client)
    assert (await text_in(client, adapter, "NOP TRICHLUC 1 1990 Tran Thi Mai 4321")).startswith(
        "Da nhan yeu cau so "
    )
    assert (await text_in(client, adapter, "nop cutru vay von, 4321")).startswith(
        "Da nhan yeu cau so "
    )
    made = await Application.filter(citizen=town.caller).order_by("id")
    assert [a.answers for a in made] == [
        {"extract_type": "birth", "registration_year": 1990, "full_name": "Tran Thi Mai"},
        {"purpose": "loan"},
    ]


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_a_gateway_retry_of_the_same_sms_submits_once(client, adapter):
    await phone_city(client)
    first = await text_in(client, adapter, "NOP CUTRU 2 4321", sms_id="gw-77")
    again = await text_in(client, adapter, "NOP CUTRU 2 4321", sms_id="gw-77")
    assert first == again and first.startswith("Da nhan yeu cau so ")
    assert await Application.all().count() == 1
    assert await OutboxMessage.filter(template="application_submitted").count() == 1


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_a_wrong_request_is_told_exactly_what_is_wrong(client, adapter):
    await phone_city(client)
    cases = {
        "NOP TRICHLUC 2015 4321": (
            "Yeu cau TRICHLUC: can 4 y, nhan duoc 2. Cac y cach nhau boi dau ; Soan: NOP TRICHLUC "
        ),
        "NOP CUTRU 1;2;4321": "Yeu cau CUTRU: can 2 y, nhan duoc 3. ",
        "NOP TRICHLUC 7;20l5;An;4321": (
            "Yeu cau TRICHLUC chua dung: Loai trich luc: Vui long chon mot trong cac lua chon; "
            "Nam dang ky: Vui long nhap mot so nguyen. Vui long sua va gui lai."
        ),
        "NOP TRICHLUC 1;;An;4321": "Nam dang ky: Vui long dien muc nay.",
        "NOP XYZ 1 4321": "Khong co thu tuc ma XYZ nop duoc qua SMS. Soan NOP de xem danh sach.",
    }
    for typed, says in cases.items():
        reply = await text_in(client, adapter, typed)
        assert reply.startswith(says) or says in reply, (typed, reply)
    assert await Application.all().count() == 0


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_a_wrong_cccd_submits_nothing_and_tries_run_out(client, adapter):
    await phone_city(client)
    for left in (4, 3, 2, 1):
        assert await text_in(client, adapter, "NOP CUTRU 1 1111") == (
            f"4 so cuoi CCCD khong khop, yeu cau chua duoc nop. Con {left} lan thu."
        )
    for digits in ("1111", "4321"):  # the last try, and the right digits too soon after
        reply = await text_in(client, adapter, f"NOP CUTRU 1 {digits}")
        assert reply.startswith("4 so cuoi CCCD khong khop, da het luot thu. Vui long thu lai ")
    assert await Application.all().count() == 0
    stranger = await text_in(client, adapter, "NOP CUTRU 1 1234", phone="+84912000444")
    assert stranger.startswith("Chua co CCCD cua so nay nen chua nop duoc CUTRU qua SMS.")


def test_nop_is_a_keyword_that_keeps_what_was_typed():
    command = parse_command("nộp  TRICHLUC 2; 2015; Nguyễn Văn Bình; 4321")
    assert (command.action, command.changes) == (Action.REQUEST, True)
    assert command.typed == "TRICHLUC 2; 2015; Nguyễn Văn Bình; 4321"
    alone = parse_command("NOP")
    assert (alone.action, alone.argument, alone.changes) == (Action.REQUEST, None, False)
    assert parse_command("submit cutru 1 4321").language == "en"
    assert parse_command("NOPE").action is Action.UNKNOWN
    # A phone echoing our replies back makes no request, so no loop past the reply limit.
    for ours in ("Request no. 12 (Residence confirmation) was received.", "Your CUTRU request:"):
        assert parse_command(ours).action is not Action.REQUEST


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_form_error_fits_above_a_ussd_screen(language):
    """A wrong answer on a USSD field screen is said by the form's own error text as the hint."""
    for key in catalogues()[language]:
        if key.startswith("form.error."):
            values = {name: 2100 for name in placeholders(key)}
            assert len(fold(text(key, language, **values))) < HINT_ROOM, key
