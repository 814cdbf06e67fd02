"""Logging in to the app: codes by SMS, tokens, rotation, and everything that must be refused."""

from __future__ import annotations

import io
import logging
from datetime import time, timedelta

import httpx
import jwt
import pytest

from domain.alerts.quiet_hours import QuietHours
from domain.auth.app_tokens import ACCESS_TTL, issue_access_token, purge_expired_logins
from domain.local_time import utc_now
from infra.logs import MaskingFilter
from models import Citizen, OtpCode, OutboxMessage, RefreshToken
from models.enums import Channel, OutboxStatus, Priority
from notifications.providers.log import LogProvider
from notifications.worker import OutboxWorker, WorkerConfig
from tests.app_login import assert_problem, bearer, field_errors, sent_code, sign_in
from tests.conftest import make_settings

PHONE = "0901234567"
E164 = "+84901234567"
SECRET = "test-secret-key-not-for-production-0123456789"


async def ask_code(client: httpx.AsyncClient, phone: str = PHONE, **kw: object) -> httpx.Response:
    return await client.post("/v1/auth/otp", json={"phone": phone}, **kw)  # type: ignore[arg-type]


async def give_code(client: httpx.AsyncClient, code: str, phone: str = PHONE) -> httpx.Response:
    return await client.post("/v1/auth/token", json={"phone": phone, "code": code})


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_a_code_goes_out_as_an_urgent_sms_and_no_citizen_is_created_yet(client):
    response = await ask_code(client)
    assert response.status_code == 202
    assert response.json() == {"expires_in": 300}
    [message] = await OutboxMessage.filter(phone=E164)
    assert message.template == "otp"
    assert message.channel == Channel.SMS
    assert message.priority == Priority.URGENT
    assert len(message.params["code"]) == 6 and message.params["code"].isdigit()
    assert message.params["code"] in message.body
    [otp] = await OtpCode.filter(phone=E164)
    assert message.params["code"] not in otp.code_hash
    assert not await Citizen.exists(phone=E164)


async def test_english_callers_get_the_code_in_english(client):
    await ask_code(client, headers={"Accept-Language": "en"})
    message = await OutboxMessage.get(phone=E164)
    assert message.body.startswith("HCMC public services login code")


async def test_the_right_code_creates_the_citizen_and_masks_the_code_in_the_outbox(client):
    await ask_code(client)
    code = await sent_code(E164)
    response = await give_code(client, code)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"  # tokens stay out of caches
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == int(ACCESS_TTL.total_seconds())
    assert await Citizen.exists(phone=E164)
    message = await OutboxMessage.get(phone=E164)
    assert code not in message.body and code not in str(message.params)
    me = await client.get("/v1/me", headers=bearer(body))
    assert me.status_code == 200
    assert me.json()["phone"] == E164


async def test_a_code_works_once(client):
    await ask_code(client)
    code = await sent_code(E164)
    assert (await give_code(client, code)).status_code == 200
    assert_problem(await give_code(client, code), status=400, code="otp_expired")


async def test_the_sixth_try_is_refused_even_with_the_right_code(client):
    await ask_code(client)
    code = await sent_code(E164)
    for _ in range(5):
        assert_problem(await give_code(client, wrong(code)), status=400, code="otp_invalid")
    assert_problem(await give_code(client, code), status=400, code="otp_locked")
    assert not await Citizen.exists(phone=E164)


async def test_an_expired_code_is_refused(client):
    await ask_code(client)
    code = await sent_code(E164)
    await OtpCode.filter(phone=E164).update(expires_at=utc_now() - timedelta(seconds=1))
    assert_problem(await give_code(client, code), status=400, code="otp_expired")


async def test_a_new_code_voids_the_old_one_and_masks_it(client):
    await ask_code(client)
    first = await sent_code(E164)
    await ask_code(client)
    second = await sent_code(E164)
    if first != second:  # the old code is now just a wrong guess at the new one
        assert_problem(await give_code(client, first), status=400, code="otp_invalid")
    assert (await give_code(client, second)).status_code == 200
    bodies = [m.body for m in await OutboxMessage.filter(phone=E164)]
    assert all(first not in body and second not in body for body in bodies)


async def test_resends_are_throttled_per_phone_with_retry_after(client):
    for _ in range(3):
        assert (await ask_code(client)).status_code == 202
    response = await ask_code(client)
    assert_problem(response, status=429, code="too_many_requests")
    assert int(response.headers["retry-after"]) > 0
    assert (await ask_code(client, "0912345678")).status_code == 202


async def test_sends_are_throttled_per_client_address(client):
    phones = [f"090{n:07d}" for n in range(1234500, 1234521)]
    statuses = [(await ask_code(client, phone)).status_code for phone in phones]
    assert statuses[:20] == [202] * 20
    assert statuses[20] == 429


async def test_bad_phone_and_bad_code_are_422_with_field_errors(client):
    bad_phone = await ask_code(client, "12")
    body = assert_problem(bad_phone, status=422, code="invalid_phone")
    assert body["errors"] == [
        {"field": "phone", "code": "invalid_phone", "message": body["detail"]}
    ]
    landline = await ask_code(client, "02838123456", headers={"Accept-Language": "en"})
    assert_problem(landline, status=422, code="phone_not_mobile")
    assert landline.json()["errors"] == [
        {
            "field": "phone",
            "code": "phone_not_mobile",
            "message": "Please use a mobile phone number.",
        }
    ]
    bad_token_phone = await client.post("/v1/auth/token", json={"phone": "12", "code": "123456"})
    assert field_errors(bad_token_phone) == [("phone", "invalid_phone")]
    bad = await client.post("/v1/auth/token", json={"phone": PHONE, "code": "12ab"})
    body = assert_problem(bad, status=422, code="validation_failed")
    assert [e["field"] for e in body["errors"]] == ["code"]  # type: ignore[index]
    missing = await client.post("/v1/auth/otp", content=b"not json")
    assert_problem(missing, status=422, code="validation_failed")


async def test_no_code_or_phone_reaches_the_log(client, caplog: pytest.LogCaptureFixture):
    caplog.handler.addFilter(MaskingFilter())
    with (
        caplog.at_level(logging.INFO),
        caplog.at_level(logging.DEBUG, logger="domain"),
        caplog.at_level(logging.DEBUG, logger="mobile_api"),
    ):
        await ask_code(client)
        code = await sent_code(E164)
        await give_code(client, code)
    assert code not in caplog.text
    assert E164 not in caplog.text and PHONE not in caplog.text


# Access tokens


async def test_no_token_is_401_with_a_bearer_challenge(client):
    response = await client.get("/v1/me")
    assert_problem(response, status=401, code="unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"
    garbage = await client.get("/v1/me", headers={"Authorization": "Basic abc"})
    assert_problem(garbage, status=401, code="unauthorized")


async def test_an_expired_token_is_refused(client):
    tokens = await sign_in(client)
    citizen = await Citizen.get(phone=E164)
    old = issue_access_token(
        citizen_id=citizen.id, secret=SECRET, now=utc_now() - ACCESS_TTL - timedelta(seconds=5)
    )
    assert (await client.get("/v1/me", headers=bearer(tokens))).status_code == 200
    response = await client.get("/v1/me", headers={"Authorization": f"Bearer {old}"})
    assert_problem(response, status=401, code="token_expired")


async def test_a_tampered_token_is_refused(client):
    tokens = await sign_in(client)
    other = await sign_in(client, "0912345678")
    head, _, signature = tokens["access_token"].rpartition(".")
    _, payload, _ = other["access_token"].split(".")
    forged = f"{head.split('.')[0]}.{payload}.{signature}"
    response = await client.get("/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert_problem(response, status=401, code="invalid_token")


async def test_alg_none_and_foreign_keys_are_refused(client):
    await sign_in(client)
    citizen = await Citizen.get(phone=E164)
    now = utc_now()
    claims = {"iss": "mgov", "sub": str(citizen.id), "typ": "access", "iat": now}
    claims["exp"] = now + ACCESS_TTL
    unsigned = jwt.encode(claims, None, algorithm="none")
    foreign = jwt.encode(claims, "another-secret-of-at-least-32-bytes!!", algorithm="HS256")
    for token in (unsigned, foreign, "not.a.jwt"):
        response = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert_problem(response, status=401, code="invalid_token")


async def test_a_token_for_a_deleted_citizen_is_refused(client):
    tokens = await sign_in(client)
    await Citizen.filter(phone=E164).delete()
    assert_problem(
        await client.get("/v1/me", headers=bearer(tokens)), status=401, code="invalid_token"
    )


# Refresh tokens


async def refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/v1/auth/refresh", json={"refresh_token": token})


async def test_refresh_rotates_the_token(client):
    tokens = await sign_in(client)
    response = await refresh(client, tokens["refresh_token"])
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    rotated = response.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert (await client.get("/v1/me", headers=bearer(rotated))).status_code == 200
    assert (await refresh(client, rotated["refresh_token"])).status_code == 200


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(client):
    tokens = await sign_in(client)
    rotated = (await refresh(client, tokens["refresh_token"])).json()
    other_login = await sign_in(client)
    reuse = await refresh(client, tokens["refresh_token"])
    assert_problem(reuse, status=401, code="refresh_token_reused")
    assert_problem(
        await refresh(client, rotated["refresh_token"]), status=401, code="invalid_refresh_token"
    )
    # Another login of the same citizen (another phone) is a different family and survives.
    assert (await refresh(client, other_login["refresh_token"])).status_code == 200
    assert await RefreshToken.filter(revoked_at__isnull=True).count() == 2


async def test_logout_ends_the_login(client):
    tokens = await sign_in(client)
    response = await client.post("/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 204
    assert_problem(
        await refresh(client, tokens["refresh_token"]), status=401, code="invalid_refresh_token"
    )
    unknown = await client.post("/v1/auth/logout", json={"refresh_token": "never-issued"})
    assert unknown.status_code == 204


async def test_an_expired_or_unknown_refresh_token_is_refused(client):
    tokens = await sign_in(client)
    await RefreshToken.all().update(expires_at=utc_now() - timedelta(seconds=1))
    assert_problem(
        await refresh(client, tokens["refresh_token"]), status=401, code="invalid_refresh_token"
    )
    assert_problem(await refresh(client, "nope"), status=401, code="invalid_refresh_token")


def test_settings_secret_is_the_one_tests_sign_with(tmp_path):
    assert str(make_settings(tmp_path, "sqlite://:memory:").secret_key) == SECRET


async def test_a_first_login_code_reaches_the_phone_even_in_quiet_hours(client):
    """The worker sends a code to a number that is no citizen yet, whatever the hour."""
    out = io.StringIO()
    always_quiet = QuietHours(start=time(0, 0), end=time(23, 59, 59, 999999))
    worker = OutboxWorker(
        sms_providers=[LogProvider(out)], config=WorkerConfig(quiet_hours=always_quiet)
    )
    await ask_code(client, "0978123456")
    assert await worker.run_once() == 1
    code = await sent_code("+84978123456")
    assert f"TP.HCM: {code}." in out.getvalue()
    assert "+8497****456" in out.getvalue() and "0978123456" not in out.getvalue()
    message = await OutboxMessage.get(phone="+84978123456")
    assert message.status == OutboxStatus.SENT and message.citizen_id is None
    assert (await give_code(client, code, "0978123456")).status_code == 200
    message = await OutboxMessage.get(phone="+84978123456")
    assert code not in message.body
    assert message.citizen_id == (await Citizen.get(phone="+84978123456")).id


async def test_expired_codes_and_refresh_tokens_are_purged_after_a_day(client):
    await sign_in(client)
    await ask_code(client, "0912345678")
    await OtpCode.filter(phone=E164).update(expires_at=utc_now() - timedelta(days=2))
    await RefreshToken.all().update(expires_at=utc_now() - timedelta(days=2))
    assert await purge_expired_logins() == 2
    assert await OtpCode.filter(phone="+84912345678").count() == 1
    assert await RefreshToken.all().count() == 0
