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

from domain.backoffice import sign_body
from domain.catalogue import text
from mgov.outages import RETRY_AFTER_SECONDS
from mgov.settings import Settings
from models import Citizen
from models.enums import Language
from tests.conftest import empty_all_tables, http_client
from tests.factories import make_citizen
from tests.outage import Outage, outage_for, running_app, settings_through
from tests.ussd_phone import ADAPTERS, Phone

ENGLISH = {"Accept-Language": "en"}
BACKOFFICE_SECRET = "backoffice-secret-for-the-outage-0123456789"


@pytest.fixture
async def outage(database: Settings, tmp_path: Path) -> AsyncIterator[Outage]:
    outage = await outage_for(database.database_url, tmp_path)
    yield outage
    await outage.close()


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
    stranger = Phone(http, adapter, phone="+84912345678")
    await outage.cut()
    # Phone asserts HTTP 200 and the gateway's own format (text/plain or JSON) on every hop.
    assert await english.press("1") == "END " + text("ussd.unavailable", "en")
    assert await stranger.dial() == "END Dich vu tam thoi gian doan, vui long goi lai sau it phut."
    await outage.restore()
    assert (await stranger.dial()).startswith("CON Dich vu cong TP.HCM")
