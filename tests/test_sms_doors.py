"""The SMS doors: both adapter formats, one reply per inbound id (even when the callback comes
twice at once), delivery reports applied once and never backwards, and refused gateways."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from starlette.datastructures import Secret

from channels.sms.routes import sms_routes
from domain.alerts.enqueue import enqueue_message
from domain.inbound_sms import REPLY_LIMIT, SmsReply, receive_inbound_sms
from domain.local_time import utc_now
from models import InboundMessage, OutboxMessage
from models.enums import Channel, OutboxStatus, Priority
from tests.conftest import AppWith, http_client
from tests.factories import make_citizen

SECRET = "sms-gw-secret-1357"


def _generic(message_id: str, text: str, phone: str = "+84901234567") -> dict[str, str]:
    return {"id": message_id, "from": phone, "text": text}


async def _replies() -> list[OutboxMessage]:
    return await OutboxMessage.all().order_by("created_at")


async def test_generic_inbound_is_recorded_and_answered_through_the_outbox(client):
    response = await client.post("/channels/sms/generic/inbound", json=_generic("g-1", "TG"))
    assert (response.status_code, response.text) == (200, "")
    record = await InboundMessage.get(gateway="generic", gateway_message_id="g-1")
    assert (record.phone, record.text) == ("+84901234567", "TG")
    [reply] = await _replies()
    assert record.reply_id == reply.id and record.citizen_id == reply.citizen_id
    assert (reply.template, reply.channel, reply.priority, reply.status) == (
        "reply_help",
        Channel.SMS,
        Priority.URGENT,
        OutboxStatus.QUEUED,
    )
    assert reply.phone == "+84901234567"


async def test_africastalking_incoming_message_form(client):
    form = {
        "from": "+84912345678",
        "to": "8079",
        "text": "Hồ sơ H29.99-251123-0042",
        "date": "2026-11-23 06:04:45",
        "id": "ATXid_7d2c1a",
        "linkId": "SampleLinkId123",
    }
    response = await client.post("/channels/sms/africastalking/inbound", data=form)
    assert response.status_code == 200
    record = await InboundMessage.get(gateway="africastalking", gateway_message_id="ATXid_7d2c1a")
    assert record.phone == "+84912345678" and record.text == "Hồ sơ H29.99-251123-0042"
    assert record.received_at == datetime(2026, 11, 23, 6, 4, 45, tzinfo=UTC)
    [reply] = await _replies()
    assert reply.template == "reply_dossier_not_found"
    assert reply.params == {"code": "H29 99 251123 0042"}


async def test_the_same_inbound_id_twice_gives_one_reply(client):
    for _ in range(2):
        response = await client.post("/channels/sms/generic/inbound", json=_generic("g-2", "LH"))
        assert response.status_code == 200
    assert len(await _replies()) == 1
    assert await InboundMessage.all().count() == 1


async def test_concurrent_retries_of_one_message_give_one_reply(client):
    posts = [
        client.post(
            "/channels/sms/africastalking/inbound",
            data={"id": "AT-9", "from": "+84901234567", "text": "HELP"},
        )
        for _ in range(6)
    ]
    responses = await asyncio.gather(*posts)
    assert {r.status_code for r in responses} == {200}
    assert len(await _replies()) == 1
    assert await InboundMessage.all().count() == 1


async def test_the_same_id_from_two_gateways_is_two_messages(client):
    await client.post("/channels/sms/generic/inbound", json=_generic("same", "TG"))
    await client.post(
        "/channels/sms/africastalking/inbound",
        data={"id": "same", "from": "+84901234567", "text": "TG"},
    )
    assert len(await _replies()) == 2


async def test_a_number_we_cannot_text_back_is_recorded_without_a_reply(client):
    response = await client.post(
        "/channels/sms/generic/inbound", json=_generic("g-3", "TG", phone="02838291234")
    )
    assert response.status_code == 200
    record = await InboundMessage.get(gateway_message_id="g-3")
    assert record.reply_id is None and record.citizen_id is None
    assert await _replies() == []


@pytest.mark.parametrize(
    ("adapter", "kwargs", "field"),
    [
        ("generic", {"json": {"from": "+84901234567", "text": "TG"}}, "id"),
        ("generic", {"content": b"not json"}, "body"),
        ("africastalking", {"data": {"id": "x", "text": "TG"}}, "from"),
    ],
)
async def test_a_malformed_callback_is_a_problem_not_a_500(client, adapter, kwargs, field):
    response = await client.post(f"/channels/sms/{adapter}/inbound", **kwargs)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/sms_callback_invalid")
    assert await InboundMessage.all().count() == 0


async def test_an_unknown_adapter_is_404(client):
    response = await client.post("/channels/sms/twilio/inbound", json=_generic("g", "TG"))
    assert response.status_code == 404
    assert response.json()["type"].endswith("/sms_adapter_unknown")


async def _sent_message(
    provider_id: str = "ATXid_sent-1", provider: str = "africastalking", phone: str | None = None
) -> OutboxMessage:
    citizen = await make_citizen(**({"phone": phone} if phone else {}))
    message = await enqueue_message(
        citizen=citizen, template="appointment_cancelled", params={"id": 3, "when": "08:00"}
    )
    assert message is not None
    await OutboxMessage.filter(id=message.id).update(
        status=OutboxStatus.SENT,
        provider=provider,
        provider_message_id=provider_id,
        sent_at=utc_now(),
    )
    return message


@pytest.mark.parametrize(
    ("status", "reason", "expected", "error"),
    [
        ("Success", "", OutboxStatus.DELIVERED, ""),
        ("Sent", "", OutboxStatus.SENT, ""),
        ("Submitted", "", OutboxStatus.SENT, ""),
        ("Buffered", "", OutboxStatus.SENT, ""),
        ("Rejected", "UserInBlackList", OutboxStatus.FAILED, "UserInBlackList"),
        ("Failed", "InsufficientCredit", OutboxStatus.FAILED, "InsufficientCredit"),
        ("Expired", "", OutboxStatus.FAILED, "Expired"),
        ("SomethingNew", "", OutboxStatus.SENT, ""),
    ],
)
async def test_africastalking_delivery_statuses(client, status, reason, expected, error):
    message = await _sent_message()
    form = {"id": "ATXid_sent-1", "status": status, "phoneNumber": "+84901234567"}
    form |= {"networkCode": "45204", "retryCount": "0"}
    if reason:
        form["failureReason"] = reason
    response = await client.post("/channels/sms/africastalking/delivery", data=form)
    assert response.status_code == 200
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.status, stored.last_error) == (expected, error)


async def test_duplicate_and_late_delivery_reports_have_one_effect(client):
    message = await _sent_message()
    form = {"id": "ATXid_sent-1", "status": "Success", "phoneNumber": "+84901234567"}
    await client.post("/channels/sms/africastalking/delivery", data=form)
    first = (await OutboxMessage.get(id=message.id)).delivered_at
    assert first is not None
    for late in ("Success", "Buffered", "Failed"):
        response = await client.post(
            "/channels/sms/africastalking/delivery", data={**form, "status": late}
        )
        assert response.status_code == 200
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.status, stored.delivered_at, stored.last_error) == (
        OutboxStatus.DELIVERED,
        first,
        "",
    )


async def test_generic_delivery_reports_and_unknown_ids(client):
    message = await _sent_message("gw-17", provider="http")
    unknown = await client.post(
        "/channels/sms/generic/delivery", json={"id": "gw-never", "status": "delivered"}
    )
    assert unknown.status_code == 200
    failed = await client.post(
        "/channels/sms/generic/delivery",
        json={"id": "gw-17", "status": "FAILED", "reason": "handset off for 48 h"},
    )
    assert failed.status_code == 200
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.status, stored.last_error) == (OutboxStatus.FAILED, "handset off for 48 h")


async def test_a_report_applies_to_the_message_its_own_gateway_sent(client):
    # Gateway ids are only unique per gateway: two providers may hand out the same one.
    ours = await _sent_message("id-42", provider="africastalking", phone="+84901234567")
    theirs = await _sent_message("id-42", provider="http", phone="+84912345678")
    response = await client.post(
        "/channels/sms/africastalking/delivery",
        data={"id": "id-42", "status": "Rejected", "failureReason": "UserInBlackList"},
    )
    assert response.status_code == 200
    assert (await OutboxMessage.get(id=ours.id)).status == OutboxStatus.FAILED
    assert (await OutboxMessage.get(id=theirs.id)).status == OutboxStatus.SENT
    response = await client.post(
        "/channels/sms/generic/delivery", json={"id": "id-42", "status": "delivered"}
    )
    assert response.status_code == 200
    assert (await OutboxMessage.get(id=theirs.id)).status == OutboxStatus.DELIVERED


async def test_a_reused_gateway_id_is_answered_and_applies_to_the_newest_message(client):
    older = await _sent_message("gw-again", provider="http", phone="+84901234567")
    newer = await _sent_message("gw-again", provider="http", phone="+84912345678")
    response = await client.post(
        "/channels/sms/generic/delivery", json={"id": "gw-again", "status": "delivered"}
    )
    assert response.status_code == 200
    assert (await OutboxMessage.get(id=newer.id)).status == OutboxStatus.DELIVERED
    assert (await OutboxMessage.get(id=older.id)).status == OutboxStatus.SENT


@pytest.fixture
async def secured(app_with: AppWith) -> AsyncIterator[httpx.AsyncClient]:
    async with app_with(gateway_secret=Secret(SECRET)) as app, http_client(app) as http:
        yield http


@pytest.mark.parametrize("door", ["inbound", "delivery"])
async def test_a_bad_gateway_secret_is_refused_before_anything_is_recorded(secured, door):
    body = _generic("g-sec", "STOP") | {"status": "delivered"}
    for headers in ({}, {"X-Gateway-Secret": "wrong"}):
        response = await secured.post(f"/channels/sms/generic/{door}", json=body, headers=headers)
        assert response.status_code == 403
        assert response.json()["type"].endswith("/gateway_forbidden")
    assert await InboundMessage.all().count() == 0
    ok = await secured.post(f"/channels/sms/generic/{door}?secret={SECRET}", json=body)
    assert ok.status_code == 200


async def test_the_reply_read_back_route_is_for_development_only(client, database):
    await client.post("/channels/sms/generic/inbound", json=_generic("g-read", "HELP"))
    response = await client.get("/channels/sms/generic/inbound/g-read")
    assert response.status_code == 200
    reply = response.json()["reply"]
    assert reply["status"] == "queued" and reply["text"].startswith("HCMC public services.")
    assert (await client.get(f"/channels/sms/generic/inbound/{uuid.uuid4()}")).status_code == 404
    production = dataclasses.replace(database, env="production")
    assert [r.methods for r in sms_routes(production)] == [{"POST"}, {"POST"}]


async def test_a_number_that_keeps_texting_stops_getting_answers_but_is_still_heard(db):
    heard: list[int] = []

    async def respond(citizen):
        heard.append(citizen.id)
        return SmsReply("reply_help")

    for n in range(REPLY_LIMIT + 3):
        await receive_inbound_sms(
            gateway="generic",
            gateway_message_id=f"loop-{n}",
            phone="0901234567",
            text="Auto-reply: I am away",
            respond=respond,
        )
    assert len(heard) == REPLY_LIMIT + 3
    assert await OutboxMessage.all().count() == REPLY_LIMIT
    assert await InboundMessage.filter(reply_id=None).count() == 3
    other, fresh = await receive_inbound_sms(
        gateway="generic", gateway_message_id="x", phone="0912345678", text="TG", respond=respond
    )
    assert fresh and other.reply_id is not None


async def test_control_characters_never_reach_the_database(client):
    nul = await client.post(
        "/channels/sms/africastalking/inbound",
        content=b"id=AT-nul&from=%2B84901234567&text=HS%00H29.99-251123-0042%0Acam%20on",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert nul.status_code == 200
    stored = await InboundMessage.get(gateway_message_id="AT-nul")
    assert stored.text == "HS H29.99-251123-0042\ncam on"
    surrogate = await client.post(
        "/channels/sms/generic/inbound",
        content=b'{"id": "g-sur", "from": "+84901234567", "text": "TG \\ud800"}',
        headers={"Content-Type": "application/json"},
    )
    assert surrogate.status_code == 422  # pydantic refuses a lone surrogate: never stored
    bad_id = await client.post(
        "/channels/sms/africastalking/delivery",
        content=b"id=AT%00x&status=Success",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert bad_id.status_code == 422
