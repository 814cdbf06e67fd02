"""ETag + If-None-Match → 304 on every GET of the app API, from one middleware."""

from __future__ import annotations

from datetime import timedelta

from domain.dossiers import SYSTEM, receive_dossier
from mobile_api.api import openapi_document
from models import Citizen
from tests.app_login import signed_in
from tests.factories import make_agency, make_office, make_procedure, make_slot


async def every_get(client) -> tuple[dict[str, str], list[str]]:
    """A signed-in citizen with one of everything, and a URL for every GET in the contract."""
    headers = await signed_in(client)
    citizen = await Citizen.get(phone="+84901234567")
    office = await make_office(await make_agency())
    procedure = await make_procedure(await office.agency)
    slot = await make_slot(office, starts_in=timedelta(days=2))
    dossier = await receive_dossier(
        citizen=citizen, procedure=procedure, office=office, actor=SYSTEM
    )
    booked = await client.post("/v1/appointments", json={"slot_id": slot.id}, headers=headers)
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
    }
    documented = {path for path, ops in openapi_document()["paths"].items() if "get" in ops}
    assert documented == set(urls), "a GET in the contract has no ETag test here"
    return headers, [*urls.values(), "/openapi.json", "/docs"]


async def test_every_get_answers_304_when_unchanged(client):
    headers, urls = await every_get(client)
    for url in urls:
        first = await client.get(url, headers=headers)
        assert first.status_code == 200, (url, first.text)
        etag = first.headers["etag"]
        assert etag.startswith('W/"') or url == "/docs", url
        again = await client.get(url, headers={**headers, "If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert "x-request-id" in again.headers


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
