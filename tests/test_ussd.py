"""Every USSD menu path, through the HTTP endpoint, in both gateway formats, on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from starlette.datastructures import Secret

from domain.appointments.booking import book_appointment
from domain.citizens import set_citizen_cccd
from domain.dossiers.codes import code_digits_key
from domain.dossiers.records import receive_dossier
from domain.local_time import utc_now
from models import Appointment, Citizen, OfficeSlot, OutboxMessage, UssdSession
from models.enums import AppointmentStatus, Language
from tests.conftest import AppWith, http_client
from tests.factories import make_citizen, make_procedure
from tests.ussd_phone import ADAPTERS, OFFICER, OWNER_PHONE, Phone, city

pytestmark = pytest.mark.parametrize("adapter", ADAPTERS)

MAIN = "CON Dich vu cong TP.HCM\n1 Tra cuu ho so\n2 Lich hen cua toi\n3 Dat lich hen\n"
STRANGER = "+84912345678"
PROCEDURE = "Dang ky ho kinh doanh"  # the factories' procedure, on the owner's screen


@pytest.fixture
async def guarded_client(app_with: AppWith) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a gateway secret configured."""
    async with app_with(gateway_secret=Secret("ussd-secret-1357")) as app, http_client(app) as http:
        yield http


async def test_main_menu_and_leaving(client, adapter):
    await city()
    phone = Phone(client, adapter)
    screen = await phone.dial()
    assert screen == MAIN + "4 Ngon ngu/Language\n5 Nop ho so\n0 Thoat"
    assert await phone.press("0") == "END Cam on ong/ba da dung dich vu cong TP.HCM."


async def test_own_dossiers_are_listed_and_opened(client, adapter):
    _, _, dossiers, _ = await city()
    phone = Phone(client, adapter)
    await phone.dial()
    listing = await phone.press("1")
    newest, oldest = dossiers[1], dossiers[0]
    assert listing.startswith("CON Ho so cua ong/ba:\n")
    assert f"1 {newest.code} Moi tiep nhan\n2 {oldest.code} Moi tiep nhan" in listing
    assert "Hoac nhap ma ho so (chi can chu so):\n0 Quay lai, 00 Menu chinh" in listing
    detail = await phone.press("2")
    assert detail.startswith(f"CON {PROCEDURE}\nHo so {oldest.code}: Moi tiep nhan. Hen tra: ")
    assert "khong can lam gi them" in detail
    assert await phone.press("0") == listing
    assert (await phone.press("00")).startswith(MAIN)


async def test_owner_types_the_digits_of_a_code(client, adapter):
    _, _, dossiers, _ = await city()
    phone = Phone(client, adapter)
    await phone.dial()
    await phone.press("1")
    detail = await phone.press(code_digits_key(dossiers[0].code))
    assert detail.startswith(f"CON {PROCEDURE}\nHo so {dossiers[0].code}: Moi tiep nhan. Hen tra: ")


async def test_a_stranger_sees_the_status_word_then_all_with_the_cccd(client, adapter):
    owner, _, dossiers, _ = await city()
    await set_citizen_cccd(citizen=owner, cccd="079085001234")
    phone = Phone(client, adapter, phone=STRANGER)
    await phone.dial()
    assert (await phone.press("1")).startswith("CON Nhap ma ho so (chi can chu so):")
    status = await phone.press(code_digits_key(dossiers[0].code))
    assert status.startswith(f"CON Ho so {dossiers[0].code}: Moi tiep nhan.\nNhap 4 so cuoi")
    assert "Hen tra" not in status
    assert (await phone.press("12")).startswith("CON Nhap dung 4 chu so.\nHo so ")
    mismatch = await phone.press("9999")
    assert mismatch == "CON 4 so cuoi CCCD khong khop. Con 4 lan thu.\n" + status[4:]
    full = await phone.press("1234")
    assert full.startswith(f"CON {PROCEDURE}\nHo so {dossiers[0].code}: Moi tiep nhan. Hen tra: ")


async def test_cccd_tries_are_limited_per_dossier(client, adapter):
    owner, _, dossiers, _ = await city()
    await set_citizen_cccd(citizen=owner, cccd="079085001234")
    phone = Phone(client, adapter, phone=STRANGER)
    await phone.dial()
    await phone.press("1")
    await phone.press(code_digits_key(dossiers[0].code))
    for attempt in range(4):
        assert f"Con {4 - attempt} lan thu" in await phone.press(f"000{attempt}")
    refused = await phone.press("0004")
    assert refused.startswith("END 4 so cuoi CCCD khong khop voi chu ho so. Ong/ba da het luot")
    assert refused.endswith(" phut.")
    other = Phone(client, adapter, phone="+84387654321")
    await other.dial()
    await other.press("1")
    await other.press(code_digits_key(dossiers[0].code))
    locked = await other.press("1234")
    assert locked.startswith("END Ong/ba da thu qua nhieu lan. Vui long thu lai sau khoang ")


async def test_unknown_and_malformed_codes(client, adapter):
    await city()
    phone = Phone(client, adapter)
    await phone.dial()
    listing = await phone.press("1")
    assert await phone.press("7") == "CON Lua chon khong hop le.\n" + listing[4:]
    assert (await phone.press("123")).startswith("CON Ma ho so chua dung.\nHo so cua")
    missing = await phone.press("2999 2611230999")
    assert missing.startswith("CON Khong tim thay ho so voi ma nay.\n0 Quay lai")
    assert await phone.press("0") == listing


async def test_appointments_listed_opened_and_cancelled_once_confirmed(client, adapter):
    owner, _, _, slots = await city()
    booked = await book_appointment(citizen=owner, slot_id=slots[0].id)
    phone = Phone(client, adapter)
    await phone.dial()
    listing = await phone.press("2")
    assert listing.startswith(f"CON Lich hen cua ong/ba:\n1 {booked.id}: ")
    detail = await phone.press("1")
    assert detail.startswith(f"CON Lich hen {booked.id}: ")
    assert "tai Bo phan mot cua UBND phuong Sai Gon.\n1 Huy lich hen\n0 Quay lai" in detail
    ask = await phone.press("1")
    assert ask.startswith(f"CON Huy lich hen {booked.id} luc ")
    assert await phone.press("0") == detail
    assert (await Appointment.get(id=booked.id)).status == AppointmentStatus.BOOKED
    await phone.press("1")
    assert await phone.press("5") == "CON Lua chon khong hop le.\n" + ask[4:]
    cancelled = await phone.press("1")
    assert cancelled.startswith(f"CON Da huy lich hen {booked.id}. Ong/ba se nhan SMS")
    assert (await Appointment.get(id=booked.id)).status == AppointmentStatus.CANCELLED
    assert await OutboxMessage.filter(template="appointment_cancelled").count() == 1
    assert (await phone.press("0")).startswith(MAIN)
    assert (await phone.press("2")).startswith("CON Ong/ba chua co lich hen nao sap toi.")


async def test_booking_office_day_slot_confirm(client, adapter):
    owner, _, _, slots = await city()
    phone = Phone(client, adapter)
    await phone.dial()
    offices = await phone.press("3")
    assert offices.startswith("CON Chon noi hen:\n1 Bo phan mot cua UBND phuong Sai Gon\n")
    days = await phone.press("1")
    assert days.startswith("CON Chon ngay:\n1 ")
    times = await phone.press("1")
    assert "1 " in times and "(con 2 cho)" in times
    confirm = await phone.press("1")
    assert confirm.startswith("CON Dat lich ")
    assert "\n1 Xac nhan\n" in confirm
    done = await phone.press("1")
    [appointment] = await Appointment.filter(citizen=owner)
    assert done.startswith(f"CON Da dat lich hen {appointment.id} luc ")
    assert "Ong/ba se nhan SMS xac nhan." in done
    sms = await OutboxMessage.get(template="appointment_booked")
    assert sms.citizen_id == owner.id  # type: ignore[attr-defined]
    assert (await phone.press("0")).startswith(MAIN)


async def test_a_full_slot_is_a_screen_from_the_catalogue(client, adapter):
    owner, _, _, slots = await city(slots=1)
    phone = Phone(client, adapter)
    await phone.dial()
    for key in ("3", "1", "1", "1"):
        await phone.press(key)
    for n in range(2):  # two other citizens take both seats meanwhile
        other = await make_citizen(phone=f"+8498111223{n}", name="Đặng Quốc Huy")
        await book_appointment(citizen=other, slot_id=slots[0].id)
    full = await phone.press("1")
    assert full.startswith("CON Khung gio nay da het cho. Vui long chon gio khac.\n0 Quay lai")
    assert await Appointment.filter(citizen=owner).count() == 0
    assert (await phone.press("00")).startswith(MAIN)


async def test_language_switch_is_kept_on_the_citizen(client, adapter):
    await city()
    phone = Phone(client, adapter)
    await phone.dial()
    assert (await phone.press("4")).startswith("CON Chon ngon ngu / Language:\n1 Tieng Viet")
    english = await phone.press("2")
    assert english.startswith("CON HCMC public services\n1 Check a dossier\n")
    assert (await Citizen.get(phone=OWNER_PHONE)).language == Language.EN
    assert (await phone.press("1")).startswith("CON Your dossiers:\n1 ")
    await phone.press("00")
    assert await phone.press("0") == "END Thank you for using HCMC public services."
    again = Phone(client, adapter)
    assert (await again.dial()).startswith("CON HCMC public services")
    await again.press("4")
    assert (await again.press("1")).startswith(MAIN)


async def test_wrong_input_reshows_the_screen_with_a_hint(client, adapter):
    await city()
    phone = Phone(client, adapter)
    main = await phone.dial()
    for key in ("7", "", "abc", "1234567890123", "#"):
        assert await phone.press(key) == "CON Lua chon khong hop le.\n" + main[4:]
    assert await phone.press("98") == "CON Da het danh sach.\n" + main[4:]


async def test_long_lists_page_with_98(client, adapter):
    owner, office, _, _ = await city(dossiers=0)
    procedure = await make_procedure(await office.agency, code="2.000488")
    codes = [
        (
            await receive_dossier(
                citizen=owner,
                procedure=procedure,
                office=office,
                actor=OFFICER,
                received_at=utc_now() - timedelta(hours=1 + n),
            )
        ).code
        for n in range(9)
    ]
    phone = Phone(client, adapter)
    await phone.dial()
    first = await phone.press("1")
    assert "\n98 Xem them\n" in first and "\n9 " not in first  # no ninth item on page one
    second = await phone.press("98")
    assert second != first
    pages = [first, second]
    while "98 Xem them" in pages[-1]:
        pages.append(await phone.press("98"))
    assert all(len(page) <= 182 for page in pages)
    shown = "\n".join(pages)
    for number, code in enumerate(reversed(codes), start=1):
        assert f"{number} {code} Moi tiep nhan" in shown
    assert (await phone.press("9")).startswith(f"CON {PROCEDURE}\nHo so {codes[0]}: ")


async def test_an_unknown_phone_becomes_a_citizen(client, adapter):
    await city()
    phone = Phone(client, adapter, phone="+84567123456")
    assert (await phone.dial()).startswith(MAIN)
    assert await Citizen.filter(phone="+84567123456").exists()


async def test_a_dropped_session_is_offered_again_on_redial(client, adapter):
    await city()
    phone = Phone(client, adapter)
    await phone.dial()
    await phone.press("3")
    days = await phone.press("1")
    redial = Phone(client, adapter)
    offer = await redial.dial()
    assert offer == "CON Ong/ba co thao tac chua xong.\n1 Tiep tuc\n2 Menu chinh"
    assert await redial.press("1") == days
    third = Phone(client, adapter)  # the redial dropped too, still choosing a day
    assert (await third.dial()).startswith("CON Ong/ba co thao tac chua xong.")
    assert (await third.press("2")).startswith(MAIN)
    assert (await Phone(client, adapter).dial()).startswith(MAIN)


async def test_replayed_hops_give_the_same_screen_and_book_once(client, adapter):
    owner, _, _, _ = await city()
    phone = Phone(client, adapter)
    first = await phone.dial()
    assert await phone.resend() == first
    for key in ("3", "1", "1", "1", "1"):
        screen = await phone.press(key)
        assert await phone.resend() == screen
        assert await phone.resend() == screen
    assert screen.startswith("CON Da dat lich hen ")
    assert await Appointment.filter(citizen=owner).count() == 1
    assert await OutboxMessage.filter(template="appointment_booked").count() == 1
    assert (await UssdSession.get(session_id=phone.session_id)).hops == 6


async def test_a_refused_gateway_gets_403_and_leaves_no_state(guarded_client, adapter):
    phone = Phone(guarded_client, adapter)
    with pytest.raises(AssertionError):
        await phone.dial()
    assert phone.last_status == 403
    assert await UssdSession.all().count() == 0
    assert await Citizen.all().count() == 0
    guarded_client.headers["X-Gateway-Secret"] = "ussd-secret-1357"
    assert (await phone.dial()).startswith(MAIN)


async def test_an_invalid_number_ends_politely(client, adapter):
    phone = Phone(client, adapter, phone="12")
    assert await phone.dial() == "END So dien thoai khong hop le."
    assert await UssdSession.all().count() == 0


async def test_bad_requests_are_problems_not_5xx(client, adapter):
    if adapter == "africastalking":
        response = await client.post("/channels/ussd/africastalking", data={"text": "1"})
    else:
        response = await client.post("/channels/ussd/generic", content=b"{not json")
    assert response.status_code == 422
    assert response.json()["type"].endswith("/ussd_bad_request")
    assert (await client.post("/channels/ussd/nokia", data={})).status_code == 404
    long_id = {"sessionId": "x" * 101, "phoneNumber": OWNER_PHONE, "msisdn": OWNER_PHONE}
    if adapter == "africastalking":
        response = await client.post("/channels/ussd/africastalking", data=long_id)
    else:
        response = await client.post("/channels/ussd/generic", json=long_id)
    assert response.status_code == 422
    assert await UssdSession.all().count() == 0


async def test_control_characters_in_input_are_dropped(client, adapter):
    await city()
    phone = Phone(client, adapter)
    main = await phone.dial()
    assert (await phone.press("\x00\n")).endswith(main[4:])
    assert (await phone.press("\x001")).startswith("CON Ho so cua ong/ba:")


async def test_slots_of_a_day_in_the_past_are_not_offered(client, adapter):
    owner, _, _, slots = await city(slots=1)
    await OfficeSlot.filter(id=slots[0].id).update(starts_at=utc_now() - timedelta(hours=1))
    phone = Phone(client, adapter)
    await phone.dial()
    await phone.press("3")
    assert (await phone.press("1")).startswith("CON Noi nay da het cho trong 2 tuan toi.")


async def test_keys_typed_ahead_in_the_dial_string(client, adapter):
    if adapter != "africastalking":
        pytest.skip("only Africa's Talking forwards `*384*1234*3*1#` as text on the first hop")
    await city()
    response = await client.post(
        "/channels/ussd/africastalking",
        data={"sessionId": "ATUid_ahead", "phoneNumber": OWNER_PHONE, "text": "3*1"},
    )
    assert response.text.startswith("CON Chon ngay:\n1 ")


async def test_without_a_hop_id_the_same_key_twice_is_two_presses(client, adapter):
    if adapter != "generic":
        pytest.skip("Africa's Talking repeats every input, so its hops are always told apart")
    _, _, dossiers, _ = await city()
    hop = {"sessionId": "gen-1", "msisdn": OWNER_PHONE}
    await client.post("/channels/ussd/generic", json={**hop, "newSession": True})
    await client.post("/channels/ussd/generic", json={**hop, "input": "1"})
    second = await client.post("/channels/ussd/generic", json={**hop, "input": "1"})
    assert second.json()["message"].startswith(f"{PROCEDURE}\nHo so {dossiers[1].code}: ")
    assert second.json()["continue"] is True


async def test_unicode_digits_are_wrong_input_not_a_crash(client, adapter):
    """`str.isdigit()` takes '¹', which `int()` refuses: the property test once found a 500."""
    await city()
    phone = Phone(client, adapter)
    await phone.dial()
    await phone.press("1")
    for key in ("¹", "²³", "٣"):
        assert (await phone.press(key)).startswith("CON ")
    await phone.dial()
    for key in ("¹", "٣"):
        assert (await phone.press(key)).startswith("CON Lua chon khong hop le.\n")
