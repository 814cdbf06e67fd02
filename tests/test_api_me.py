"""GET/PATCH /v1/me and GET /v1/me/export: the citizen's own account and data."""

from __future__ import annotations

from domain.citizens import set_citizen_cccd
from domain.dossiers.records import SYSTEM, receive_dossier
from models import Citizen, ConsentRecord, OtpCode, RefreshToken, StaffUser
from models.enums import StaffRole
from tests.app_login import assert_problem, bearer, sign_in, signed_in
from tests.factories import make_agency, make_office, make_procedure
from tests.staff_setup import PASSWORD_HASH
from tests.staff_setup import bearer as staff_bearer
from tests.ussd_phone import Phone

E164 = "+84901234567"


async def test_me_shows_the_account_with_alerts_on_by_default(client):
    headers = await signed_in(client)
    body = (await client.get("/v1/me", headers=headers)).json()
    assert body["phone"] == E164
    assert body["language"] == "vi"
    assert body["notifications"] == {"push": True, "sms": True}
    assert body["consents"] == []
    assert "cccd_last4" not in body  # nulls are left out


async def test_patch_changes_only_what_was_sent_and_keeps_consent_history(client):
    headers = await signed_in(client)
    response = await client.patch(
        "/v1/me",
        headers=headers,
        json={"full_name": " Nguyễn Văn An ", "notifications": {"sms": False}},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["full_name"] == "Nguyễn Văn An"
    assert body["notifications"] == {"push": True, "sms": False}
    await client.patch("/v1/me", headers=headers, json={"language": "en"})
    await client.patch("/v1/me", headers=headers, json={"notifications": {"sms": True}})
    await client.patch("/v1/me", headers=headers, json={"personal_data_consent": True})
    body = (await client.get("/v1/me", headers=headers)).json()
    assert body["full_name"] == "Nguyễn Văn An" and body["language"] == "en"
    assert [(c["purpose"], c["granted"], c["channel"]) for c in body["consents"]] == [
        ("sms_alerts", False, "app"),
        ("sms_alerts", True, "app"),
        ("personal_data", True, "app"),
    ]
    citizen = await Citizen.get(phone=E164)
    assert citizen.sms_opt_out is False
    assert await ConsentRecord.filter(citizen=citizen).count() == 3


async def test_patch_refuses_bad_values_per_field(client):
    headers = await signed_in(client)
    response = await client.patch(
        "/v1/me", headers=headers, json={"language": "fr", "full_name": "x" * 201, "age": 3}
    )
    body = assert_problem(response, status=422, code="validation_failed")
    fields = sorted(e["field"] for e in body["errors"])  # type: ignore[union-attr]
    assert fields == ["age", "full_name", "language"]
    english = await client.patch(
        "/v1/me", headers={**headers, "Accept-Language": "en"}, json={"language": "fr"}
    )
    assert english.json()["errors"][0]["message"] == "This value is not one of the allowed ones."


async def test_me_needs_a_token(client):
    assert_problem(await client.get("/v1/me"), status=401, code="unauthorized")
    assert_problem(await client.patch("/v1/me", json={}), status=401, code="unauthorized")
    assert_problem(await client.get("/v1/me/export"), status=401, code="unauthorized")


async def test_export_holds_everything_about_me_and_nothing_about_others(client):
    headers = await signed_in(client)
    await signed_in(client, "0912345678")
    me = await Citizen.get(phone=E164)
    other = await Citizen.get(phone="+84912345678")
    await set_citizen_cccd(citizen=me, cccd="079085001234")
    office = await make_office(await make_agency())
    procedure = await make_procedure(await office.agency)
    mine = await receive_dossier(citizen=me, procedure=procedure, office=office, actor=SYSTEM)
    theirs = await receive_dossier(citizen=other, procedure=procedure, office=office, actor=SYSTEM)
    await client.patch("/v1/me", headers=headers, json={"personal_data_consent": True})
    body = (await client.get("/v1/me/export", headers=headers)).json()
    assert body["me"]["cccd_last4"] == "1234"
    assert [d["code"] for d in body["dossiers"]] == [mine.code]
    assert [e["dossier_code"] for e in body["dossier_events"]] == [mine.code]
    assert theirs.code not in str(body)
    templates = sorted(m["template"] for m in body["messages"])
    assert templates == ["dossier_received", "otp"]
    assert all("******" in m["body"] for m in body["messages"] if m["template"] == "otp")
    assert body["me"]["consents"][0]["purpose"] == "personal_data"


async def test_export_holds_my_texts_ussd_sessions_logins_and_staff_reads_but_no_secret(client):
    tokens = await sign_in(client)
    headers = bearer(tokens)
    refreshed = await client.post(
        "/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    rotated = refreshed.json()
    logout = await client.post("/v1/auth/logout", json={"refresh_token": rotated["refresh_token"]})
    assert logout.status_code == 204, logout.text
    texted = await client.post(
        "/channels/sms/generic/inbound", json={"id": "in-1", "from": E164, "text": "TG"}
    )
    assert texted.status_code == 200
    assert (await Phone(client, "generic", E164).dial()).startswith("CON ")
    device = {"platform": "android", "token": "device-token-0123"}
    assert (await client.post("/v1/devices", headers=headers, json=device)).status_code == 201
    await StaffUser.create(
        username="tongdai1", password_hash=PASSWORD_HASH, full_name="Tổng đài", role=StaffRole.AGENT
    )
    found = await client.post(
        "/v1/staff/citizens/search",
        json={"phone": "0901234567", "reason": "caller asked for their dossier"},
        headers=await staff_bearer(client, "tongdai1"),
    )
    assert found.status_code == 200, found.text

    response = await client.get("/v1/me/export", headers=headers)
    assert response.status_code == 200
    body = response.json()
    [inbound] = body["inbound_sms"]
    assert (inbound["gateway"], inbound["text"]) == ("generic", "TG")
    assert inbound["reply_id"] in {m["id"] for m in body["messages"]}
    [session] = body["ussd_sessions"]
    assert session["language"] == "vi" and "1 Tra cuu ho so" in session["last_reply"]
    assert session["ended"] is False and "started_at" in session and "expires_at" in session
    first, second = body["logins"]
    assert (first["login"], second["login"]) == (1, 1)  # one login, its token rotated once
    assert "rotated_at" in first and "revoked_at" in second  # logout revoked the login
    [code] = body["login_codes"]
    assert code["attempts"] == 1 and "used_at" in code
    [access] = body["staff_access"]
    assert (access["role"], access["action"], access["reason"]) == (
        "agent",
        "citizen.find",
        "caller asked for their dossier",
    )
    dumped = response.text
    secrets = [tokens["access_token"], tokens["refresh_token"], rotated["refresh_token"]]
    secrets += [t.token_hash for t in await RefreshToken.all()]
    secrets += [c.code_hash for c in await OtpCode.all()]
    secrets += ["device-token-0123", "tongdai1"]
    assert not [secret for secret in secrets if secret in dumped]
