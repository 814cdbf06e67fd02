"""ETag + If-None-Match → 304 on every GET of the API (the app's and the staff's), from one
middleware."""

from __future__ import annotations

from datetime import timedelta

from domain.dossiers.records import SYSTEM, receive_dossier
from mobile_api.api import openapi_document
from models import Citizen, StaffUser
from models.enums import StaffRole
from tests.app_login import signed_in
from tests.factories import make_agency, make_office, make_procedure, make_slot
from tests.staff_setup import PASSWORD_HASH, bearer

# Statistics carry `as_of`, the moment of the answer: their body, so their tag, changes each time.
LIVE = {"/v1/staff/stats/dossiers", "/v1/staff/stats/notifications"}
# Answers marked no-store (a citizen's documents, an officer's view of an application) are not
# to be kept anywhere, so they carry no tag either: a download streams on instead of being held.
NOT_KEPT = {
    "/v1/applications/{application_id}/documents/{document_id}",
    "/v1/staff/applications/{application_id}",
    "/v1/staff/applications/{application_id}/documents/{document_id}",
}
FORM = {
    "online_level": "full",
    "fields": [{"name": "purpose", "type": "text", "label_vi": "Mục đích", "label_en": "Purpose"}],
    "documents": [{"kind": "scan", "name_vi": "Bản quét", "name_en": "Scan", "required": False}],
}


async def every_get(client) -> tuple[dict[str, str], list[str]]:
    """A signed-in citizen with one of everything, and a URL for every GET in the contract; the
    staff API's are read as an admin."""
    headers = await signed_in(client)
    citizen = await Citizen.get(phone="+84901234567")
    office = await make_office(await make_agency())
    procedure = await make_procedure(await office.agency)
    slot = await make_slot(office, starts_in=timedelta(days=2))
    dossier = await receive_dossier(
        citizen=citizen, procedure=procedure, office=office, actor=SYSTEM
    )
    booked = await client.post("/v1/appointments", json={"slot_id": slot.id}, headers=headers)
    admin = await _admin(client)
    await client.put(f"/v1/staff/procedures/{procedure.code}/form", json=FORM, headers=admin)
    draft = await client.post(
        "/v1/applications",
        json={"procedure_code": procedure.code, "answers": {"purpose": "x"}},
        headers=headers,
    )
    application = draft.json()["id"]
    upload = await client.post(
        f"/v1/applications/{application}/documents?kind=scan",
        files={"file": ("a.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf")},
        headers=headers,
    )
    await client.post(
        f"/v1/applications/{application}/submit", headers={**headers, "Idempotency-Key": "1"}
    )
    urls = {
        "/v1/me": "/v1/me",
        "/v1/me/export": "/v1/me/export",
        "/v1/procedures": "/v1/procedures?q=kinh+doanh",
        "/v1/procedures/{code}": f"/v1/procedures/{procedure.code}",
        "/v1/offices": "/v1/offices",
        "/v1/offices/{office_id}/slots": f"/v1/offices/{office.id}/slots",
        "/v1/dossiers": "/v1/dossiers",
        "/v1/dossiers/{code}": f"/v1/dossiers/{dossier.code}",
        "/v1/appointments": "/v1/appointments",
        "/v1/appointments/{appointment_id}": f"/v1/appointments/{booked.json()['id']}",
        "/v1/notifications": "/v1/notifications",
        "/v1/procedures/{code}/form": f"/v1/procedures/{procedure.code}/form",
        "/v1/applications": "/v1/applications",
        "/v1/applications/{application_id}": f"/v1/applications/{application}",
    }
    staff = {
        "/v1/staff/citizens/{citizen_id}/dossiers": f"/v1/staff/citizens/{citizen.id}/dossiers",
        "/v1/staff/citizens/{citizen_id}/appointments": (
            f"/v1/staff/citizens/{citizen.id}/appointments?reason=hotline"
        ),
        "/v1/staff/citizens/{citizen_id}/notifications": (
            f"/v1/staff/citizens/{citizen.id}/notifications"
        ),
        "/v1/staff/audit": "/v1/staff/audit?limit=10",
        "/v1/staff/applications": "/v1/staff/applications",
    }
    document = upload.json()["id"]
    not_kept = [
        f"/v1/applications/{application}/documents/{document}",
        f"/v1/staff/applications/{application}",
        f"/v1/staff/applications/{application}/documents/{document}",
    ]
    documented = {path for path, ops in openapi_document()["paths"].items() if "get" in ops}
    assert documented == set(urls) | set(staff) | LIVE | NOT_KEPT, "a GET with no ETag test"
    return headers, [*urls.values(), *staff.values(), "/openapi.json", "/docs"], not_kept


async def _admin(client) -> dict[str, str]:
    await StaffUser.create(
        username="admin", password_hash=PASSWORD_HASH, full_name="admin", role=StaffRole.ADMIN
    )
    return await bearer(client, "admin")


async def test_every_get_answers_304_when_unchanged(client):
    citizen_headers, urls, not_kept = await every_get(client)
    staff_headers = await bearer(client, "admin")
    for url in not_kept:
        headers = staff_headers if url.startswith("/v1/staff/") else citizen_headers
        answer = await client.get(url, headers=headers)
        assert answer.status_code == 200, (url, answer.text)
        assert answer.headers["cache-control"] == "no-store" and "etag" not in answer.headers
    for url in urls:
        headers = staff_headers if url.startswith("/v1/staff/") else citizen_headers
        first = await client.get(url, headers=headers)
        assert first.status_code == 200, (url, first.text)
        etag = first.headers["etag"]
        assert etag.startswith('W/"') or url == "/docs", url
        again = await client.get(url, headers={**headers, "If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert "x-request-id" in again.headers


async def test_live_statistics_are_tagged_too(client):
    headers = await _admin(client)
    for path in sorted(LIVE):
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["etag"].startswith('W/"')
        assert response.headers["cache-control"] == "private, no-cache"


async def test_a_change_gives_a_new_etag_and_a_full_answer(client):
    headers = await signed_in(client)
    first = await client.get("/v1/me", headers=headers)
    await client.patch("/v1/me", headers=headers, json={"full_name": "Trần Thị Bình"})
    after = await client.get("/v1/me", headers={**headers, "If-None-Match": first.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["full_name"] == "Trần Thị Bình"
    assert after.headers["etag"] != first.headers["etag"]


async def test_tag_lists_weak_forms_and_star_match_other_tags_do_not(client):
    headers = await signed_in(client)
    etag = (await client.get("/v1/me", headers=headers)).headers["etag"]
    opaque = etag.removeprefix("W/")
    for given in (f'"x", {etag}', opaque, "*"):
        response = await client.get("/v1/me", headers={**headers, "If-None-Match": given})
        assert response.status_code == 304, given
    other = await client.get("/v1/me", headers={**headers, "If-None-Match": '"nope"'})
    assert other.status_code == 200


async def test_the_etag_is_the_same_gzipped_or_not_and_differs_by_language(client):
    headers = await signed_in(client)
    plain = await client.get("/v1/me/export", headers={**headers, "Accept-Encoding": "identity"})
    zipped = await client.get("/v1/me/export", headers={**headers, "Accept-Encoding": "gzip"})
    assert plain.headers["etag"] == zipped.headers["etag"]
    assert "authorization" in plain.headers["vary"].lower()
    vi = await client.get("/v1/procedures/x", headers=headers)
    assert "etag" not in vi.headers  # errors are not tagged
    assert plain.headers["cache-control"] == "private, no-cache"


async def test_writes_are_not_tagged(client):
    response = await client.post("/v1/auth/otp", json={"phone": "0901234567"})
    assert response.status_code == 202
    assert "etag" not in response.headers
