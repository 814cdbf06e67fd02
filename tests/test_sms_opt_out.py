"""STOP and START by SMS, seen through the real worker and a fake gateway: an opted-out citizen
gets no reminder but still gets an OTP and the answers to what they text us."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from domain.alerts.enqueue import enqueue_message
from domain.alerts.quiet_hours import QuietHours
from domain.local_time import utc_now
from models import Citizen, ConsentRecord, OutboxMessage
from models.enums import ConsentPurpose, OutboxStatus, Priority
from notifications.providers.http_sms import HttpSmsProvider
from notifications.worker import OutboxWorker, WorkerConfig
from tests.factories import make_citizen
from tests.fake_gateway import FakeSmsGateway

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PHONE = "+84901234567"


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[FakeSmsGateway, aiohttp.ClientSession, str]]:
    fake = FakeSmsGateway()
    url = await fake.start()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        yield fake, http, url
    await fake.close()


def _worker(http: aiohttp.ClientSession, url: str, quiet: QuietHours | None = None) -> OutboxWorker:
    return OutboxWorker(
        sms_providers=[HttpSmsProvider(session=http, url=url)],
        config=WorkerConfig(quiet_hours=quiet),
    )


async def _text(client, message_id: str, text: str) -> None:
    response = await client.post(
        "/channels/sms/generic/inbound", json={"id": message_id, "from": PHONE, "text": text}
    )
    assert response.status_code == 200


async def _reminder(citizen: Citizen) -> OutboxMessage:
    message = await enqueue_message(
        citizen=citizen,
        template="appointment_reminder",
        params={"id": 12, "when": "08:00 25/11/2026", "office": "UBND phuong Sai Gon"},
    )
    assert message is not None
    return message


async def test_stop_is_recorded_as_consent_and_confirmed_once(client):
    citizen = await make_citizen()
    await _text(client, "s-1", "TU CHOI")
    await _text(client, "s-2", "Từ chối")
    await _text(client, "s-3", "STOP")
    [record] = await ConsentRecord.filter(citizen=citizen)
    assert (record.purpose, record.granted, record.channel) == (
        ConsentPurpose.SMS_ALERTS,
        False,
        "sms",
    )
    assert utc_now() - record.recorded_at < timedelta(minutes=5)
    assert (await Citizen.get(id=citizen.id)).sms_opt_out
    replies = await OutboxMessage.filter(template="reply_stopped")
    assert len(replies) == 1 and replies[0].priority == Priority.URGENT


async def test_opted_out_citizen_gets_the_otp_and_answers_but_no_reminder(client, gateway):
    fake, http, url = gateway
    citizen = await make_citizen()
    await _text(client, "s-1", "TU CHOI")
    reminder = await _reminder(citizen)
    asked = await client.post("/v1/auth/otp", json={"phone": "0901234567"})
    assert asked.status_code == 202, asked.text
    await _text(client, "s-2", "TG")
    await _worker(http, url).run_once()

    stored = await OutboxMessage.get(id=reminder.id)
    assert (stored.status, stored.last_error) == (OutboxStatus.FAILED, "opted out")
    [otp] = await OutboxMessage.filter(template="otp")
    assert (otp.priority, otp.status) == (Priority.URGENT, OutboxStatus.SENT)
    texts = [sent["text"] for sent in fake.received]
    assert len(texts) == 3
    assert any(t.startswith("Ong/ba da ngung nhan tin nhac") for t in texts)
    assert any(t.startswith("Dich vu cong TP.HCM. Soan:") for t in texts)
    assert not any(t.startswith("Nhac lich hen") for t in texts)
    # The code the gateway carried to the phone signs the citizen in.
    [login_sms] = [t for t in texts if t.startswith("Ma dang nhap")]
    code = re.search(r"\b(\d{6})\b", login_sms)
    assert code is not None
    signed = await client.post(
        "/v1/auth/token", json={"phone": "0901234567", "code": code.group(1)}
    )
    assert signed.status_code == 200, signed.text


async def test_start_brings_reminders_back(client, gateway):
    fake, http, url = gateway
    citizen = await make_citizen()
    await _text(client, "s-1", "STOP")
    await _text(client, "s-2", "ĐK")
    assert not (await Citizen.get(id=citizen.id)).sms_opt_out
    grants = (
        await ConsentRecord.filter(citizen=citizen).order_by("id").values_list("granted", flat=True)
    )
    assert grants == [False, True]
    reminder = await _reminder(citizen)
    await _worker(http, url).run_once()
    assert (await OutboxMessage.get(id=reminder.id)).status == OutboxStatus.SENT
    assert len(fake.received) == 3  # STOP confirmation, START confirmation, the reminder


async def test_replies_go_out_during_quiet_hours(client, gateway):
    fake, http, url = gateway
    await make_citizen()
    local = utc_now().astimezone(HCM)
    quiet = QuietHours(
        start=(local - timedelta(hours=1)).time().replace(second=0, microsecond=0),
        end=(local + timedelta(hours=1)).time().replace(second=0, microsecond=0),
        tz=HCM,
    )
    await _text(client, "n-1", "LH")
    await _worker(http, url, quiet).run_once()
    assert [sent["text"] for sent in fake.received] == ["Ong/ba khong co lich hen nao sap toi."]


async def test_two_stops_at_once_are_recorded_and_confirmed_once(client):
    citizen = await make_citizen()
    await asyncio.gather(*(_text(client, f"race-{n}", "STOP") for n in range(4)))
    assert await ConsentRecord.filter(citizen=citizen).count() == 1
    assert await OutboxMessage.filter(template="reply_stopped").count() == 1
