"""Hostile input, door by door: what used to reach a 500 (a RecursionError, Python's int-string
ValueError, an integer overflow in the database) is answered 422, 404 or 401, in the door's own
problem type, naming the field. Every door that parses JSON reads it through infra/json_input.py."""

from __future__ import annotations

import jwt
import pytest

from domain.auth.app_tokens import ALGORITHM, ISSUER, issue_access_token
from domain.auth.staff_tokens import STAFF_AUDIENCE, STAFF_TOKEN_TYPE, _staff_key
from domain.local_time import utc_now
from infra.json_input import JsonRefused, read_json
from tests.app_login import assert_problem
from tests.doors import API_DOORS, JSON_DOORS, caller, door_params  # noqa: F401 (fixture)

FIVE_THOUSAND_DIGITS = "9" * 5000


def _nested(depth: int) -> bytes:
    return b'{"phone": ' + b"[" * depth + b"]" * depth + b"}"


# payload, and the (field, validation code) an API door names for it
PAYLOADS = {
    "nested 350 deep": (_nested(350), ("body", "json_too_deep")),
    "nested 1000 deep": (_nested(1000), ("body", "json_too_deep")),
    "5000-digit integer": (
        b'{"phone": ' + FIVE_THOUSAND_DIGITS.encode() + b"}",
        ("phone", "integer_too_long"),
    ),
    "33-digit integer in a list": (
        b'{"items": [1, ' + b"1" * 33 + b"]}",
        ("items.1", "integer_too_long"),
    ),
    "no body": (b"", ("body", "missing")),
    "NaN": (b'{"phone": NaN}', ("body", "json_invalid")),
}


@pytest.mark.parametrize("payload", list(PAYLOADS))
@pytest.mark.parametrize("door", door_params(JSON_DOORS))
async def test_a_hostile_body_is_a_422_naming_the_field(caller, door, payload):  # noqa: F811
    body, (field, code) = PAYLOADS[payload]
    response = await caller.send(door, body)
    assert_problem(response, status=422, code=door.problem)
    errors = [(error["field"], error["code"]) for error in response.json()["errors"]]
    # The gateways' adapters name the field under their own problem code.
    assert errors == [(field, code if door.api else door.problem)]


def test_the_parser_never_recurses_and_never_converts_a_long_integer():
    assert read_json(b'{"a": [1, {"b": -12}], "c": "[[[[{{{{"}') == {
        "a": [1, {"b": -12}],
        "c": "[[[[{{{{",
    }
    with pytest.raises(JsonRefused) as deep:
        read_json(b"[" * 100_000)
    assert deep.value.code == "json_too_deep"
    with pytest.raises(JsonRefused) as long:
        read_json(b'{"x": 1, "y": {"z": [' + b"1" * 33 + b", -" + b"2" * 40 + b"]}}")
    assert (long.value.code, long.value.fields) == ("integer_too_long", ("y.z.0", "y.z.1"))


@pytest.mark.parametrize(
    "path",
    [
        f"/v1/appointments/{FIVE_THOUSAND_DIGITS}",
        f"/v1/offices/{FIVE_THOUSAND_DIGITS}/slots?date=2026-11-23",
        f"/v1/staff/citizens/{FIVE_THOUSAND_DIGITS}/dossiers",
        f"/v1/appointments/{2**31}",
        f"/console/citizens/{FIVE_THOUSAND_DIGITS}",
    ],
)
async def test_a_path_id_no_row_can_have_is_a_404(caller, path):  # noqa: F811
    response = await caller.client.get(path)
    assert_problem(response, status=404, code="not_found")


async def test_a_5000_digit_query_number_is_a_422(caller):  # noqa: F811
    response = await caller.client.get(f"/v1/procedures?limit={FIVE_THOUSAND_DIGITS}")
    assert_problem(response, status=422, code="validation_failed")


async def test_patch_me_without_a_body_is_a_422_not_a_200(caller):  # noqa: F811
    [door] = [door for door in API_DOORS if door.name == "PATCH /v1/me"]
    response = await caller.send(door, b"")
    assert_problem(response, status=422, code="validation_failed")
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("body", "missing")]


SUBJECTS = [str(2**64), "9" * 30, str(2**31), "0", "-1", "00000000000000000000001"]


def _citizen_token(subject: str, secret: str) -> str:
    now = utc_now()
    claims = {
        "iss": ISSUER,
        "sub": subject,
        "typ": "access",
        "iat": now,
        "exp": now.timestamp() + 60,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def _staff_token(subject: str, secret: str) -> str:
    now = int(utc_now().timestamp())
    claims = {
        "iss": ISSUER,
        "aud": STAFF_AUDIENCE,
        "typ": STAFF_TOKEN_TYPE,
        "sub": subject,
        "role": "admin",
        "iat": now,
        "exp": now + 60,
    }
    return jwt.encode(claims, _staff_key(secret), algorithm="HS256")


@pytest.mark.parametrize("subject", SUBJECTS)
async def test_a_signed_token_naming_no_possible_id_is_a_401(caller, database, subject):  # noqa: F811
    secret = str(database.secret_key)
    citizen = await caller.client.get(
        "/v1/me", headers={"Authorization": f"Bearer {_citizen_token(subject, secret)}"}
    )
    assert_problem(citizen, status=401, code="invalid_token")
    staff = await caller.client.get(
        "/v1/staff/audit", headers={"Authorization": f"Bearer {_staff_token(subject, secret)}"}
    )
    assert_problem(staff, status=401, code="staff_token_invalid")


async def test_a_token_for_a_real_id_still_works(caller, database):  # noqa: F811
    token = issue_access_token(citizen_id=caller.citizen_id, secret=str(database.secret_key))
    response = await caller.client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
