"""The OpenAPI document: valid OpenAPI 3.1, built from the code, served with an offline docs
page, and kept by the app: schemathesis sends generated requests to every operation (the app's
as a signed-in citizen, the staff API's as an admin, the webhook's signed with the back-office
secret) and checks that none gets a 5xx and every answer matches the document's own schemas.
Generated requests seldom get a success answer (a real OTP, a seeded id, a valid signature), so
a happy path through every operation checks each success status and body against the document
too."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.datastructures import Secret

from domain.dossiers.backoffice_sync import sign_body
from domain.dossiers.records import SYSTEM, receive_dossier
from mobile_api.api import ENDPOINTS
from models import AuditLog, Citizen, StaffUser
from models.enums import StaffRole
from tests.app_login import sent_code, signed_in
from tests.conftest import AppWith, http_client
from tests.factories import (
    make_agency,
    make_office,
    make_procedure,
    make_slot,
    send_due_messages,
)
from tests.staff_setup import PASSWORD, PASSWORD_HASH, bearer

EXAMPLES_PER_OPERATION = 20
OPERATIONS = 57
HOOK = "/v1/integrations/dossier-events"
BACKOFFICE_SECRET = "contract-test-backoffice-secret-0123456789"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
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
    assert len(staff) == 20  # 21 operations, two of them on one path
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
async def contract_client(app_with: AppWith) -> AsyncIterator[httpx.AsyncClient]:
    """The `client` fixture's app, configured with a back-office secret so the webhook answers."""
    async with (
        app_with(backoffice_secret=Secret(BACKOFFICE_SECRET)) as app,
        http_client(app) as http,
    ):
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
        # One failed check raises a Failure; several raise a FailureGroup, which is a
        # BaseExceptionGroup and no Exception: both are collected, then reported together.
        except (Failure, FailureGroup) as failure:
            failures.append(f"{case.method} {case.formatted_path}: {failure}")
    assert not failures, f"{len(failures)} failures, the first 5:\n\n" + "\n\n".join(failures[:5])


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
    "/v1/staff/dossiers/{code}/supplement": {"documents": ["lease"]},
    "/v1/staff/applications/{application_id}/accept": {},
    "/v1/staff/applications/{application_id}/refuse": {"reason": "not ours"},
    "/v1/staff/applications/{application_id}/supplement": {"documents": ["lease"]},
    "/v1/staff/procedures/{code}/form": {"online_level": "partial"},
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
            url = path.format(
                citizen_id=1,
                appointment_id=1,
                message_id="x",
                code="H29-1",
                application_id=1,
                document_id=1,
            )
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


class Contract:
    """Calls operations of the document the way a client would and checks each answer against
    the document: a success status it lists for that operation, its media type, and the body
    against its response schema (schemathesis' validation of the loaded document)."""

    def __init__(self, client: httpx.AsyncClient, document: dict[str, Any]) -> None:
        self.client = client
        self.document = document
        self.schema = schemathesis.openapi.from_dict(document)
        self.answered: dict[tuple[str, str], set[int]] = {}

    async def call(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        body: Any = None,
        files: dict[str, Any] | None = None,
        **path_params: Any,
    ) -> httpx.Response:
        sent = dict(headers or {})
        raw = None
        if body is not None:
            raw = json.dumps(body).encode("utf-8")
            sent["Content-Type"] = "application/json"
            if path == HOOK:
                sent |= _signed(raw)
        url = path.format(**path_params)
        if files is not None:
            response = await self.client.request(
                method, url, headers=sent, params=params, files=files
            )
            response.request.read()  # schemathesis reads the request it checks the answer of
        else:
            response = await self.client.request(
                method, url, headers=sent, params=params, content=raw
            )
        documented = self.document["paths"][path][method.lower()]["responses"]
        status = response.status_code
        assert 200 <= status < 300 and str(status) in documented, (method, url, response.text)
        content = documented[str(status)].get("content")
        if content:
            assert response.headers["content-type"] in content, (method, url)
        else:
            assert response.content == b"", (method, url)
        self.schema[path][method].validate_response(response)
        self.answered.setdefault((method, path), set()).add(status)
        return response


PDF = b"%PDF-1.7\n%%EOF\n"
FORM = {
    "online_level": "full",
    "fields": [{"name": "purpose", "type": "text", "label_vi": "Mục đích", "label_en": "Purpose"}],
    "documents": [{"kind": "scan", "name_vi": "Bản quét", "name_en": "Scan", "required": False}],
}


async def _walk_online_applications(
    api: Contract, me: dict[str, str], staff: dict[str, str], code: str
) -> None:
    """Every application operation once, with the answers of a real submission."""
    await api.call("PUT", "/v1/staff/procedures/{code}/form", headers=staff, body=FORM, code=code)
    await api.call("GET", "/v1/procedures/{code}/form", code=code)
    answers = {"purpose": "Mở quán cà phê"}
    keyed = {**me, "Idempotency-Key": "draft-a"}
    new = {"procedure_code": code, "answers": {}}
    first = (await api.call("POST", "/v1/applications", headers=keyed, body=new)).json()["id"]
    await api.call("POST", "/v1/applications", headers=keyed, body=new)  # the replay: 200
    one, ids = "/v1/applications/{application_id}", {"application_id": first}
    await api.call("GET", "/v1/applications", headers=me)
    await api.call("GET", one, headers=me, **ids)
    await api.call("PATCH", one, headers=me, body={"answers": answers}, **ids)
    upload = {"file": ("scan.pdf", PDF, "application/pdf")}
    kind = {"kind": "scan"}
    added = await api.call("POST", one + "/documents", headers=me, params=kind, files=upload, **ids)
    document = one + "/documents/{document_id}"
    await api.call("GET", document, headers=me, document_id=added.json()["id"], **ids)
    await api.call("DELETE", document, headers=me, document_id=added.json()["id"], **ids)
    added = await api.call("POST", one + "/documents", headers=me, params=kind, files=upload, **ids)
    await api.call("POST", one + "/submit", headers={**me, "Idempotency-Key": "s-a"}, **ids)

    async def submitted(key: str) -> int:
        body = {"procedure_code": code, "answers": answers, "submit": True}
        headers = {**me, "Idempotency-Key": key}
        return int(
            (await api.call("POST", "/v1/applications", headers=headers, body=body)).json()["id"]
        )

    withdrawn, refused, sent_back = [await submitted(k) for k in ("b", "d", "e")]
    await api.call("POST", one + "/withdraw", headers=me, application_id=withdrawn)
    draft = (await api.call("POST", "/v1/applications", headers=me, body=new)).json()["id"]
    await api.call("DELETE", one, headers=me, application_id=draft)

    review = "/v1/staff/applications/{application_id}"
    await api.call("GET", "/v1/staff/applications", headers=staff)
    await api.call("GET", review, headers=staff, **ids)
    await api.call(
        "GET",
        review + "/documents/{document_id}",
        headers=staff,
        document_id=added.json()["id"],
        **ids,
    )
    accepted = await api.call("POST", review + "/accept", headers=staff, body={}, **ids)
    await api.call(
        "POST",
        review + "/refuse",
        headers=staff,
        body={"reason": "Sai thủ tục"},
        application_id=refused,
    )
    await api.call(
        "POST",
        review + "/supplement",
        headers=staff,
        body={"documents": ["scan"]},
        application_id=sent_back,
    )
    await api.call(
        "POST",
        one + "/documents",
        headers=me,
        params=kind,
        files=upload,
        application_id=sent_back,
    )
    await api.call("POST", one + "/resubmit", headers=me, application_id=sent_back)
    await api.call(
        "POST",
        "/v1/staff/dossiers/{code}/supplement",
        headers=staff,
        body={"fields": ["purpose"], "note": "Ghi rõ địa điểm"},
        code=accepted.json()["code"],
    )


async def test_a_happy_path_through_every_operation_answers_as_documented(contract_client):
    """Generated requests rarely get past validation, auth and seeded ids, so schemathesis alone
    never sees most success answers; this walks each operation to one with real data."""
    client = contract_client
    document = (await client.get("/openapi.json")).json()
    api = Contract(client, document)
    phone, e164 = "0901234567", "+84901234567"
    office = await make_office(await make_agency())
    procedure = await make_procedure(await office.agency)
    slots = [await make_slot(office, starts_in=timedelta(days=1, hours=n)) for n in range(3)]
    await StaffUser.create(
        username="admin", password_hash=PASSWORD_HASH, full_name="admin", role=StaffRole.ADMIN
    )

    # Login, as the app does it: the code is read from the outbox, as the handset would show it.
    await api.call("POST", "/v1/auth/otp", body={"phone": phone})
    login = await api.call(
        "POST", "/v1/auth/token", body={"phone": phone, "code": await sent_code(e164)}
    )
    refreshed = await api.call(
        "POST", "/v1/auth/refresh", body={"refresh_token": login.json()["refresh_token"]}
    )
    tokens = refreshed.json()
    me = {"Authorization": f"Bearer {tokens['access_token']}"}
    citizen = await Citizen.get(phone=e164)
    dossier = await receive_dossier(
        citizen=citizen, procedure=procedure, office=office, actor=SYSTEM
    )

    await api.call("GET", "/v1/me", headers=me)
    change = {"full_name": "Nguyễn Văn An", "notifications": {"push": True, "sms": True}}
    await api.call("PATCH", "/v1/me", headers=me, body=change)
    await api.call("GET", "/v1/me/export", headers=me)

    found = await api.call("GET", "/v1/procedures", headers=me, params={"q": "kinh doanh"})
    assert [p["code"] for p in found.json()["items"]] == [procedure.code]
    await api.call("GET", "/v1/procedures/{code}", headers=me, code=procedure.code)
    await api.call("GET", "/v1/offices", headers=me)
    day = slots[0].starts_at.astimezone(HCM).date().isoformat()
    open_slots = await api.call(
        "GET",
        "/v1/offices/{office_id}/slots",
        headers=me,
        params={"date": day},
        office_id=office.id,
    )
    assert slots[0].id in {s["id"] for s in open_slots.json()["items"]}

    mine = await api.call("GET", "/v1/dossiers", headers=me)
    assert [d["code"] for d in mine.json()["items"]] == [dossier.code]
    await api.call("GET", "/v1/dossiers/{code}", headers=me, code=dossier.code)
    await api.call("POST", "/v1/dossiers/lookup", headers=me, body={"code": dossier.code})

    booked = await api.call("POST", "/v1/appointments", headers=me, body={"slot_id": slots[0].id})
    appointment = booked.json()["id"]
    await api.call("GET", "/v1/appointments", headers=me)
    one = "/v1/appointments/{appointment_id}"
    await api.call("GET", one, headers=me, appointment_id=appointment)
    await api.call(
        "PATCH", one, headers=me, body={"slot_id": slots[1].id}, appointment_id=appointment
    )
    await api.call("DELETE", one, headers=me, appointment_id=appointment)

    device = {"platform": "android", "token": "fcm-token-1"}
    await api.call("POST", "/v1/devices", headers=me, body=device)
    inbox = (await api.call("GET", "/v1/notifications", headers=me)).json()["items"]
    received = next(m["id"] for m in inbox if m["template"] == "dossier_received")
    await api.call("POST", "/v1/notifications/{message_id}/read", headers=me, message_id=received)
    await api.call("DELETE", "/v1/devices/{token}", headers=me, token="fcm-token-1")

    # The staff API, as an admin (every role's permission), each call with its reason.
    staff_login = await api.call(
        "POST", "/v1/staff/auth/login", body={"username": "admin", "password": PASSWORD}
    )
    staff = {"Authorization": f"Bearer {staff_login.json()['access_token']}"}
    why = {"reason": "caller asked"}
    await api.call("POST", "/v1/staff/citizens/search", headers=staff, body={"phone": phone, **why})
    person = "/v1/staff/citizens/{citizen_id}"
    ids = {"citizen_id": citizen.id}
    await api.call("GET", f"{person}/dossiers", headers=staff, params=why, **ids)
    on_behalf = await api.call(
        "POST",
        f"{person}/appointments",
        headers=staff,
        body={"slot_id": slots[2].id, **why},
        **ids,
    )
    await api.call("GET", f"{person}/appointments", headers=staff, params=why, **ids)
    await api.call(
        "POST",
        f"{person}/appointments/{{appointment_id}}/cancel",
        headers=staff,
        body=why,
        appointment_id=on_behalf.json()["id"],
        **ids,
    )
    await api.call("GET", f"{person}/notifications", headers=staff, params=why, **ids)
    await send_due_messages()  # only a message that has gone out is resent
    await api.call(
        "POST",
        f"{person}/notifications/{{message_id}}/resend",
        headers=staff,
        body=why,
        message_id=received,
        **ids,
    )
    counter = {"phone": "0912345678", "procedure_code": procedure.code, "office_id": office.id}
    receipt = await api.call("POST", "/v1/staff/dossiers", headers=staff, body=counter)
    await api.call(
        "POST",
        "/v1/staff/dossiers/{code}/moves",
        headers=staff,
        body={"to_status": "in_progress"},
        code=receipt.json()["code"],
    )
    await api.call("GET", "/v1/staff/audit", headers=staff, params={"citizen_id": citizen.id})
    await api.call("GET", "/v1/staff/stats/dossiers", headers=staff)
    await api.call("GET", "/v1/staff/stats/notifications", headers=staff)

    # The back office: a dossier received elsewhere (201), then moved (200).
    event = {
        "type": "dossier.received",
        "event_id": "portal-1",
        "citizen_phone": phone,
        "procedure_code": procedure.code,
        "office_id": office.id,
    }
    created = await api.call("POST", HOOK, body=event)
    move = {
        "type": "dossier.moved",
        "event_id": "portal-2",
        "dossier_code": created.json()["dossier"]["code"],
        "to_status": "in_progress",
    }
    await api.call("POST", HOOK, body=move)

    await _walk_online_applications(api, me, staff, procedure.code)
    await api.call("POST", "/v1/auth/logout", body={"refresh_token": tokens["refresh_token"]})

    successes = {
        (method.upper(), path): {int(s) for s in operation["responses"] if s.startswith("2")}
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }
    assert len(successes) == OPERATIONS
    assert api.answered == successes
