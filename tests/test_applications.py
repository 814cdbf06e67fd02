"""Online submission through the app and staff doors: draft, documents, submit, review."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from models import Application, AuditLog, Dossier, OutboxMessage
from models.enums import ApplicationStatus
from tests.app_login import assert_problem, field_errors, signed_in
from tests.online_setup import (
    ANSWERS,
    FORM,
    JPEG,
    PDF,
    PROCEDURE,
    online_city,
    publish,
    submitted_application,
    upload,
)
from tests.staff_setup import bearer

pytestmark = pytest.mark.usefixtures("db")


async def test_the_form_is_public_in_both_languages(client: httpx.AsyncClient) -> None:
    await online_city(client)
    vi = await client.get(f"/v1/procedures/{PROCEDURE}/form")
    en = await client.get(f"/v1/procedures/{PROCEDURE}/form", headers={"Accept-Language": "en"})
    assert vi.status_code == en.status_code == 200, vi.text
    assert vi.json()["version"] == 1
    assert vi.json()["fields"][0]["label"] == "Tên hộ kinh doanh"
    assert en.json()["fields"][0]["label"] == "Business name"
    assert [d["kind"] for d in en.json()["documents"]] == ["owner_id", "lease"]


async def test_draft_upload_submit_accept_receipt(client: httpx.AsyncClient) -> None:
    city = await online_city(client)
    me = await signed_in(client, "0901234567")
    draft = await client.post(
        "/v1/applications",
        json={"procedure_code": PROCEDURE, "answers": {"business_name": "Quán Cơm Tấm"}},
        headers=me,
    )
    assert draft.status_code == 201, draft.text
    number = draft.json()["id"]
    assert draft.json()["status"] == "draft"
    # A second session fills in the rest; the CCCD and date are kept in their stored forms.
    rest = {k: v for k, v in ANSWERS.items() if k != "business_name"}
    saved = await client.patch(f"/v1/applications/{number}", json={"answers": rest}, headers=me)
    assert saved.status_code == 200, saved.text
    assert saved.json()["answers"]["owner_cccd"] == "079203001234"
    assert saved.json()["answers"]["start_date"] == "2027-01-15"
    photo = await upload(client, me, number, "owner_id", JPEG, "cccd.jpg", "image/jpeg")
    lease = await upload(client, me, number, "lease", PDF, "Hợp đồng thuê.pdf")
    assert photo.status_code == lease.status_code == 201, photo.text + lease.text
    assert lease.json()["content_type"] == "application/pdf"
    submitted = await client.post(
        f"/v1/applications/{number}/submit", headers={**me, "Idempotency-Key": "a1"}
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    officer = await bearer(client, "canbo.saigon")
    queue = await client.get("/v1/staff/applications", headers=officer)
    assert [item["id"] for item in queue.json()["items"]] == [number]
    opened = await client.get(f"/v1/staff/applications/{number}", headers=officer)
    assert opened.status_code == 200, opened.text
    assert opened.headers["cache-control"] == "no-store"
    [row] = [r for r in opened.json()["answers"] if r["name"] == "business_name"]
    assert row["value"] == "Quán Cơm Tấm"
    document = opened.json()["documents"][1]
    download = await client.get(
        f"/v1/staff/applications/{number}/documents/{document['id']}", headers=officer
    )
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["cache-control"] == "no-store"
    assert download.headers["content-disposition"].startswith("attachment;")
    accepted = await client.post(
        f"/v1/staff/applications/{number}/accept", json={}, headers=officer
    )
    assert accepted.status_code == 201, accepted.text
    code = accepted.json()["code"]
    dossier = await Dossier.get(code=code)
    assert dossier.submitted_online and dossier.office_id == city.office_a.id
    mine = await client.get(f"/v1/applications/{number}", headers=me)
    assert mine.json()["status"] == "accepted"
    assert mine.json()["dossier"]["code"] == code
    receipts = await OutboxMessage.filter(template="dossier_received", citizen_id=city.citizen.id)
    assert [m.params["code"] for m in receipts if m.params["code"] == code] == [code]
    inbox = await client.get("/v1/notifications", headers=me)
    assert any(code in item["text"] for item in inbox.json()["items"])
    actions = await AuditLog.filter(subject__startswith=f"application:{number}").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["application.accept", "application.document", "application.open"]


async def test_one_refusal_names_every_missing_field_and_document(
    client: httpx.AsyncClient,
) -> None:
    await online_city(client)
    me = await signed_in(client)
    draft = await client.post(
        "/v1/applications",
        json={"procedure_code": PROCEDURE, "answers": {"capital_vnd": 5}},
        headers=me,
    )
    number = draft.json()["id"]
    response = await client.post(
        f"/v1/applications/{number}/submit", headers={**me, "Idempotency-Key": "x"}
    )
    assert set(field_errors(response)) == {
        ("answers.business_name", "required"),
        ("answers.owner_cccd", "required"),
        ("answers.address", "required"),
        ("answers.start_date", "required"),
        ("answers.line", "required"),
        ("documents.owner_id", "document_required"),
        ("documents.lease", "document_required"),
    }
    wrong = await client.patch(
        f"/v1/applications/{number}",
        json={
            "answers": {
                "owner_cccd": "12345",
                "start_date": "31/02/2027",
                "line": "bar",
                "capital_vnd": -1,
                "nickname": "x",
            }
        },
        headers=me,
    )
    assert set(field_errors(wrong)) == {
        ("answers.owner_cccd", "invalid_cccd"),
        ("answers.start_date", "invalid_date"),
        ("answers.line", "not_a_choice"),
        ("answers.capital_vnd", "out_of_range"),
        ("answers.nickname", "unknown_field"),
    }
    still = await Application.get(id=number)
    assert still.status == ApplicationStatus.DRAFT and still.answers == {"capital_vnd": 5}


async def test_refused_with_a_reason_the_citizen_reads(client: httpx.AsyncClient) -> None:
    await online_city(client)
    me = await signed_in(client)
    number = await submitted_application(client, me)
    officer = await bearer(client, "canbo.saigon")
    refused = await client.post(
        f"/v1/staff/applications/{number}/refuse",
        json={"reason": "Địa điểm không được phép kinh doanh ăn uống"},
        headers=officer,
    )
    assert refused.status_code == 200, refused.text
    mine = await client.get(f"/v1/applications/{number}", headers=me)
    assert mine.json()["status"] == "refused"
    assert mine.json()["refusal_reason"] == "Địa điểm không được phép kinh doanh ăn uống"
    message = await OutboxMessage.get(template="application_refused")
    assert "không được phép" in message.body
    again = await client.post(f"/v1/staff/applications/{number}/accept", json={}, headers=officer)
    assert_problem(again, status=409, code="application_decided")
    listed = await client.get("/v1/dossiers", headers=me)
    [pending] = listed.json()["applications"]
    assert pending["status"] == "refused" and pending["refusal_reason"]


async def test_two_identical_submissions_at_once_make_one_application(
    client: httpx.AsyncClient,
) -> None:
    await online_city(client)
    me = await signed_in(client)
    key = str(uuid.uuid4())
    body = {"procedure_code": PROCEDURE, "answers": {}, "submit": False}
    first, second = await asyncio.gather(
        *(
            client.post("/v1/applications", json=body, headers={**me, "Idempotency-Key": key})
            for _ in range(2)
        )
    )
    assert sorted([first.status_code, second.status_code]) == [200, 201], first.text + second.text
    assert first.json()["id"] == second.json()["id"]
    assert await Application.all().count() == 1
    number = first.json()["id"]
    await client.patch(f"/v1/applications/{number}", json={"answers": ANSWERS}, headers=me)
    await upload(client, me, number, "owner_id", JPEG, "id.jpg", "image/jpeg")
    await upload(client, me, number, "lease", PDF)
    submits = await asyncio.gather(
        *(
            client.post(
                f"/v1/applications/{number}/submit", headers={**me, "Idempotency-Key": "submit-1"}
            )
            for _ in range(2)
        )
    )
    assert [r.status_code for r in submits] == [200, 200], [r.text for r in submits]
    assert await OutboxMessage.filter(template="application_submitted").count() == 1
    other_key = await client.post(
        f"/v1/applications/{number}/submit", headers={**me, "Idempotency-Key": "submit-2"}
    )
    assert_problem(other_key, status=409, code="application_not_draft")
    no_key = await client.post(f"/v1/applications/{number}/submit", headers=me)
    assert field_errors(no_key) == [("Idempotency-Key", "idempotency_key_required")]


async def test_withdraw_before_the_decision_only(client: httpx.AsyncClient) -> None:
    await online_city(client)
    me = await signed_in(client)
    number = await submitted_application(client, me)
    withdrawn = await client.post(f"/v1/applications/{number}/withdraw", headers=me)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert await OutboxMessage.filter(template="application_withdrawn").count() == 1
    # A retry after a lost answer: the same state, nothing sent twice.
    again = await client.post(f"/v1/applications/{number}/withdraw", headers=me)
    assert again.status_code == 200 and again.json()["status"] == "withdrawn"
    assert await OutboxMessage.filter(template="application_withdrawn").count() == 1
    officer = await bearer(client, "canbo.saigon")
    queue = await client.get("/v1/staff/applications", headers=officer)
    assert queue.json()["items"] == []
    decided = await submitted_application(client, me)
    await client.post(f"/v1/staff/applications/{decided}/accept", json={}, headers=officer)
    late = await client.post(f"/v1/applications/{decided}/withdraw", headers=me)
    assert_problem(late, status=409, code="application_not_withdrawable")


async def test_a_counter_only_procedure_has_no_online_form(client: httpx.AsyncClient) -> None:
    await online_city(client)
    form = await client.get("/v1/procedures/2.000488/form")
    assert_problem(form, status=409, code="procedure_not_online")
    me = await signed_in(client)
    draft = await client.post("/v1/applications", json={"procedure_code": "2.000488"}, headers=me)
    assert_problem(draft, status=409, code="procedure_not_online")


async def test_an_application_keeps_the_form_version_it_was_filled_against(
    client: httpx.AsyncClient,
) -> None:
    await online_city(client)
    me = await signed_in(client)
    draft = await client.post(
        "/v1/applications", json={"procedure_code": PROCEDURE, "answers": ANSWERS}, headers=me
    )
    number = draft.json()["id"]
    # Version 2 asks for one more field; the draft made on version 1 is not bound by it.
    stricter = {
        **FORM,
        "fields": [
            *FORM["fields"],
            {"name": "tax_code", "type": "text", "label_vi": "Mã số thuế", "label_en": "Tax code"},
        ],
    }
    await publish(client, stricter)
    assert (await client.get(f"/v1/procedures/{PROCEDURE}/form")).json()["version"] == 2
    await upload(client, me, number, "owner_id", JPEG, "id.jpg", "image/jpeg")
    await upload(client, me, number, "lease", PDF)
    submitted = await client.post(
        f"/v1/applications/{number}/submit", headers={**me, "Idempotency-Key": "v1"}
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["form_version"] == 1
    fresh = await client.post(
        "/v1/applications",
        json={"procedure_code": PROCEDURE, "answers": ANSWERS, "submit": True},
        headers={**me, "Idempotency-Key": "v2"},
    )
    assert ("answers.tax_code", "required") in field_errors(fresh)
    refused_audit = await client.post(
        f"/v1/staff/applications/{number}/refuse",
        json={"reason": "Thiếu mã số thuế"},
        headers=await bearer(client, "canbo.saigon"),
    )
    assert refused_audit.status_code == 200
    assert await AuditLog.filter(action="application.refuse", reason="Thiếu mã số thuế").exists()
    assert await AuditLog.filter(action="form.publish", subject=f"{PROCEDURE}:v2").exists()


async def test_the_queue_pages_oldest_first(client: httpx.AsyncClient) -> None:
    await online_city(client)
    numbers = []
    for phone in ("0901234567", "0912345678", "0987654321"):
        numbers.append(await submitted_application(client, await signed_in(client, phone)))
    officer = await bearer(client, "canbo.saigon")
    first = await client.get("/v1/staff/applications?limit=2", headers=officer)
    assert [item["id"] for item in first.json()["items"]] == numbers[:2]
    assert all(item["waiting_hours"] >= 0 for item in first.json()["items"])
    cursor = first.json()["next_cursor"]
    rest = await client.get(
        "/v1/staff/applications", params={"limit": 2, "cursor": cursor}, headers=officer
    )
    assert [item["id"] for item in rest.json()["items"]] == numbers[2:]
    assert rest.json()["next_cursor"] is None
    bad = await client.get("/v1/staff/applications?cursor=nonsense", headers=officer)
    assert_problem(bad, status=422, code="invalid_cursor")


async def test_a_key_used_for_another_application_is_refused(client: httpx.AsyncClient) -> None:
    await online_city(client)
    me = await signed_in(client)
    keyed = {**me, "Idempotency-Key": "shared"}
    first = await client.post("/v1/applications", json={"procedure_code": PROCEDURE}, headers=keyed)
    assert first.status_code == 201
    draft = await client.post(
        "/v1/applications", json={"procedure_code": PROCEDURE, "answers": ANSWERS}, headers=me
    )
    other = draft.json()["id"]
    await upload(client, me, other, "owner_id", JPEG, "id.jpg", "image/jpeg")
    await upload(client, me, other, "lease", PDF)
    reused = await client.post(f"/v1/applications/{other}/submit", headers=keyed)
    assert field_errors(reused) == [("Idempotency-Key", "idempotency_key_reused")]
