"""The OpenAPI document: valid OpenAPI 3.1, built from the code, served with an offline docs
page, and kept by the app: schemathesis sends generated requests to every operation and checks
that none gets a 5xx and every answer matches the document's own schemas."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta
from typing import Any

import httpx
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

from domain.dossiers import SYSTEM, receive_dossier
from mobile_api.api import ENDPOINTS
from models import Citizen
from tests.app_login import signed_in
from tests.factories import make_agency, make_office, make_procedure, make_slot

EXAMPLES_PER_OPERATION = 20
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
    assert len(operations) == len(ENDPOINTS) == 23
    assert ("POST", "/v1/auth/otp") in operations
    assert ("GET", "/v1/offices/{office_id}/slots") in operations


async def test_request_schemas_are_the_ones_that_validate(client):
    document = (await client.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]
    token_request = schemas["TokenRequest"]
    assert token_request["properties"]["code"]["pattern"] == r"^\d{6}$"
    assert token_request["additionalProperties"] is False
    refused = await client.post("/v1/auth/token", json={"phone": "0901234567", "code": "1"})
    assert refused.status_code == 422


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


async def _send(client: httpx.AsyncClient, case: schemathesis.Case, headers: dict[str, str]):
    kwargs = case.as_transport_kwargs(base_url=str(client.base_url), headers=headers)
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    elif kwargs.get("data") is not None:
        body["content"] = kwargs["data"]
    return await client.request(
        kwargs["method"],
        kwargs["url"],
        # Generated header values may be any text: send their UTF-8 bytes, as a raw client would.
        headers={k: str(v).encode("utf-8") for k, v in (kwargs.get("headers") or {}).items()},
        params=kwargs.get("params"),
        **body,
    )


async def test_schemathesis_finds_no_server_error_and_no_off_contract_answer(client):
    headers = await signed_in(client)
    citizen = await Citizen.get(phone="+84901234567")
    office = await make_office(await make_agency())
    procedure = await make_procedure(await office.agency)
    await make_slot(office, starts_in=timedelta(days=1))
    await receive_dossier(citizen=citizen, procedure=procedure, office=office, actor=SYSTEM)
    document = (await client.get("/openapi.json")).json()
    cases = await asyncio.to_thread(_generate_cases, document)
    assert len(cases) > 23 * 5
    failures = []
    for case in cases:
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
