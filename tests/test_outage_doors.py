"""Every door answers a database outage in its own protocol, and no SMS acknowledged during one
is lost: the app and staff APIs say 503 problem+json with Retry-After, USSD ends the session in
the gateway's own format (HTTP 200), SMS callbacks are spooled on disk and replayed once the
database answers again. The outage is real: a cut TCP proxy in front of PostgreSQL, an SQLite
file that cannot be opened."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.datastructures import Secret

from domain.alerts.enqueue import enqueue_message
from domain.catalogue import text
from domain.dossiers.backoffice_sync import sign_body
from infra.outages import RETRY_AFTER_SECONDS
from infra.settings import Settings
from models import Citizen, InboundMessage, OutboxMessage
from models.enums import Language, OutboxStatus, Priority
from tests.conftest import empty_all_tables, http_client, running_app
from tests.db_outage import (
    Outage,
    database_outage,
    settings_through,
    spool_drained,
)
from tests.factories import make_citizen
from tests.ussd_phone import ADAPTERS, Phone

ENGLISH = {"Accept-Language": "en"}
BACKOFFICE_SECRET = "backoffice-secret-for-the-outage-0123456789"


@pytest.fixture
async def outage(database: Settings, tmp_path: Path) -> AsyncIterator[Outage]:
    async with database_outage(database.database_url, sqlite="unlinked", tmp=tmp_path) as outage:
        yield outage


async def _sent_message(provider_message_id: str) -> OutboxMessage:
    citizen = await make_citizen()
    message = await enqueue_message(citizen=citizen, template="reply_help", params={})
    assert message is not None
    await OutboxMessage.filter(id=message.id).update(
        status=OutboxStatus.SENT, provider="http", provider_message_id=provider_message_id
    )
    return message


@pytest.fixture
async def app_through(database: Settings, outage: Outage, tmp_path: Path):
    """The app reaching its database through the outage's path, tables empty, its own spool."""
    settings = settings_through(database, outage, tmp_path / "spool")
    settings = dataclasses.replace(settings, backoffice_secret=Secret(BACKOFFICE_SECRET))
    async with running_app(settings) as app:
        await empty_all_tables()
        yield app


@pytest.fixture
async def http(app_through: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(app_through) as client:
        yield client


def _assert_503(response: httpx.Response, language: str = "vi") -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    body = response.json()
    assert body["type"].endswith("/database_unavailable")
    assert body["detail"] == text("error.database_unavailable", language)


# App and staff API


def _signed_webhook(payload: dict[str, str]) -> dict[str, Any]:
    body = json.dumps(payload).encode("utf-8")
    timestamp = str(int(time.time()))
    signature = sign_body(secret=BACKOFFICE_SECRET, timestamp=timestamp, body=body)
    headers = {"Content-Type": "application/json", "X-Mgov-Timestamp": timestamp}
    return {"content": body, "headers": headers | {"X-Mgov-Signature": signature}}


async def _api_calls(http: httpx.AsyncClient) -> list[httpx.Response]:
    """A public read, a citizen's login, a staff login, the console and the webhook."""
    login_page = await http.get("/console/login")  # no database needed to show the form
    csrf = re.search(r'name="csrf" value="([^"]+)"', login_page.text)
    assert csrf, login_page.text[:300]
    event = {"type": "dossier.moved", "event_id": "bo-1", "dossier_code": "H29.99-261026-0001"}
    return [
        await http.get("/v1/procedures"),
        await http.post("/v1/auth/otp", json={"phone": "0901234567"}),
        await http.post(
            "/v1/staff/auth/login", json={"username": "tongdai1", "password": "not-it-2026"}
        ),
        await http.post(
            "/console/login",
            data={"username": "tongdai1", "password": "not-it-2026", "csrf": csrf.group(1)},
        ),
        await http.post(
            "/v1/integrations/dossier-events", **_signed_webhook(event | {"to_status": "returned"})
        ),
        await http.get("/v1/offices", headers=ENGLISH),
    ]


async def test_the_apis_answer_503_with_retry_after_and_recover(app_through, http, outage):
    await outage.cut()
    *vietnamese, english = await _api_calls(http)
    for response in vietnamese:
        _assert_503(response)
    _assert_503(english, "en")
    # More failed requests than the pool has connections: none is lost to a failed open.
    for response in await asyncio.gather(*(http.get("/v1/procedures") for _ in range(25))):
        _assert_503(response)
    await outage.restore()
    assert (await http.get("/v1/procedures")).status_code == 200
    assert (await http.get("/readyz")).status_code == 200


async def test_a_web_process_starts_with_the_database_down(database, outage, tmp_path):
    await outage.cut()
    async with running_app(settings_through(database, outage, tmp_path / "spool")) as app:
        async with http_client(app) as http:
            assert (await http.get("/healthz")).status_code == 200
            assert (await http.get("/readyz")).status_code == 503
            _assert_503(await http.get("/v1/procedures"))
            await outage.restore()
            await empty_all_tables()
            assert (await http.get("/v1/procedures")).status_code == 200


# USSD


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_ussd_ends_the_session_in_the_callers_language(app_through, http, outage, adapter):
    citizen = await make_citizen(phone="0933445566", name="Sarah Nguyen")
    await Citizen.filter(id=citizen.id).update(language=Language.EN)
    english = Phone(http, adapter, phone="+84933445566")
    assert (await english.dial()).startswith("CON ")
    # A number tests/test_ussd_journeys.py serves in English, in the same process: each app keeps
    # its own memory of callers' languages, so that one does not leak into this app.
    stranger = Phone(http, adapter, phone="+84912345678")
    await outage.cut()
    # Phone asserts HTTP 200 and the gateway's own format (text/plain or JSON) on every hop.
    assert await english.press("1") == "END " + text("ussd.unavailable", "en")
    assert await stranger.dial() == "END Dich vu tam thoi gian doan, vui long goi lai sau it phut."
    await outage.restore()
    assert (await stranger.dial()).startswith("CON Dich vu cong TP.HCM")


# SMS: the spool


async def test_an_sms_acknowledged_during_the_outage_is_recorded_and_answered_after_it(
    app_through, http, outage
):
    await outage.cut()
    first = await http.post(
        "/channels/sms/generic/inbound", json={"id": "g-1", "from": "+84901234567", "text": "TG"}
    )
    form = {"id": "AT-1", "from": "+84912345678", "text": "LH", "date": "2026-11-23 06:04:45"}
    second = await http.post("/channels/sms/africastalking/inbound", data=form)
    # The gateway's retry of the first, also during the outage: kept, and answered once.
    retry = await http.post(
        "/channels/sms/generic/inbound", json={"id": "g-1", "from": "+84901234567", "text": "TG"}
    )
    assert [(r.status_code, r.text) for r in (first, second, retry)] == [(200, "")] * 3
    await outage.restore()
    await spool_drained(app_through)
    records = await InboundMessage.all().order_by("created_at").prefetch_related("reply")
    assert [(r.gateway_message_id, r.phone) for r in records] == [
        ("g-1", "+84901234567"),
        ("AT-1", "+84912345678"),
    ]
    assert [(r.reply.template, r.reply.priority, r.reply.status) for r in records] == [
        ("reply_help", Priority.URGENT, OutboxStatus.QUEUED),
        ("reply_no_appointments", Priority.URGENT, OutboxStatus.QUEUED),
    ]
    assert records[1].received_at.isoformat() == "2026-11-23T06:04:45+00:00"
    assert await OutboxMessage.all().count() == 2


async def test_a_delivery_report_spooled_during_the_outage_is_applied_after_it(
    app_through, http, outage
):
    message = await _sent_message("gw-17")
    await outage.cut()
    report = {"id": "gw-17", "status": "failed", "reason": "UserInBlackList"}
    response = await http.post("/channels/sms/generic/delivery", json=report)
    assert (response.status_code, response.text) == (200, "")
    await outage.restore()
    await spool_drained(app_through)
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.status, stored.last_error) == (OutboxStatus.FAILED, "UserInBlackList")


async def test_a_message_that_neither_the_database_nor_the_spool_can_keep_is_refused(
    database, outage, tmp_path
):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the spool directory should be")
    async with running_app(settings_through(database, outage, blocker / "spool")) as app:
        await empty_all_tables()
        async with http_client(app) as http:
            await outage.cut()
            body = {"id": "g-9", "from": "+84901234567", "text": "TG"}
            _assert_503(await http.post("/channels/sms/generic/inbound", json=body))
            report = {"id": "AT-9", "status": "Success"}
            _assert_503(await http.post("/channels/sms/africastalking/delivery", data=report))
            await outage.restore()
            assert await InboundMessage.all().count() == 0
            # The gateway's retry, once the database is back, is taken as usual.
            assert (await http.post("/channels/sms/generic/inbound", json=body)).status_code == 200
            assert await InboundMessage.filter(gateway_message_id="g-9").count() == 1
