"""Requests from a basic phone by USSD (issue 17): the procedure, one screen per field, the CCCD,
a summary, the request number; then the officer's queue, the receipt, and a supplement that
offers a counter slot. Through the HTTP door, in both gateway formats, on both databases."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from domain.sms_text import measure_sms, to_sms_text
from models import Application, Appointment, Dossier, OutboxMessage
from models.enums import ApplicationChannel, ApplicationStatus, DossierStatus, Language
from tests.basic_phone_setup import CALLER, phone_city
from tests.factories import make_procedure, make_slot
from tests.online_setup import publish
from tests.staff_setup import bearer
from tests.ussd_phone import ADAPTERS, Phone

pytestmark = pytest.mark.parametrize("adapter", ADAPTERS)

BACK = "\n0 Quay lai, 00 Menu chinh"
LIST = "CON Chon thu tuc can nop:\n1 Xac nhan thong tin ve cu tru\n2 Cap ban sao trich luc ho tich"
SUMMARY = (
    "CON Kiem tra yeu cau:\nCap ban sao trich luc ho tich\nLoai trich luc: Ket hon\n"
    "Nam dang ky: 2015\nHo ten nguoi duoc dang ky: Nguyen Van Binh\n1 Xac nhan nop" + BACK
)


async def _request_extract(client: httpx.AsyncClient, adapter: str) -> tuple[Phone, int]:
    """The caller requests a copy of a marriage extract, a wrong key at each step on the way."""
    phone = Phone(client, adapter, phone=CALLER)
    assert (await phone.dial()).endswith("\n4 Ngon ngu/Language\n5 Nop ho so\n0 Thoat")
    assert await phone.press("5") == LIST + BACK
    first = "1/3 Loai trich luc:\n1 Khai sinh\n2 Ket hon\n3 Khai tu" + BACK
    assert await phone.press("2") == "CON " + first
    assert await phone.press("4") == "CON Vui long chon mot trong cac lua chon\n" + first
    year = "2/3 Nam dang ky:\n(tu 1945 den 2100)" + BACK
    assert await phone.press("2") == "CON " + year
    assert await phone.press("1900") == "CON Gia tri nam ngoai khoang cho phep\n" + year
    assert await phone.press("20l5") == "CON Vui long nhap mot so nguyen\n" + year
    assert await phone.press("2015") == "CON 3/3 Ho ten nguoi duoc dang ky:" + BACK
    cccd = "Nhap 4 so cuoi CCCD cua ong/ba:" + BACK
    assert await phone.press("Nguyen Van Binh") == "CON " + cccd
    assert await phone.press("12") == "CON Nhap dung 4 chu so.\n" + cccd
    assert await phone.press("1234") == "CON 4 so cuoi CCCD khong khop. Con 4 lan thu.\n" + cccd
    assert await phone.press("4321") == SUMMARY
    sent = await phone.press("1")
    number = (await Application.get(citizen__phone=CALLER)).id
    assert sent == (
        f"END Da nop yeu cau so {number}. Khi can bo tiep nhan, ong/ba se nhan SMS co ma ho so "
        "va ngay hen tra."
    )
    return phone, number


async def test_a_ussd_request_is_accepted_from_the_queue_with_its_receipt(client, adapter):
    town = await phone_city(client)
    phone, number = await _request_extract(client, adapter)
    assert await phone.resend() == phone.screen  # the gateway retrying the confirmation
    application = await Application.get(id=number)
    assert application.channel == ApplicationChannel.USSD
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.answers == {
        "extract_type": "marriage",
        "registration_year": 2015,
        "full_name": "Nguyen Van Binh",
    }
    [submitted] = await OutboxMessage.filter(template="application_submitted")
    assert submitted.citizen_id == town.caller.id
    assert f"Da nhan yeu cau so {number} " in to_sms_text(submitted.body)
    officer = await bearer(client, "canbo.saigon")
    queue = await client.get("/v1/staff/applications", headers=officer)
    assert [item["id"] for item in queue.json()["items"]] == [number]
    opened = await client.get(f"/v1/staff/applications/{number}", headers=officer)
    assert opened.json()["channel"] == "ussd"
    accepted = await client.post(
        f"/v1/staff/applications/{number}/accept", json={}, headers=officer
    )
    assert accepted.status_code == 201, accepted.text
    code = accepted.json()["code"]
    [receipt] = await OutboxMessage.filter(template="dossier_received", citizen=town.caller)
    body = to_sms_text(receipt.body)
    assert body.startswith(f"Ho so {code} da duoc tiep nhan.") and measure_sms(body).segments == 1
    dossier = await Dossier.get(code=code)
    assert dossier.submitted_online and dossier.citizen_id == town.caller.id


async def test_back_goes_a_field_back_and_a_date_is_typed_day_first(client, adapter):
    town = await phone_city(client)
    # A procedure without CCCD, with a date and an optional field.
    procedure = await make_procedure(
        await town.city.office_a.agency, code="2.000908", name="Đăng ký lại khai sinh"
    )
    form = {
        "online_level": "partial",
        "short_code": "KSLAI",
        "fields": [
            {
                "name": "born_on",
                "type": "date",
                "label_vi": "Ngày sinh",
                "label_en": "Date of birth",
                "past_only": True,
            },
            {
                "name": "note",
                "type": "text",
                "label_vi": "Ghi chú",
                "label_en": "Note",
                "required": False,
            },
        ],
    }
    await publish(client, form, procedure.code)
    phone = Phone(client, adapter, phone="+84912000111")  # no CCCD needed here
    await phone.dial()
    await phone.press("5")
    born = "1/2 Ngay sinh:\n(ngay/thang/nam, vi du 15/03/1990)" + BACK
    assert await phone.press("2") == "CON " + born  # CUTRU, KSLAI, TRICHLUC
    assert await phone.press("") == "CON Vui long dien muc nay\n" + born
    assert await phone.press("31/02/1990") == "CON Ngay khong hop le (vi du 15/03/2026)\n" + born
    assert await phone.press("01/01/2999") == "CON Ngay khong duoc o tuong lai\n" + born
    note = "2/2 Ghi chu:\n99 Bo qua" + BACK
    assert await phone.press("15/3/1990") == "CON " + note
    assert await phone.press("0") == "CON " + born  # back: the date asked again
    assert await phone.press("14/03/1990") == "CON " + note
    summary = await phone.press("99")
    assert summary == (
        "CON Kiem tra yeu cau:\nDang ky lai khai sinh\nNgay sinh: 14/03/1990\n1 Xac nhan nop" + BACK
    )
    assert (await phone.press("1")).startswith("END Da nop yeu cau so ")
    application = await Application.get(procedure=procedure)
    assert application.answers == {"born_on": "1990-03-14"}


async def test_a_caller_without_a_cccd_on_file_is_told_before_typing(client, adapter):
    await phone_city(client)
    phone = Phone(client, adapter, phone="+84912000222")
    await phone.dial()
    await phone.press("5")
    assert await phone.press("2") == (
        "CON Chua co CCCD cua so nay. Vui long nop tai bo phan mot cua hoac tren ung dung." + BACK
    )
    assert await Application.all().count() == 0


async def test_wrong_cccd_digits_run_out_and_nothing_is_submitted(client, adapter):
    await phone_city(client)
    phone = Phone(client, adapter, phone=CALLER)
    await phone.dial()
    for key in ("5", "1", "3"):  # a residence confirmation for a bank loan
        await phone.press(key)
    for left in (4, 3, 2, 1):
        assert f"khong khop. Con {left} lan thu." in await phone.press("0000")
    locked = await phone.press("0000")
    assert locked.startswith("END 4 so cuoi CCCD khong khop. Ong/ba da het luot thu, vui long ")
    assert await Application.all().count() == 0
    # The right digits in a new call are still refused until the window ends.
    again = Phone(client, adapter, phone=CALLER)
    await again.dial()
    for key in ("5", "1", "3"):
        await again.press(key)
    assert (await again.press("4321")).startswith("END ")
    assert await Application.all().count() == 0


LONG = "Cấp bản sao trích lục hộ tịch, giấy tờ hộ tịch đã đăng ký tại cơ quan đăng ký hộ tịch " * 3


async def test_every_screen_fits_with_the_longest_names_in_both_languages(client, adapter):
    town = await phone_city(client)
    procedure = await make_procedure(
        await town.city.office_a.agency, code="2.000999", name=LONG[:300]
    )
    label = LONG[:120]
    choices = [{"value": f"c{n}", "label_vi": LONG[:100], "label_en": LONG[:100]} for n in range(6)]
    fields = [
        {
            "name": "kind",
            "type": "choice",
            "label_vi": label,
            "label_en": label,
            "choices": choices,
        },
        {"name": "name", "type": "text", "label_vi": label, "label_en": label},
        {"name": "phone", "type": "phone", "label_vi": label, "label_en": label},
    ]
    form = {"online_level": "partial", "short_code": "ADAI", "needs_cccd": True, "fields": fields}
    await publish(client, form, procedure.code)
    for language in (Language.VI, Language.EN):
        await town.caller.__class__.filter(id=town.caller.id).update(language=language)
        phone = Phone(client, adapter, phone=CALLER)
        await phone.dial()
        await phone.press("5")
        pages = [await phone.press("1")]  # ADAI is first by short code
        for key in ("6", LONG[:150], "0901234567", "4321"):
            while "\n98 " in pages[-1]:  # Phone checks the length of every screen
                pages.append(await phone.press("98"))
            pages.append(await phone.press(key))
        while "\n98 " in pages[-1]:
            pages.append(await phone.press("98"))
        confirm = "1 Confirm and submit" if language == Language.EN else "1 Xac nhan nop"
        assert f"\n{confirm}\n" in pages[-1]
        assert (await phone.press("1")).startswith("END ")
        assert sum("\n98 " in page for page in pages) >= 4  # the long screens were paged
    assert await Application.filter(procedure=procedure).count() == 2


async def test_a_dossier_waiting_for_papers_offers_a_counter_slot(client, adapter):
    town = await phone_city(client)
    _, number = await _request_extract(client, adapter)
    officer = await bearer(client, "canbo.saigon")
    asked = await client.post(
        f"/v1/staff/applications/{number}/supplement",
        json={"fields": ["full_name"], "note": "Tên khác giấy khai sinh"},
        headers=officer,
    )
    assert asked.status_code == 201, asked.text
    code = asked.json()["code"]
    # The SMS points a basic-phone citizen to the counter, not to an app, in one segment.
    [message] = await OutboxMessage.filter(template="dossier_supplement_basic_phone")
    sms = to_sms_text(message.body)
    assert sms == (
        f"Ho so {code} can bo sung: Ho ten nguoi duoc dang ky (Ten khac giay khai sinh). "
        "Dat lich mang giay to den quay: goi USSD, chon 1 Tra cuu ho so."
    )
    assert measure_sms(sms).segments == 1
    assert not await OutboxMessage.filter(template="dossier_supplement_online").exists()
    await make_slot(town.city.office_a, capacity=3, starts_in=timedelta(days=2))
    phone = Phone(client, adapter, phone=CALLER)
    await phone.dial()
    await phone.press("1")
    status = await phone.press("1")
    assert f"Ho so {code}: Cho bo sung." in status
    assert "\n1 Dat lich nop bo sung\n" in status  # on every page of a long status
    assert (await phone.press("1")).startswith("CON Chon ngay:\n1 ")
    await phone.press("1")
    assert (await phone.press("1")).startswith("CON Dat lich ")
    assert (await phone.press("1")).startswith("CON Da dat lich hen ")
    [booked] = await Appointment.filter(citizen=town.caller).prefetch_related("slot")
    assert booked.slot.office_id == town.city.office_a.id  # the dossier's own office
    dossier = await Dossier.get(code=code)
    assert dossier.status == DossierStatus.NEEDS_SUPPLEMENT
    # Any other dossier's screen offers no such key.
    own = Phone(client, adapter, phone="+84901234567")
    await own.dial()
    await own.press("1")
    assert "Dat lich nop bo sung" not in await own.press("1")
