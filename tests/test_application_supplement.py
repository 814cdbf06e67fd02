"""The supplement loop online: asked at review or in processing, named item by item, answered
from the app, and the deadline moved by the working days the clock was stopped."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from domain.holidays import load_working_calendar
from domain.local_time import utc_now
from models import ApplicationDocument, Dossier, DossierEvent, OutboxMessage, SupplementRequest
from models.enums import DossierStatus
from tests.app_login import assert_problem, field_errors, signed_in
from tests.online_setup import JPEG, PDF, online_city, submitted_application, upload
from tests.staff_setup import bearer

pytestmark = pytest.mark.usefixtures("db")


async def _ask(client: httpx.AsyncClient, number: int, body: dict[str, object]) -> str:
    officer = await bearer(client, "canbo.saigon")
    response = await client.post(
        f"/v1/staff/applications/{number}/supplement", json=body, headers=officer
    )
    assert response.status_code == 201, response.text
    return str(response.json()["code"])


async def test_supplement_requested_resubmitted_processing_with_the_deadline_moved(
    client: httpx.AsyncClient,
) -> None:
    await online_city(client)
    me = await signed_in(client)
    number = await submitted_application(client, me)
    code = await _ask(
        client,
        number,
        {"fields": ["address"], "documents": ["lease"], "note": "Hợp đồng đã hết hạn"},
    )
    dossier = await Dossier.get(code=code)
    assert dossier.status == DossierStatus.NEEDS_SUPPLEMENT and dossier.paused_at is not None
    # One message, the supplement's: no receipt with a result date about to be wrong.
    receipts = await OutboxMessage.filter(template="dossier_received")
    assert code not in [m.params["code"] for m in receipts]
    message = await OutboxMessage.get(template="dossier_supplement_online")
    assert "Hợp đồng thuê mặt bằng" in message.body and "Địa điểm kinh doanh" in message.body
    mine = await client.get(f"/v1/applications/{number}", headers=me)
    asked = mine.json()["supplement"]
    assert [f["name"] for f in asked["fields"]] == ["address"]
    assert [d["name"] for d in asked["documents"]] == ["lease"]
    # Only what was asked may change.
    refused = await client.patch(
        f"/v1/applications/{number}", json={"answers": {"business_name": "Khác"}}, headers=me
    )
    assert field_errors(refused) == [("answers.business_name", "not_asked")]
    photo = await upload(client, me, number, "owner_id", JPEG, "id.jpg", "image/jpeg")
    assert_problem(photo, status=409, code="document_not_asked")
    early = await client.post(f"/v1/applications/{number}/resubmit", headers=me)
    assert field_errors(early) == [("documents.lease", "document_not_replaced")]
    # As if the officer had asked a week ago: the deadline must move by that week's working days.
    week_ago = utc_now() - timedelta(days=7)
    await Dossier.filter(id=dossier.id).update(paused_at=week_ago)
    await SupplementRequest.filter(dossier_id=dossier.id).update(requested_at=week_ago)
    await ApplicationDocument.filter(application_id=number).update(
        uploaded_at=week_ago - timedelta(hours=1)
    )
    fixed = await client.patch(
        f"/v1/applications/{number}",
        json={"answers": {"address": "14 Lê Lợi, phường Sài Gòn"}},
        headers=me,
    )
    assert fixed.status_code == 200, fixed.text
    lease = await upload(client, me, number, "lease", PDF + b"%renewed", "hopdong-moi.pdf")
    assert lease.status_code == 201, lease.text
    back = await client.post(f"/v1/applications/{number}/resubmit", headers=me)
    assert back.status_code == 200, back.text
    assert "supplement" not in back.json()
    retried = await client.post(f"/v1/applications/{number}/resubmit", headers=me)
    assert retried.status_code == 200 and retried.json()["dossier"]["status"] == "in_progress"
    resumed = await Dossier.get(id=dossier.id)
    assert resumed.status == DossierStatus.IN_PROGRESS and resumed.paused_at is None
    event = await DossierEvent.get(dossier_id=dossier.id, to_status=DossierStatus.IN_PROGRESS)
    calendar = await load_working_calendar(around=event.created_at)
    assert resumed.due_at == calendar.resume_due_at(
        due_at=dossier.due_at, paused_at=week_ago, resumed_at=event.created_at
    )
    moved = calendar.working_days_between(
        calendar.local(dossier.due_at).date(), calendar.local(resumed.due_at).date()
    )
    assert moved >= 5  # any seven days hold five working days (no holidays in this city)
    assert await OutboxMessage.filter(template="dossier_supplement_received").count() == 1
    assert await DossierEvent.filter(dossier_id=dossier.id, to_status="in_progress").count() == 1
    [lease_row] = (await client.get(f"/v1/applications/{number}", headers=me)).json()["documents"][
        1:
    ]
    assert lease_row["filename"] == "hopdong-moi.pdf"


async def test_an_online_dossier_in_processing_can_be_sent_back(
    client: httpx.AsyncClient,
) -> None:
    city = await online_city(client)
    me = await signed_in(client)
    number = await submitted_application(client, me)
    officer = await bearer(client, "canbo.saigon")
    accepted = await client.post(
        f"/v1/staff/applications/{number}/accept", json={}, headers=officer
    )
    code = accepted.json()["code"]
    asked = await client.post(
        f"/v1/staff/dossiers/{code}/supplement",
        json={"documents": ["owner_id"], "note": "Ảnh mờ"},
        headers=officer,
    )
    assert asked.status_code == 200, asked.text
    assert asked.json()["status"] == "needs_supplement"
    unknown = await client.post(
        f"/v1/staff/dossiers/{code}/supplement", json={"fields": ["shoe_size"]}, headers=officer
    )
    assert unknown.status_code in (409, 422)
    counter = await client.post(
        f"/v1/staff/dossiers/{city.dossier_a.code}/supplement",
        json={"documents": ["owner_id"]},
        headers=officer,
    )
    assert_problem(counter, status=409, code="dossier_not_online")
    other = await client.post(
        f"/v1/staff/dossiers/{code}/supplement",
        json={"documents": ["owner_id"]},
        headers=await bearer(client, "canbo.tuphap"),
    )
    assert_problem(other, status=403, code="staff_other_agency")
