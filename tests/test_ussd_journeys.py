"""USSD journeys a caller can finish (issue 15): resume only what was unfinished, CCCD retries,
paging back, hints that hide nothing, a status screen that names the procedure. Through the
HTTP endpoint, in both gateway formats, on both databases."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest

from domain.appointments.booking import book_appointment
from domain.citizens import set_citizen_cccd
from domain.dossiers.codes import code_digits_key
from domain.dossiers.records import receive_dossier
from domain.local_time import as_utc, utc_now
from domain.policy import current_policy
from domain.text import fold_diacritics
from models import Appointment, Citizen, Office, OfficeSlot
from models.enums import Language
from tests.factories import make_agency, make_citizen, make_procedure
from tests.ussd_phone import ADAPTERS, OFFICER, OWNER_PHONE, Phone, city

pytestmark = pytest.mark.parametrize("adapter", ADAPTERS)

MAIN = "CON Dich vu cong TP.HCM\n1 Tra cuu ho so\n2 Lich hen cua toi\n3 Dat lich hen\n"
STRANGER = "+84912345678"
OFFER = "CON Ong/ba co thao tac chua xong.\n1 Tiep tuc\n2 Menu chinh"
# The seed's one-stop offices: five of them fill more than one screen.
OFFICES = [
    ("H29.12", "Bộ phận một cửa Sở Tư pháp", "Department of Justice one-stop office"),
    ("H29.15", "Bộ phận một cửa Sở Xây dựng", "Department of Construction one-stop office"),
    ("H29.99", "Bộ phận một cửa phường Sài Gòn", "Sai Gon Ward one-stop office"),
    ("H29.98", "Bộ phận một cửa phường Bến Thành", "Ben Thanh Ward one-stop office"),
    ("H29.97", "Bộ phận một cửa phường Tân Định", "Tan Dinh Ward one-stop office"),
]


async def _offices() -> list[Office]:
    made = []
    for code, name_vi, name_en in OFFICES:
        agency = await make_agency(code=code, name=name_vi)
        made.append(
            await Office.create(agency=agency, name_vi=name_vi, name_en=name_en, address="HCMC")
        )
    return made


async def _slots(office: Office, times: list[str]) -> list[OfficeSlot]:
    """Slots at these local times, all on one day two days ahead (never split by midnight)."""
    tz = current_policy().timezone
    day = (utc_now().astimezone(tz) + timedelta(days=2)).date()
    return [
        await OfficeSlot.create(
            office=office,
            starts_at=as_utc(datetime.combine(day, time.fromisoformat(at), tz)),
            capacity=5,
        )
        for at in times
    ]


async def _pages(phone: Phone, first: str) -> list[str]:
    """`first` and every page after it, `98` after `98`."""
    pages = [first]
    while "\n98 Xem them\n" in pages[-1]:
        pages.append(await phone.press("98"))
    return pages


# --- resume only what was unfinished ----------------------------------------------------------


async def test_a_caller_who_only_looked_gets_the_main_menu_on_redial(client, adapter):
    owner, _, dossiers, slots = await city()
    await book_appointment(citizen=owner, slot_id=slots[0].id)
    for looking in (("1", "2"), ("2", "1"), ("1",), ("4",)):  # a dossier, an appointment, lists
        phone = Phone(client, adapter)
        await phone.dial()
        for key in looking:
            await phone.press(key)
        again = Phone(client, adapter)
        assert (await again.dial()).startswith(MAIN), looking
        assert (await again.press("1")).startswith("CON Ho so cua ong/ba:\n")


async def test_a_flow_with_a_step_to_take_is_offered_again(client, adapter):
    owner, office, dossiers, _ = await city(slots=0)
    await set_citizen_cccd(citizen=owner, cccd="079085001234")
    slots = await _slots(office, ["08:00", "08:30"])
    booked = await book_appointment(citizen=owner, slot_id=slots[0].id)
    flows = {
        OWNER_PHONE: (["3", "1", "1", "1"], "CON Dat lich "),  # a booking before confirming
        "+84987650001": (["1", code_digits_key(dossiers[0].code)], "CON Ho so "),  # CCCD asked
    }
    for number, (keys, screen) in flows.items():
        phone = Phone(client, adapter, phone=number)
        await phone.dial()
        for key in keys:
            shown = await phone.press(key)
        assert shown.startswith(screen)
        again = Phone(client, adapter, phone=number)
        assert await again.dial() == OFFER
        assert await again.press("1") == shown
    cancelling = Phone(client, adapter)
    assert await cancelling.dial() == OFFER  # the booking, still unconfirmed
    for key in ("2", "2", "1", "1"):  # main menu, appointments, the first, cancel it?
        ask = await cancelling.press(key)
    assert ask.startswith(f"CON Huy lich hen {booked.id} luc ")
    again = Phone(client, adapter)
    assert await again.dial() == OFFER
    assert await again.press("1") == ask


async def test_the_readme_booking_script_books_after_any_session_and_twice(client, adapter):
    """README: `printf '3\\n2\\n1\\n1\\n1\\n' | mgov ussd` after `1, 2` (a dossier looked at)."""
    owner = await make_citizen(phone=OWNER_PHONE)
    offices = await _offices()
    await _slots(offices[1], ["08:00", "08:30"])
    agency = await offices[1].agency
    await receive_dossier(
        citizen=owner, procedure=await make_procedure(agency), office=offices[1], actor=OFFICER
    )
    looked = Phone(client, adapter)
    await looked.dial()
    await looked.press("1")
    await looked.press("1")
    for run, at in enumerate(["08:00", "08:30"]):
        phone = Phone(client, adapter)
        assert (await phone.dial()).startswith(MAIN)
        for key in ("3", "2", "1", "1"):
            await phone.press(key)
        booked = await phone.press("1")
        assert booked.startswith("CON Da dat lich hen "), (run, booked)
        assert f" luc {at} " in booked
    assert await Appointment.filter(citizen=owner).count() == 2


# --- CCCD retries -------------------------------------------------------------------------------


async def _at_the_cccd_question(client, adapter, *, number: str = STRANGER):
    owner, _, dossiers, _ = await city()
    await set_citizen_cccd(citizen=owner, cccd="079085001234")
    phone = Phone(client, adapter, phone=number)
    await phone.dial()
    await phone.press("1")
    status = await phone.press(code_digits_key(dossiers[0].code))
    return phone, dossiers[0], status


async def test_a_wrong_cccd_asks_again_with_the_tries_left(client, adapter):
    phone, dossier, status = await _at_the_cccd_question(client, adapter)
    assert status.startswith(f"CON Ho so {dossier.code}: Moi tiep nhan.\nNhap 4 so cuoi CCCD")
    assert (
        await phone.press("9999") == "CON 4 so cuoi CCCD khong khop. Con 4 lan thu.\n" + status[4:]
    )
    assert (await phone.press("8888")).startswith("CON 4 so cuoi CCCD khong khop. Con 3 lan thu.")
    full = await phone.press("1234")
    assert full.startswith(f"CON Dang ky ho kinh doanh\nHo so {dossier.code}: ")
    assert "Hen tra: " in full


async def test_the_last_wrong_cccd_ends_the_call_saying_when_in_minutes(client, adapter):
    phone, dossier, _ = await _at_the_cccd_question(client, adapter)
    for n in range(4):
        assert (await phone.press(f"000{n}")).startswith(
            f"CON 4 so cuoi CCCD khong khop. Con {4 - n}"
        )
    last = await phone.press("0004")
    assert last.startswith(
        "END 4 so cuoi CCCD khong khop voi chu ho so. Ong/ba da het luot thu, vui long thu lai"
        " sau khoang "
    )
    found = re.search(r" sau khoang (\d+) phut\.$", last)
    assert found and 1 <= int(found[1]) <= 15 and "giay" not in last  # a 15-minute window
    again = Phone(client, adapter, phone=STRANGER)  # calling back at once: told so, in minutes
    await again.dial()
    await again.press("1")
    await again.press(code_digits_key(dossier.code))
    locked = await again.press("1234")
    assert re.fullmatch(
        r"END Ong/ba da thu qua nhieu lan\. Vui long thu lai sau khoang \d+ phut\.", locked
    )


async def test_cccd_tries_and_the_lockout_in_english(client, adapter):
    stranger = await make_citizen(phone=STRANGER, name="Lê Thị Cúc")
    await Citizen.filter(id=stranger.id).update(language=Language.EN)
    phone, _, status = await _at_the_cccd_question(client, adapter)
    assert (
        await phone.press("9999") == "CON CCCD digits do not match. Tries left: 4.\n" + status[4:]
    )
    for n in range(3):
        await phone.press(f"000{n}")
    last = await phone.press("0004")
    assert re.fullmatch(
        r"END The last 4 CCCD digits do not match the owner's\. No tries left; please try again"
        r" in about \d+ minutes?\.",
        last,
    )


# --- paging back --------------------------------------------------------------------------------


async def _long_list(client, adapter) -> tuple[Phone, list[str]]:
    owner, office, _, _ = await city(dossiers=0)
    procedure = await make_procedure(await office.agency, code="2.000488")
    for n in range(9):
        await receive_dossier(
            citizen=owner,
            procedure=procedure,
            office=office,
            actor=OFFICER,
            received_at=utc_now() - timedelta(hours=1 + n),
        )
    phone = Phone(client, adapter)
    await phone.dial()
    return phone, await _pages(phone, await phone.press("1"))


async def test_0_goes_back_a_page_then_a_screen_and_00_is_the_main_menu(client, adapter):
    phone, pages = await _long_list(client, adapter)
    assert len(pages) >= 2
    for page in reversed(pages[:-1]):
        assert await phone.press("0") == page
    assert (await phone.press("0")).startswith(MAIN)
    await phone.press("1")
    await phone.press("98")
    assert (await phone.press("00")).startswith(MAIN)


async def test_back_from_an_item_returns_to_the_page_it_was_chosen_on(client, adapter):
    phone, pages = await _long_list(client, adapter)
    last = pages[-1]
    number = re.search(r"^(\d) H29", last[4:], re.MULTILINE)
    assert number
    assert (await phone.press(number[1])).startswith("CON Dang ky ho kinh doanh\n")
    assert await phone.press("0") == last
    assert await phone.press("0") == pages[-2]


# --- a hint must not hide items ---------------------------------------------------------------


async def test_a_hint_above_the_offices_hides_none_of_them(client, adapter):
    await make_citizen(phone=OWNER_PHONE)
    await _offices()
    phone = Phone(client, adapter)
    await phone.dial()
    plain = await _pages(phone, await phone.press("3"))
    await phone.press("00")
    await phone.press("3")
    hinted = await _pages(phone, await phone.press("9"))
    assert hinted[0].startswith("CON Lua chon khong hop le.\nChon noi hen:\n1 ")
    for pages in (plain, hinted):
        shown = "\n" + "\n".join(page[4:] for page in pages)
        for number, (_, name, _) in enumerate(OFFICES, start=1):
            assert f"\n{number} {fold_diacritics(name)}\n" in shown, (number, pages)
        assert all(len(page) <= 182 for page in pages)


async def test_a_hint_above_the_slots_hides_none_of_them(client, adapter):
    await make_citizen(phone=OWNER_PHONE)
    [office] = (await _offices())[2:3]
    times = ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00"]
    await _slots(office, times)
    phone = Phone(client, adapter)
    await phone.dial()
    for key in ("3", "3"):
        await phone.press(key)
    await phone.press("1")
    hinted = await _pages(phone, await phone.press("99"))
    assert hinted[0].startswith("CON Lua chon khong hop le.\nNgay ")
    shown = "\n" + "\n".join(page[4:] for page in hinted)
    for number, at in enumerate(times, start=1):
        assert f"\n{number} {at} (con 5 cho)" in shown, (at, hinted)
    assert all(len(page) <= 182 for page in hinted)


# --- the status screen names the procedure -----------------------------------------------------

LONG_PROCEDURE = (
    "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I, cấp II và công trình"
    " tôn giáo, tín ngưỡng"
)


async def test_the_status_screen_names_the_procedure_cut_at_a_word(client, adapter):
    owner, office, _, _ = await city(dossiers=0)
    agency = await office.agency
    long = await make_procedure(agency, code="1.009972", name=LONG_PROCEDURE)
    dossier = await receive_dossier(citizen=owner, procedure=long, office=office, actor=OFFICER)
    phone = Phone(client, adapter)
    await phone.dial()
    await phone.press("1")
    screen = await phone.press("1")
    named = re.match(r"CON (.+)\.\.\.\nHo so (\S+): Moi tiep nhan\. Hen tra: ", screen)
    assert named, screen
    folded = "Cap giay phep xay dung moi doi voi cong trinh cap dac biet, cap I, cap II va cong"
    assert folded.startswith(named[1]) and folded[len(named[1])] == " "
    assert named[2] == dossier.code
    assert len(screen) <= 182 and "98 Xem them" not in screen


async def test_a_stranger_is_not_told_the_procedure_until_the_cccd_matches(client, adapter):
    phone, dossier, status = await _at_the_cccd_question(client, adapter)
    assert "kinh doanh" not in status
    full = await phone.press("1234")
    assert full.startswith(f"CON Dang ky ho kinh doanh\nHo so {dossier.code}: ")


async def test_office_names_are_cut_at_a_word_boundary(client, adapter):
    citizen = await make_citizen(phone=OWNER_PHONE)
    await Citizen.filter(id=citizen.id).update(language=Language.EN)
    await _offices()
    phone = Phone(client, adapter)
    await phone.dial()
    offices = await phone.press("3")
    assert "\n2 Department of Construction one-stop...\n" in offices, offices
    assert "one-stop o..." not in offices
