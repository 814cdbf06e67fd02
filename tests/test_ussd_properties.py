"""Random key presses never break the USSD door: every answer is a screen a phone can show, no
request gets a 5xx, and a retried hop repeats its screen without acting twice."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.citizens import set_citizen_cccd
from domain.dossiers.codes import code_digits_key
from domain.dossiers.records import receive_dossier
from models import Appointment, Citizen, Office
from tests.factories import make_agency, make_procedure
from tests.ussd_phone import ADAPTERS, OFFICER, Phone, city

CODE = "<a dossier code>"  # stands for the digits of the long-named dossier, known once seeded
KEYS = st.one_of(
    st.sampled_from(
        ["0", "00", "98", "1", "1", "1", "2", "3", "4", "9", "12", "9999", "1234", "", CODE]
    ),
    st.text(alphabet="0123456789*#", max_size=14),
    st.text(max_size=12),
)
# Walks that reach the screens with effects (book, cancel), then anything at all.
# Walks that reach the screens with effects (book, cancel), the CCCD question (a stranger's
# code), then anything at all.
PATHS = st.sampled_from(
    [[], ["3", "1", "1", "1", "1"], ["2", "1", "1", "1"], ["1", "1"], ["4"], ["1", CODE]]
)
HOPS = st.builds(
    lambda path, retries, tail: [*zip(path, retries, strict=False), *tail],
    PATHS,
    st.lists(st.booleans(), min_size=5, max_size=5),
    st.lists(st.tuples(KEYS, st.booleans()), max_size=10),
)


LONG_NAME = (
    "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I, cấp II và công trình"
    " tôn giáo, tín ngưỡng, tượng đài, tranh hoành tráng"
)


@pytest.fixture
async def town(client):
    """The demo-like city, set up once for all the examples of one test: a dossier whose
    procedure has a long name (the status screen shortens it), more offices than a screen
    holds, some with long names, and an owner with a CCCD to guess."""
    owner, office, _, _ = await city(dossiers=3, slots=3)
    await set_citizen_cccd(citizen=owner, cccd="079085001234")
    agency = await office.agency
    long = await make_procedure(agency, code="1.009972", name=LONG_NAME)
    dossier = await receive_dossier(citizen=owner, procedure=long, office=office, actor=OFFICER)
    for n in range(5):
        other = await make_agency(code=f"H29.{n + 10}", name=f"Sở số {n} {LONG_NAME[:30]}")
        await Office.create(
            agency=other, name_vi=f"Bộ phận một cửa {other.name_vi}", name_en=LONG_NAME, address=""
        )
    return client, code_digits_key(dossier.code)


@pytest.mark.parametrize("adapter", ADAPTERS)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(hops=HOPS, phone_number=st.sampled_from(["+84901234567", "+84912345678"]))
async def test_random_key_presses_always_get_a_screen(town, adapter, hops, phone_number):
    client, code = town
    phone = Phone(client, adapter, phone=phone_number)
    citizen_before = await Citizen.get_or_none(phone=phone_number)
    booked_before = (
        await Appointment.filter(citizen=citizen_before).count() if citizen_before else 0
    )
    screens = [await phone.dial()]
    confirmations = 0
    for typed, retried in hops:
        key = code if typed == CODE else typed
        if adapter == "africastalking" and ("*" in key or screens[-1].startswith("END")):
            continue  # `*` separates inputs on this gateway; after END it sends no more hops
        screen = await phone.press(key)
        assert phone.last_status == 200
        assert screen.startswith(("CON ", "END ")) and len(screen) <= 182, screen
        assert not re.search(r"\d+ (giay|seconds)\b", screen), screen  # waits in minutes
        if retried:
            assert await phone.resend() == screen
        if screen.startswith("CON Da dat lich hen ") or (
            screen.startswith("CON Appointment ") and " booked for " in screen
        ):
            confirmations += 1
        screens.append(screen)
    citizen = await Citizen.get(phone=phone_number)
    assert await Appointment.filter(citizen=citizen).count() == booked_before + confirmations
