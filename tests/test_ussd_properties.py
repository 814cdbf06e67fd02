"""Random key presses never break the USSD door: every answer is a screen a phone can show, no
request gets a 5xx, and a retried hop repeats its screen without acting twice."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import Appointment, Citizen
from tests.ussd_phone import ADAPTERS, Phone, city

KEYS = st.one_of(
    st.sampled_from(["0", "00", "98", "1", "1", "1", "2", "3", "4", "9", "12", "9999", ""]),
    st.text(alphabet="0123456789*#", max_size=14),
    st.text(max_size=12),
)
# Walks that reach the screens with effects (book, cancel), then anything at all.
PATHS = st.sampled_from([[], ["3", "1", "1", "1", "1"], ["2", "1", "1", "1"], ["1", "1"], ["4"]])
HOPS = st.builds(
    lambda path, retries, tail: [*zip(path, retries, strict=False), *tail],
    PATHS,
    st.lists(st.booleans(), min_size=5, max_size=5),
    st.lists(st.tuples(KEYS, st.booleans()), max_size=10),
)


@pytest.fixture
async def town(client):
    """The demo-like city, set up once for all the examples of one test."""
    await city(dossiers=3, slots=3)
    return client


@pytest.mark.parametrize("adapter", ADAPTERS)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(hops=HOPS, phone_number=st.sampled_from(["+84901234567", "+84912345678"]))
async def test_random_key_presses_always_get_a_screen(town, adapter, hops, phone_number):
    phone = Phone(town, adapter, phone=phone_number)
    citizen_before = await Citizen.get_or_none(phone=phone_number)
    booked_before = (
        await Appointment.filter(citizen=citizen_before).count() if citizen_before else 0
    )
    screens = [await phone.dial()]
    confirmations = 0
    for key, retried in hops:
        if adapter == "africastalking" and ("*" in key or screens[-1].startswith("END")):
            continue  # `*` separates inputs on this gateway; after END it sends no more hops
        screen = await phone.press(key)
        assert phone.last_status == 200
        assert screen.startswith(("CON ", "END ")) and len(screen) <= 182, screen
        if retried:
            assert await phone.resend() == screen
        if screen.startswith("CON Da dat lich hen ") or (
            screen.startswith("CON Appointment ") and " booked for " in screen
        ):
            confirmations += 1
        screens.append(screen)
    citizen = await Citizen.get(phone=phone_number)
    assert await Appointment.filter(citizen=citizen).count() == booked_before + confirmations
