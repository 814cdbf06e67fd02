"""The console tells the agent what the caller's phone got, through its real HTTP forms: the text
as sent with its channel and parts, why a message still waits and until when (and no resend for
it), the slots the caller already holds, agent-worded refusals, lockouts in minutes."""

from __future__ import annotations

import html
import io
import re
from collections.abc import AsyncIterator
from datetime import time, timedelta

import aiohttp
import pytest

from domain.alerts.quiet_hours import QuietHours
from domain.local_time import local_text, utc_now
from domain.policy import current_policy
from models import OutboxMessage
from models.enums import OutboxStatus
from notifications.providers.http_sms import HttpSmsProvider
from notifications.providers.log import LogProvider
from notifications.worker import OutboxWorker, WorkerConfig
from tests.console_forms import csrf_of, sign_in
from tests.factories import send_due_messages
from tests.fake_gateway import FakeSmsGateway, Reply
from tests.staff_setup import build_city


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[FakeSmsGateway, str]]:
    fake = FakeSmsGateway()
    url = await fake.start()
    yield fake, url
    await fake.close()


def _row(page: str, message: OutboxMessage) -> str:
    """The messages table's row for one message."""
    match = re.search(rf'<tr data-message="{message.id}">(.*?)</tr>', page, re.S)
    assert match, f"no row for message {message.id}"
    return match.group(1)


def _quiet_now() -> QuietHours:
    """Quiet hours from an hour ago to an hour from now, whatever the hour the test runs at."""
    local = utc_now().astimezone(current_policy().timezone)
    start, end = local - timedelta(hours=1), local + timedelta(hours=1)
    return QuietHours(
        start=time(start.hour, start.minute), end=time(end.hour, end.minute), tz=local.tzinfo
    )


async def test_the_messages_list_shows_the_text_the_phone_got(client):
    city = await build_city()
    ref = city.appointment.id
    sms = {"id": "gw-cancel-1", "from": "+84901234567", "text": f"HUY {ref}"}
    assert (await client.post("/channels/sms/generic/inbound", json=sms)).status_code == 200
    phone = io.StringIO()
    await OutboxWorker(
        sms_providers=[LogProvider(phone)], config=WorkerConfig(quiet_hours=None)
    ).drain()
    reply = await OutboxMessage.get(citizen=city.citizen, template="reply_cancelled")
    got = next(
        line[2:]
        for line in phone.getvalue().splitlines()
        if line.startswith("│ ") and line[2:].startswith("Da huy.")
    )
    await sign_in(client)
    page = (await client.get(f"/console/citizens/{city.citizen.id}")).text
    row = _row(page, reply)
    assert f'<span class="as-sent">{html.escape(got)}</span>' in row
    assert "Đã hủy" not in row  # the phone got GSM-7, not the catalogue's accented words
    assert "SMS · Đã gửi" in row and "1 phần tin" in row


async def test_a_message_held_for_quiet_hours_says_until_when_and_offers_no_resend(client):
    city = await build_city()
    alert = await OutboxMessage.get(citizen=city.citizen, template="appointment_booked")
    quiet = _quiet_now()
    await OutboxWorker(
        sms_providers=[LogProvider(io.StringIO())], config=WorkerConfig(quiet_hours=quiet)
    ).drain()
    held = await OutboxMessage.get(id=alert.id)
    assert held.status == OutboxStatus.QUEUED and held.next_attempt_at > utc_now()
    await sign_in(client)
    url = f"/console/citizens/{city.citizen.id}"
    page = await client.get(url)
    row = _row(page.text, held)
    when = local_text(held.next_attempt_at, "%H:%M %d/%m/%Y")
    assert f"Giữ lại vì giờ yên lặng ban đêm, sẽ gửi lúc {when}." in row
    assert "/resend" not in row
    forced = await client.post(
        f"{url}/notifications/{held.id}/resend", data={"reason": "x", "csrf": csrf_of(page)}
    )
    assert forced.headers["location"].endswith("error=notification_not_sent_yet")
    shown = await client.get(forced.headers["location"])
    assert "Tin nhắn này chưa được gửi đi nên chưa thể gửi lại." in shown.text
    assert await OutboxMessage.filter(template="appointment_booked").count() == 1


async def test_a_message_waiting_for_a_retry_says_why_and_when(client, gateway):
    fake, url = gateway
    city = await build_city()
    fake.script.extend([Reply(status=503)] * 10)
    async with aiohttp.ClientSession() as http:
        await OutboxWorker(
            sms_providers=[HttpSmsProvider(session=http, url=url)],
            config=WorkerConfig(quiet_hours=None),
        ).drain()
    waiting = await OutboxMessage.get(citizen=city.citizen, template="appointment_booked")
    assert waiting.status == OutboxStatus.QUEUED and waiting.attempts == 1
    await sign_in(client)
    page = (await client.get(f"/console/citizens/{city.citizen.id}?lang=en")).text
    row = _row(page, waiting)
    when = local_text(waiting.next_attempt_at, "%H:%M %d/%m/%Y")
    assert f"Not sent yet ({html.escape(waiting.last_error)}); next try at {when}." in row
    assert "/resend" not in row
    await send_due_messages()  # nothing is due: the retry waits for its time
    assert (await OutboxMessage.get(id=waiting.id)).status == OutboxStatus.QUEUED


async def test_a_slot_the_caller_holds_is_marked_not_offered(client):
    city = await build_city()
    await sign_in(client)
    day = local_text(city.slot.starts_at, "%Y-%m-%d")
    url = f"/console/citizens/{city.citizen.id}"
    page = await client.get(url, params={"office": str(city.office_a.id), "day": day})
    assert f'name="slot_id" value="{city.slot.id}"' not in page.text
    held = re.search(
        rf'<div class="inline slot held" data-slot="{city.slot.id}">(.*?)</div>', page.text, re.S
    )
    assert held and "Công dân đã có lịch hẹn giờ này" in held.group(1)
    assert "còn 1 chỗ" not in held.group(1)


async def test_a_refusal_is_worded_for_the_agent(client):
    city = await build_city()
    await sign_in(client)
    url = f"/console/citizens/{city.citizen.id}"
    page = await client.get(url)
    again = await client.post(
        f"{url}/appointments",
        data={"slot_id": str(city.slot.id), "reason": "caller asked", "csrf": csrf_of(page)},
    )
    assert again.headers["location"].endswith("error=already_booked")
    for lang, words in (("vi", "Công dân đã có lịch hẹn"), ("en", "The citizen already has")):
        shown = await client.get(again.headers["location"] + f"&lang={lang}")
        assert words in shown.text
    assert "Bạn đã có lịch hẹn" not in shown.text and "You already" not in shown.text


async def test_a_locked_out_login_says_about_how_many_minutes(client):
    await build_city()
    page = await client.get("/console/login")
    wrong = {"username": "tongdai1", "password": "not-it", "csrf": csrf_of(page)}
    for _ in range(5):
        await client.post("/console/login", data=wrong)
    locked = await client.post("/console/login", data=wrong)
    assert locked.status_code == 429
    said = re.search(r"Vui lòng thử lại sau khoảng (\d+) phút\.", locked.text)
    assert said, locked.text
    assert 1 <= int(said.group(1)) <= 15
    assert "giây" not in locked.text
