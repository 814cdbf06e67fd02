"""GET/PATCH /v1/me and GET /v1/me/export: the citizen's own account and data."""

from __future__ import annotations

from domain.citizens import set_citizen_cccd
from domain.dossiers import SYSTEM, receive_dossier
from models import Citizen, ConsentRecord
from tests.app_login import assert_problem, signed_in
from tests.factories import make_agency, make_office, make_procedure

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
