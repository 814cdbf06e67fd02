"""The OpenAPI document: valid OpenAPI 3.1, built from the code, served with an offline docs
page, and kept by the app: schemathesis sends generated requests to every operation (the app's
as a signed-in citizen, the staff API's as an admin, the webhook's signed with the back-office
secret) and checks that none gets a 5xx and every answer matches the document's own schemas."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.datastructures import Secret
from tortoise.backends.base.executor import EXECUTOR_CACHE

from domain.backoffice import sign_body
from domain.dossiers import SYSTEM, receive_dossier
from mgov.settings import Settings
from mobile_api.api import ENDPOINTS
from mobile_api.app import create_app
from models import AuditLog, Citizen, StaffUser
from models.enums import StaffRole
from tests.app_login import signed_in
from tests.conftest import empty_all_tables
from tests.factories import make_agency, make_office, make_procedure, make_slot
from tests.staff_setup import PASSWORD_HASH, bearer

EXAMPLES_PER_OPERATION = 20
OPERATIONS = 37
HOOK = "/v1/integrations/dossier-events"
BACKOFFICE_SECRET = "contract-test-backoffice-secret-0123456789"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


async def test_the_document_is_valid_openapi_3_1(client):
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["openapi"] == "3.1.0"
    operations = {
        (method.upper(), path) for path, ops in document["paths"].items() for method in ops
    }
    assert len(operations) == len(ENDPOINTS) == OPERATIONS
    assert ("POST", "/v1/auth/otp") in operations
    assert ("GET", "/v1/offices/{office_id}/slots") in operations
    staff = {path for method, path in operations if path.startswith("/v1/staff/")}
    assert len(staff) == 12  # 13 operations, two of them on one path
    assert ("POST", "/v1/staff/dossiers/{code}/moves") in operations


async def test_staff_operations_name_the_roles_that_may_call_them(client):
    paths = (await client.get("/openapi.json")).json()["paths"]
    stats = paths["/v1/staff/stats/dossiers"]["get"]
    assert stats["security"] == [{"staffBearer": ["admin", "supervisor"]}]
    assert {"403", "401", "200"} <= set(stats["responses"])
    assert {p["name"] for p in stats["parameters"]} >= {"from", "to", "agency"}
    assert paths["/v1/staff/stats/notifications"]["get"]["security"] == [
        {"staffBearer": ["admin", "supervisor"]}
    ]
    move = paths["/v1/staff/dossiers/{code}/moves"]["post"]
    assert move["security"] == [{"staffBearer": ["admin", "officer"]}]
    assert paths["/v1/staff/auth/login"]["post"]["security"] == []


async def test_the_webhook_is_documented_with_its_signature(client):
    document = (await client.get("/openapi.json")).json()
    hook = document["paths"][HOOK]["post"]
    assert hook["security"] == [{"backofficeSignature": []}]
    scheme = document["components"]["securitySchemes"]["backofficeSignature"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == (
        "apiKey",
        "header",
        "X-Mgov-Signature",
    )
    [timestamp] = [p for p in hook["parameters"] if p["in"] == "header" and p["required"]]
    assert timestamp["name"] == "X-Mgov-Timestamp"
    assert {"200", "201", "401", "409", "422"} <= set(hook["responses"])
    body = document["components"]["schemas"]["DossierEventBody"]
    assert body["discriminator"]["propertyName"] == "type"


async def test_request_schemas_are_the_ones_that_validate(client):
    document = (await client.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]
    token_request = schemas["TokenRequest"]
    assert token_request["properties"]["code"]["pattern"] == r"^\d{6}$"
    assert token_request["additionalProperties"] is False
    refused = await client.post("/v1/auth/token", json={"phone": "0901234567", "code": "1"})
    assert refused.status_code == 422


async def test_every_422_is_documented_with_its_field_errors(client):
    document = (await client.get("/openapi.json")).json()
    ref = {"$ref": "#/components/schemas/ValidationProblem"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation["responses"]["422"]["content"]
            assert content == {"application/problem+json": {"schema": ref}}, (method, path)
    schema = document["components"]["schemas"]["ValidationProblem"]
    assert "errors" in schema["required"] and schema["properties"]["errors"]["minItems"] == 1
    assert "errors" not in document["components"]["schemas"]["Problem"]["properties"]


async def test_the_docs_page_works_offline(client):
    page = await client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "http://" not in page.text and "https://" not in page.text
    assert '<script src="/docs/docs.js">' in page.text
    script = await client.get("/docs/docs.js")
    assert script.status_code == 200
    assert "https://" not in script.text and 'fetch("/openapi.json")' in script.text


def _generate_cases(document: dict[str, Any]) -> list[schemathesis.Case]:
    """Hypothesis drives generation synchronously; requests are then sent on the test's loop."""
    schema = schemathesis.openapi.from_dict(document)
    cases: list[schemathesis.Case] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def collect(case: schemathesis.Case) -> None:
            cases.append(case)

        try:
            collect()
        except Unsatisfiable:
            # An operation without inputs (GET /v1/me) has nothing to make invalid.
            assert mode == GenerationMode.NEGATIVE, operation.label
    return cases


def _signed(raw: bytes) -> dict[str, str]:
    """What the back office adds to a body it sends (schemathesis cannot sign one itself)."""
    timestamp = str(int(time.time()))
    signature = sign_body(secret=BACKOFFICE_SECRET, timestamp=timestamp, body=raw)
    return {"X-Mgov-Timestamp": timestamp, "X-Mgov-Signature": signature}


async def _send(client: httpx.AsyncClient, case: schemathesis.Case, headers: dict[str, str]):
    kwargs = case.as_transport_kwargs(base_url=str(client.base_url), headers=headers)
    sent = dict(kwargs.get("headers") or {})
    raw = b""
    if "json" in kwargs:
        raw = json.dumps(kwargs["json"]).encode("utf-8")
        sent["Content-Type"] = "application/json"
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        raw = data if isinstance(data, bytes) else str(data).encode("utf-8")
    if case.path == HOOK:
        sent |= _signed(raw)
    return await client.request(
        kwargs["method"],
        kwargs["url"],
        # Generated header values may be any text: send their UTF-8 bytes, as a raw client would.
        headers={k: str(v).encode("utf-8") for k, v in sent.items()},
        params=kwargs.get("params"),
        content=raw or None,
    )


@pytest.fixture
async def contract_client(database: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The `client` fixture's app, configured with a back-office secret so the webhook answers."""
    EXECUTOR_CACHE.clear()
    settings = dataclasses.replace(database, backoffice_secret=Secret(BACKOFFICE_SECRET))
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await empty_all_tables()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mgov.test") as http:
            yield http


async def test_schemathesis_finds_no_server_error_and_no_off_contract_answer(contract_client):
    client = contract_client
    citizen_headers = await signed_in(client)
    await StaffUser.create(
        username="admin", password_hash=PASSWORD_HASH, full_name="admin", role=StaffRole.ADMIN
    )
    staff_headers = await bearer(client, "admin")
    citizen = await Citizen.get(phone="+84901234567")
    office = await make_office(await make_agency())
    procedure = await make_procedure(await office.agency)
    await make_slot(office, starts_in=timedelta(days=1))
    await receive_dossier(citizen=citizen, procedure=procedure, office=office, actor=SYSTEM)
    document = (await client.get("/openapi.json")).json()
    cases = await asyncio.to_thread(_generate_cases, document)
    assert len(cases) > OPERATIONS * 5
    failures = []
    for case in cases:
        headers = staff_headers if case.path.startswith("/v1/staff/") else citizen_headers
        response = await _send(client, case, headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except Exception as failure:  # noqa: BLE001 — collect every failure, then report
            failures.append(f"{case.method} {case.formatted_path}: {failure}")
    assert not failures, "\n\n".join(failures[:5])


async def test_overlong_ids_in_paths_are_404_not_500(client):
    headers = await signed_in(client)
    for method, path in (
        ("GET", "/v1/dossiers/" + "H29" * 30),
        ("GET", "/v1/procedures/" + "1" * 40),
        ("DELETE", "/v1/devices/" + "a" * 600),
        ("GET", "/v1/appointments/99999999999"),
    ):
        response = await client.request(method, path, headers=headers)
        assert response.status_code == 404, (method, path, response.text)
    nul = await client.get("/v1/procedures", params={"q": "khai\x00sinh"})
    assert nul.status_code == 422
    lookup = await client.post("/v1/dossiers/lookup", json={"code": "H29\x00"}, headers=headers)
    assert lookup.status_code == 422


# A valid input for each staff operation, so the role check (after validation) is what answers.
STAFF_CALLS = {
    "/v1/staff/citizens/search": {"phone": "0901234567"},
    "/v1/staff/citizens/{citizen_id}/appointments": {"slot_id": 1, "reason": "caller asked"},
    "/v1/staff/citizens/{citizen_id}/appointments/{appointment_id}/cancel": {"reason": "ill"},
    "/v1/staff/citizens/{citizen_id}/notifications/{message_id}/resend": {"reason": "lost"},
    "/v1/staff/dossiers": {"phone": "0901234567", "procedure_code": "2.000720", "office_id": 1},
    "/v1/staff/dossiers/{code}/moves": {"to_status": "in_progress"},
}


async def test_a_role_the_document_leaves_out_is_refused_by_the_route(client):
    roles = list(StaffRole)
    for role in roles:
        await StaffUser.create(
            username=role.value, password_hash=PASSWORD_HASH, full_name=role.value, role=role
        )
    tokens = {role: await bearer(client, role.value) for role in roles}
    document = (await client.get("/openapi.json")).json()
    checked = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            [requirement] = operation["security"] or [{}]
            allowed = requirement.get("staffBearer")
            if not allowed:
                continue
            url = path.format(citizen_id=1, appointment_id=1, message_id="x", code="H29-1")
            for role in roles:
                if role.value in allowed:
                    continue
                response = await client.request(
                    method, url, json=STAFF_CALLS.get(path), headers=tokens[role]
                )
                assert response.status_code == 403, (role, method, path, response.text)
                assert response.json()["type"].endswith("/staff_forbidden")
                checked += 1
    assert checked >= 20
    assert not await AuditLog.exists()
