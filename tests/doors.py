"""Every door that reads a body, and how a caller who passes its checks reaches the body: the API's
operations taken from their declarations (so a new one is covered without being listed here),
the gateways' callbacks and the console's login form. Shared by the bad-input and body-limit
tables (test_bad_input.py, test_body_limits.py)."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette
from starlette.datastructures import Secret

from domain.auth.app_tokens import issue_access_token
from domain.auth.staff_tokens import issue_staff_token
from domain.dossiers.backoffice_sync import sign_body
from infra.settings import Settings
from mobile_api.access import CITIZEN, SIGNED, STAFF_SCHEME
from mobile_api.api import ENDPOINTS
from models import StaffUser
from models.enums import StaffRole
from tests.conftest import AppWith
from tests.factories import make_citizen
from tests.staff_setup import PASSWORD_HASH

BACKOFFICE_SECRET = "bad-input-backoffice-secret-0123456789"
_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")
_SAMPLE = {"row_id": "1", "uuid": str(uuid.UUID(int=1)), None: "x"}


@dataclass(frozen=True)
class Door:
    name: str
    method: str
    path: str
    # "citizen", "staff", "signed" or None: what the call must carry to get as far as the body.
    auth: str | None
    # How the door answers a refused body: the API's problem type, or the gateway adapter's.
    problem: str
    content_type: str = "application/json"

    @property
    def api(self) -> bool:
        return self.path.startswith("/v1/")


def _api_doors() -> list[Door]:
    doors = []
    for endpoint in ENDPOINTS:
        if endpoint.body is None:
            continue
        path = _PARAM.sub(lambda m: _SAMPLE[m.group(2)], endpoint.path)
        auth = {CITIZEN: "citizen", SIGNED: "signed"}.get(endpoint.auth)
        if endpoint.auth.scheme == STAFF_SCHEME:
            auth = "staff"
        name = f"{endpoint.method} {endpoint.path}"
        doors.append(Door(name, endpoint.method, path, auth, endpoint.invalid))
    return doors


API_DOORS = _api_doors()
JSON_CHANNEL_DOORS = [
    Door("ussd generic", "POST", "/channels/ussd/generic", None, "ussd_bad_request"),
    Door(
        "sms generic inbound", "POST", "/channels/sms/generic/inbound", None, "sms_callback_invalid"
    ),
    Door(
        "sms generic delivery",
        "POST",
        "/channels/sms/generic/delivery",
        None,
        "sms_callback_invalid",
    ),
]
FORM = "application/x-www-form-urlencoded"
FORM_DOORS = [
    Door("ussd africastalking", "POST", "/channels/ussd/africastalking", None, "", FORM),
    Door(
        "sms africastalking inbound", "POST", "/channels/sms/africastalking/inbound", None, "", FORM
    ),
    Door("console login", "POST", "/console/login", None, "", FORM),
]
JSON_DOORS = API_DOORS + JSON_CHANNEL_DOORS


def door_params(doors: list[Door]) -> list[object]:
    return [pytest.param(door, id=door.name) for door in doors]


@dataclass
class Caller:
    """Credentials that get a request to each door's body: a citizen's and an admin's tokens."""

    client: httpx.AsyncClient
    citizen_id: int
    citizen_token: str
    staff_token: str

    def headers(self, door: Door, body: bytes) -> dict[str, str]:
        headers = {"Content-Type": door.content_type}
        if door.auth == "citizen":
            headers["Authorization"] = f"Bearer {self.citizen_token}"
        elif door.auth == "staff":
            headers["Authorization"] = f"Bearer {self.staff_token}"
        elif door.auth == "signed":
            timestamp = str(int(time.time()))
            headers["X-Mgov-Timestamp"] = timestamp
            headers["X-Mgov-Signature"] = sign_body(
                secret=BACKOFFICE_SECRET, timestamp=timestamp, body=body
            )
        return headers

    async def send(self, door: Door, body: bytes) -> httpx.Response:
        return await self.client.request(
            door.method, door.path, content=body, headers=self.headers(door, body)
        )


async def signed_in_caller(app: Starlette, settings: Settings) -> Caller:
    secret = str(settings.secret_key)
    citizen = await make_citizen()
    admin = await StaffUser.create(
        username="admin1", password_hash=PASSWORD_HASH, full_name="admin1", role=StaffRole.ADMIN
    )
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mgov.test")
    return Caller(
        client=client,
        citizen_id=citizen.id,
        citizen_token=issue_access_token(citizen_id=citizen.id, secret=secret),
        staff_token=issue_staff_token(staff=admin, secret=secret, lifetime=timedelta(hours=1)),
    )


@pytest.fixture
async def caller(app_with: AppWith, database: Settings) -> AsyncIterator[Caller]:
    """The app (with a back-office secret, so the webhook reads its body) and a caller signed in
    as a citizen and as an admin."""
    async with app_with(backoffice_secret=Secret(BACKOFFICE_SECRET)) as app:
        signed = await signed_in_caller(app, database)
        async with signed.client:
            yield signed
