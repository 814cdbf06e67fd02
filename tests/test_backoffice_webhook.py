"""The back-office webhook through the real app: signed with the shared secret, fresh, applied
once, and changing dossiers exactly as the counter does (the citizen gets the SMS)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.datastructures import Secret

from domain.dossiers.backoffice_sync import sign_body
from models import Dossier, DossierEvent, IntegrationEvent, OutboxMessage
from models.enums import ActorKind, DossierStatus
from tests.app_login import field_errors
from tests.conftest import AppWith, http_client
from tests.staff_setup import build_city

HOOK = "/v1/integrations/dossier-events"
SHARED_SECRET = "backoffice-shared-secret-0123456789"


@pytest.fixture
async def hook_client(app_with: AppWith) -> AsyncIterator[httpx.AsyncClient]:
    """The `client` fixture's app, configured with a back-office secret."""
    async with app_with(backoffice_secret=Secret(SHARED_SECRET)) as app, http_client(app) as http:
        yield http


def signed(payload: dict, *, secret: str = SHARED_SECRET, at: float | None = None) -> dict:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    timestamp = str(int(time.time() if at is None else at))
    return {
        "content": body,
        "headers": {
            "Content-Type": "application/json",
            "X-Mgov-Timestamp": timestamp,
            "X-Mgov-Signature": sign_body(secret=secret, timestamp=timestamp, body=body),
        },
    }


def problem_type(response: httpx.Response) -> str:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return response.json()["type"].rsplit("/", 1)[-1]


def moved(city, event_id: str = "evt-1", to_status: str = "in_progress", note: str = "") -> dict:
    return {
        "type": "dossier.moved",
        "event_id": event_id,
        "dossier_code": city.dossier_a.code,
        "to_status": to_status,
        "note": note,
    }


async def test_a_signed_move_changes_the_dossier_and_tells_the_citizen(hook_client):
    city = await build_city()
    response = await hook_client.post(
        HOOK, **signed(moved(city, to_status="rejected", note="Hồ sơ giả mạo"))
    )
    assert response.status_code == 200, response.text
    assert response.json()["dossier"]["status"] == "rejected"
    event = await DossierEvent.filter(dossier_id=city.dossier_a.id).order_by("-id").first()
    assert (event.actor_kind, event.actor, event.note) == (
        ActorKind.INTEGRATION,
        "backoffice",
        "Hồ sơ giả mạo",
    )
    sms = await OutboxMessage.get(citizen=city.citizen, template="dossier_rejected")
    assert city.dossier_a.code in sms.body


async def test_a_signed_receipt_creates_the_dossier_and_the_citizen(hook_client):
    await build_city()
    payload = {
        "type": "dossier.received",
        "event_id": "portal-2026-000123",
        "citizen_phone": "+84 912 345 678",
        "citizen_name": "Trần Thị Bình",
        "procedure_code": "2.000488",
        "agency_code": "H29.12",
    }
    response = await hook_client.post(HOOK, **signed(payload))
    assert response.status_code == 201, response.text
    code = response.json()["dossier"]["code"]
    assert code.startswith("H29.12-")
    dossier = await Dossier.get(code=code).prefetch_related("citizen")
    assert dossier.citizen.phone == "+84912345678"
    assert await OutboxMessage.exists(citizen=dossier.citizen, template="dossier_received")
    stored = await IntegrationEvent.get(event_id="portal-2026-000123")
    assert stored.dossier_code == code


async def test_a_receipt_for_a_number_that_cannot_get_sms_names_citizen_phone(hook_client):
    await build_city()
    payload = {
        "type": "dossier.received",
        "event_id": "portal-2026-000124",
        "citizen_phone": "028 3812 3456",  # an HCMC landline
        "procedure_code": "2.000488",
        "agency_code": "H29.12",
    }
    refused = await hook_client.post(HOOK, **signed(payload))
    assert problem_type(refused) == "phone_not_mobile"
    assert field_errors(refused) == [("citizen_phone", "phone_not_mobile")]
    assert not await IntegrationEvent.exists()


async def test_a_replayed_event_is_refused_and_changes_nothing(hook_client):
    city = await build_city()
    first = await hook_client.post(HOOK, **signed(moved(city)))
    assert first.status_code == 200
    events = await DossierEvent.all().count()
    messages = await OutboxMessage.all().count()
    again = await hook_client.post(HOOK, **signed(moved(city)))
    assert again.status_code == 409
    assert problem_type(again) == "webhook_event_replayed"
    assert city.dossier_a.code in again.json()["detail"]
    # Same id, different content: still the same event, still refused.
    different = await hook_client.post(HOOK, **signed(moved(city, to_status="withdrawn")))
    assert different.status_code == 409
    assert (await DossierEvent.all().count(), await OutboxMessage.all().count()) == (
        events,
        messages,
    )
    assert (await Dossier.get(id=city.dossier_a.id)).status == DossierStatus.IN_PROGRESS


async def test_a_bad_signature_is_refused(hook_client):
    city = await build_city()
    wrong_secret = await hook_client.post(HOOK, **signed(moved(city), secret="guessed"))
    assert wrong_secret.status_code == 401
    assert problem_type(wrong_secret) == "webhook_signature_invalid"
    tampered = signed(moved(city))
    tampered["content"] = tampered["content"].replace(b"in_progress", b"withdrawn")
    response = await hook_client.post(HOOK, **tampered)
    assert problem_type(response) == "webhook_signature_invalid"
    unsigned = signed(moved(city))
    del unsigned["headers"]["X-Mgov-Signature"]
    assert (await hook_client.post(HOOK, **unsigned)).status_code == 401
    assert (await Dossier.get(id=city.dossier_a.id)).status == DossierStatus.RECEIVED
    assert not await IntegrationEvent.exists()


@pytest.mark.parametrize("offset", [-301, 301, -3600])
async def test_a_stale_or_future_timestamp_is_refused(hook_client, offset):
    city = await build_city()
    response = await hook_client.post(HOOK, **signed(moved(city), at=time.time() + offset))
    assert response.status_code == 401
    assert problem_type(response) == "webhook_timestamp_invalid"
    assert (await Dossier.get(id=city.dossier_a.id)).status == DossierStatus.RECEIVED


async def test_a_timestamp_inside_the_window_is_accepted(hook_client):
    city = await build_city()
    response = await hook_client.post(HOOK, **signed(moved(city), at=time.time() - 240))
    assert response.status_code == 200


async def test_a_refused_change_is_not_remembered_so_a_fixed_retry_works(hook_client):
    city = await build_city()
    illegal = await hook_client.post(HOOK, **signed(moved(city, to_status="returned")))
    assert illegal.status_code == 409
    assert problem_type(illegal) == "illegal_transition"
    assert not await IntegrationEvent.exists()
    missing_reason = await hook_client.post(HOOK, **signed(moved(city, to_status="rejected")))
    assert problem_type(missing_reason) == "reason_required"
    assert field_errors(missing_reason) == [("note", "reason_required")]
    fixed = await hook_client.post(HOOK, **signed(moved(city, to_status="in_progress")))
    assert fixed.status_code == 200


async def test_a_malformed_signed_body_is_a_422(hook_client):
    await build_city()
    response = await hook_client.post(HOOK, **signed({"type": "dossier.exploded", "event_id": "x"}))
    assert response.status_code == 422
    assert problem_type(response) == "invalid_body"


async def test_without_a_configured_secret_every_call_is_refused(client):
    response = await client.post(HOOK, content=b"{}", headers={"X-Mgov-Timestamp": "1"})
    assert response.status_code == 503
    assert problem_type(response) == "webhook_not_configured"


async def test_concurrent_deliveries_of_one_event_apply_it_once(hook_client):
    city = await build_city()
    request = signed(moved(city, event_id="evt-race", to_status="needs_supplement", note="Thiếu"))
    events_before = await DossierEvent.all().count()
    responses = await asyncio.gather(*(hook_client.post(HOOK, **request) for _ in range(5)))
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409, 409]
    refused = [problem_type(r) for r in responses if r.status_code == 409]
    assert refused == ["webhook_event_replayed"] * 4
    assert await DossierEvent.all().count() == events_before + 1
    assert await OutboxMessage.filter(template="dossier_needs_supplement").count() == 1


@pytest.mark.parametrize("timestamp", ["¹²³", "1e9", " ", "9" * 40])
async def test_a_malformed_timestamp_is_refused_not_a_crash(hook_client, timestamp):
    city = await build_city()
    request = signed(moved(city))
    request["headers"]["X-Mgov-Timestamp"] = timestamp.encode("latin-1")
    response = await hook_client.post(HOOK, **request)
    assert response.status_code == 401
    assert problem_type(response) == "webhook_timestamp_invalid"
