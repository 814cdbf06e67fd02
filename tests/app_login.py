"""Signing in to the app API the way a phone does: ask for a code, read the SMS, trade it."""

from __future__ import annotations

import httpx

from models import OutboxMessage

PROBLEM_JSON = "application/problem+json"


async def sent_code(phone_e164: str) -> str:
    """The code in the newest login SMS to this number, as the handset would show it."""
    messages = await OutboxMessage.filter(phone=phone_e164, template="otp")
    [code] = [m.params["code"] for m in messages if m.params["code"].isdigit()]
    return str(code)


async def sign_in(client: httpx.AsyncClient, phone: str = "0901234567") -> dict[str, str]:
    """Log in (creating the citizen on first login); returns the token response."""
    response = await client.post("/v1/auth/otp", json={"phone": phone})
    assert response.status_code == 202, response.text
    e164 = "+84" + phone[1:]
    reply = await client.post(
        "/v1/auth/token", json={"phone": phone, "code": await sent_code(e164)}
    )
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def signed_in(client: httpx.AsyncClient, phone: str = "0901234567") -> dict[str, str]:
    """Authorization headers of a freshly signed-in citizen."""
    return bearer(await sign_in(client, phone))


def field_errors(response: httpx.Response) -> list[tuple[str, str]]:
    """A 422's `errors` as (field, code) pairs, each entry checked to carry its text too."""
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert errors and all(isinstance(e["message"], str) and e["message"] for e in errors)
    return [(e["field"], e["code"]) for e in errors]


def assert_problem(response: httpx.Response, *, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == status
    assert body["type"].endswith(f"/{code}")
    return dict(body)
