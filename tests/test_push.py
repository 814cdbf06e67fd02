"""Push first for citizens with the app, SMS when push cannot reach them or they turned push off;
dead tokens removed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from domain.alerts.enqueue import enqueue_message
from models import Citizen, Device, OutboxMessage
from models.enums import Channel, OutboxStatus, Priority
from notifications.providers.http_sms import HttpSmsProvider
from notifications.worker import OutboxWorker, WorkerConfig
from tests.app_login import signed_in
from tests.factories import make_citizen
from tests.fake_fcm import FakeFcm, fcm_reply, start_fake_fcm
from tests.fake_gateway import FakeSmsGateway


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
async def parts(rsa_key) -> AsyncIterator[tuple[OutboxWorker, FakeFcm, FakeSmsGateway]]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        fcm, push, _, fcm_server = await start_fake_fcm(http, rsa_key)
        sms = FakeSmsGateway()
        url = await sms.start()
        worker = OutboxWorker(
            sms_providers=[HttpSmsProvider(session=http, url=url)],
            push_provider=push,
            config=WorkerConfig(quiet_hours=None),
        )
        yield worker, fcm, sms
        await sms.close()
        await fcm_server.close()


async def _queue(
    with_devices: tuple[str, ...] = (),
    citizen: Citizen | None = None,
    priority: Priority = Priority.NORMAL,
) -> OutboxMessage:
    citizen = citizen or await make_citizen()
    for token in with_devices:
        await Device.create(citizen=citizen, platform="android", token=token)
    message = await enqueue_message(
        citizen=citizen,
        template="dossier_result_ready",
        params={"code": "H29.99-261123-0001", "office": "phường Sài Gòn"},
        priority=priority,
    )
    assert message is not None
    return message


async def _app_user(client, alerts: dict[str, bool]) -> tuple[dict[str, str], Citizen]:
    """A citizen signed in on a phone registered for push, who then set `alerts` in the app."""
    headers = await signed_in(client)
    device = {"platform": "android", "token": "token-a"}
    assert (await client.post("/v1/devices", headers=headers, json=device)).status_code == 201
    if alerts:
        changed = await client.patch("/v1/me", headers=headers, json={"notifications": alerts})
        assert changed.status_code == 200, changed.text
    return headers, await Citizen.get(phone="+84901234567")


def _texts(sms: FakeSmsGateway) -> list[str]:
    return [sent["text"] for sent in sms.received]


async def test_a_citizen_with_the_app_gets_push_with_diacritics(db, parts):
    worker, fcm, sms = parts
    message = await _queue(with_devices=("token-a",))
    assert message.channel == Channel.PUSH
    await worker.run_once()
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.status, stored.channel, stored.provider) == (OutboxStatus.SENT, "push", "fcm")
    sent = fcm.sends[0]["json"]["message"]
    assert sent["token"] == "token-a"
    assert sent["notification"]["title"] == "Dịch vụ công TP.HCM"
    assert "đã có kết quả" in sent["notification"]["body"]
    assert sent["data"]["message_id"] == str(message.id)
    assert sms.received == []


async def test_without_a_device_the_message_is_an_sms_from_the_start(db, parts):
    worker, fcm, sms = parts
    message = await _queue()
    assert message.channel == Channel.SMS
    await worker.run_once()
    assert fcm.sends == [] and len(sms.received) == 1


async def test_a_dead_token_is_removed_and_the_next_device_used(db, parts):
    worker, fcm, sms = parts
    message = await _queue(with_devices=("old-phone", "new-phone"))
    await Device.filter(token="old-phone").update(last_seen_at=datetime(2026, 1, 1, tzinfo=UTC))
    fcm.send_script.append(fcm_reply(404, "NOT_FOUND", "UNREGISTERED"))
    await worker.run_once()
    assert [s["json"]["message"]["token"] for s in fcm.sends] == ["new-phone", "old-phone"]
    assert await Device.filter(token="new-phone").count() == 0
    assert await Device.filter(token="old-phone").count() == 1
    assert (await OutboxMessage.get(id=message.id)).status == OutboxStatus.SENT
    assert sms.received == []


async def test_when_every_device_is_dead_the_citizen_gets_an_sms(db, parts):
    worker, fcm, sms = parts
    message = await _queue(with_devices=("gone",))
    fcm.send_script.append(fcm_reply(404, "NOT_FOUND", "UNREGISTERED"))
    await worker.run_once()
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.status, stored.channel) == (OutboxStatus.SENT, Channel.SMS)
    assert await Device.all().count() == 0
    assert sms.received[0]["text"].startswith("Ho so H29.99-261123-0001 da co ket qua")


async def test_a_push_outage_is_retried_as_push(db, parts):
    worker, fcm, sms = parts
    message = await _queue(with_devices=("token-a",))
    fcm.send_script.append(fcm_reply(503, "UNAVAILABLE"))
    await worker.run_once()
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.status, stored.channel) == (OutboxStatus.QUEUED, Channel.PUSH)
    assert sms.received == [] and await Device.all().count() == 1


async def test_a_permanent_push_refusal_falls_back_to_sms(db, parts):
    worker, fcm, sms = parts
    message = await _queue(with_devices=("token-a",))
    fcm.send_script.append(fcm_reply(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH"))
    await worker.run_once()
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.status, stored.channel) == (OutboxStatus.SENT, Channel.SMS)
    assert len(sms.received) == 1 and await Device.all().count() == 1


async def test_without_a_push_service_push_rows_go_by_sms(db, parts):
    _, _, sms = parts
    async with aiohttp.ClientSession() as http:
        url = str(sms.server.make_url("/sms"))
        worker = OutboxWorker(
            sms_providers=[HttpSmsProvider(session=http, url=url)],
            config=WorkerConfig(quiet_hours=None),
        )
        message = await _queue(with_devices=("token-a",))
        await worker.run_once()
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.status, stored.channel) == (OutboxStatus.SENT, Channel.SMS)


async def test_push_turned_off_in_the_app_sends_alerts_by_sms(client, parts):
    worker, fcm, sms = parts
    headers, citizen = await _app_user(client, {"push": False})
    me = (await client.get("/v1/me", headers=headers)).json()
    assert me["notifications"] == {"push": False, "sms": True}
    message = await _queue(citizen=citizen)
    assert message.channel == Channel.SMS
    await worker.drain()
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.status, stored.channel) == (OutboxStatus.SENT, Channel.SMS)
    assert fcm.sends == []
    assert any(t.startswith("Ho so H29.99-261123-0001 da co ket qua") for t in _texts(sms))


async def test_push_turned_off_after_an_alert_was_queued_is_honoured_at_sending(client, parts):
    worker, fcm, _ = parts
    headers, citizen = await _app_user(client, {})
    message = await _queue(citizen=citizen)
    assert message.channel == Channel.PUSH
    changed = await client.patch("/v1/me", headers=headers, json={"notifications": {"push": False}})
    assert changed.status_code == 200
    await worker.drain()
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.status, stored.channel) == (OutboxStatus.SENT, Channel.SMS)
    assert fcm.sends == []


async def test_push_turned_back_on_pushes_again(client, parts):
    worker, fcm, _ = parts
    headers, citizen = await _app_user(client, {"push": False})
    await client.patch("/v1/me", headers=headers, json={"notifications": {"push": True}})
    message = await _queue(citizen=citizen)
    assert message.channel == Channel.PUSH
    await worker.drain()
    assert (await OutboxMessage.get(id=message.id)).provider == "fcm"
    assert len(fcm.sends) == 1


async def test_sms_turned_off_still_gets_push(client, parts):
    worker, fcm, sms = parts
    _, citizen = await _app_user(client, {"sms": False})
    message = await _queue(citizen=citizen)
    await worker.drain()
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.status, stored.channel, stored.provider) == (OutboxStatus.SENT, "push", "fcm")
    assert not any(t.startswith("Ho so") for t in _texts(sms))


async def test_with_both_off_alerts_only_reach_the_inbox_and_urgent_sms_still_go(client, parts):
    worker, fcm, sms = parts
    headers, citizen = await _app_user(client, {"push": False, "sms": False})
    alert = await _queue(citizen=citizen)
    urgent = await _queue(citizen=citizen, priority=Priority.URGENT)
    assert (alert.channel, urgent.channel) == (Channel.SMS, Channel.SMS)
    assert (await client.post("/v1/auth/otp", json={"phone": "0901234567"})).status_code == 202
    await worker.drain()
    held = await OutboxMessage.get(id=alert.id)
    assert (held.status, held.last_error, held.sent_at) == (OutboxStatus.FAILED, "opted out", None)
    assert (await OutboxMessage.get(id=urgent.id)).status == OutboxStatus.SENT
    assert fcm.sends == []
    texts = _texts(sms)
    assert sum(t.startswith("Ma dang nhap") for t in texts) == 2  # sign-in code and the new one
    assert sum(t.startswith("Ho so H29.99-261123-0001") for t in texts) == 1  # the urgent one
    inbox = (await client.get("/v1/notifications", headers=headers)).json()["items"]
    assert str(alert.id) in {item["id"] for item in inbox}
