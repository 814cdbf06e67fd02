"""GET /v1/dossiers, GET /v1/dossiers/{code}, POST /v1/dossiers/lookup."""

from __future__ import annotations

from datetime import timedelta

from domain.citizens import set_citizen_cccd
from domain.dossiers.records import SYSTEM, move_dossier, receive_dossier
from domain.local_time import utc_now
from models import Citizen, Dossier
from models.enums import DossierStatus
from tests.app_login import assert_problem, signed_in
from tests.factories import make_agency, make_office, make_procedure


async def owner_with_dossiers(client, count: int = 3) -> tuple[dict[str, str], list[Dossier]]:
    headers = await signed_in(client)
    citizen = await Citizen.get(phone="+84901234567")
    await set_citizen_cccd(citizen=citizen, cccd="079085001234")
    office = await make_office(await make_agency())
    procedure = await make_procedure(await office.agency, days=3)
    dossiers = [
        await receive_dossier(
            citizen=citizen,
            procedure=procedure,
            office=office,
            actor=SYSTEM,
            received_at=utc_now() - timedelta(days=30 - n),
        )
        for n in range(count)
    ]
    return headers, dossiers


async def test_my_dossiers_newest_first_with_cursor_paging(client):
    headers, dossiers = await owner_with_dossiers(client)
    first = (await client.get("/v1/dossiers", params={"limit": 2}, headers=headers)).json()
    assert [d["code"] for d in first["items"]] == [dossiers[2].code, dossiers[1].code]
    params = {"limit": 2, "cursor": first["next_cursor"]}
    second = (await client.get("/v1/dossiers", params=params, headers=headers)).json()
    assert [d["code"] for d in second["items"]] == [dossiers[0].code]
    assert "next_cursor" not in second
    item = second["items"][0]
    assert item["overdue"] is True
    assert (item["status"], item["status_text"]) == ("received", "Mới tiếp nhận")
    assert "finished_at" not in item


async def test_my_dossiers_filter_by_status(client):
    headers, dossiers = await owner_with_dossiers(client)
    await move_dossier(dossier_id=dossiers[1].id, to_status=DossierStatus.IN_PROGRESS, actor=SYSTEM)
    found = await client.get("/v1/dossiers", params={"status": "in_progress"}, headers=headers)
    assert [d["code"] for d in found.json()["items"]] == [dossiers[1].code]
    bad = await client.get("/v1/dossiers", params={"status": "lost"}, headers=headers)
    assert_problem(bad, status=422, code="validation_failed")


async def test_dossier_detail_has_timeline_due_date_and_next_step(client):
    headers, dossiers = await owner_with_dossiers(client, 1)
    dossier = dossiers[0]
    await move_dossier(
        dossier_id=dossier.id,
        to_status=DossierStatus.NEEDS_SUPPLEMENT,
        actor=SYSTEM,
        note="Thiếu bản sao CCCD",
    )
    typed = dossier.code.lower().replace(".", "").replace("-", "")
    response = await client.get(f"/v1/dossiers/{typed}", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == dossier.code
    assert [e["status"] for e in body["timeline"]] == ["received", "needs_supplement"]
    assert body["timeline"][1]["note"] == "Thiếu bản sao CCCD"
    assert "Thiếu bản sao CCCD" in body["next_step"]
    assert body["overdue"] is False  # the clock stops while the citizen owes documents
    assert body["due_at"]
    english = await client.get(
        f"/v1/dossiers/{dossier.code}", headers={**headers, "Accept-Language": "en"}
    )
    assert english.json()["next_step"].startswith("Please bring the missing documents")


async def test_another_citizen_gets_404_on_my_dossier(client):
    _, dossiers = await owner_with_dossiers(client, 1)
    stranger = await signed_in(client, "0912345678")
    response = await client.get(f"/v1/dossiers/{dossiers[0].code}", headers=stranger)
    assert_problem(response, status=404, code="dossier_not_found")
    listed = (await client.get("/v1/dossiers", headers=stranger)).json()
    assert listed["items"] == []


async def test_lookup_shows_a_stranger_only_the_status_until_the_cccd_matches(client):
    _, dossiers = await owner_with_dossiers(client, 1)
    code = dossiers[0].code
    stranger = await signed_in(client, "0912345678")
    bare = (await client.post("/v1/dossiers/lookup", json={"code": code}, headers=stranger)).json()
    assert bare == {
        "code": code,
        "status": "received",
        "status_text": bare["status_text"],
        "full": False,
    }
    wrong = await client.post(
        "/v1/dossiers/lookup", json={"code": code, "cccd_last4": "0000"}, headers=stranger
    )
    assert_problem(wrong, status=403, code="cccd_mismatch")
    right = await client.post(
        "/v1/dossiers/lookup", json={"code": code, "cccd_last4": "1234"}, headers=stranger
    )
    assert right.json()["full"] is True
    assert right.json()["dossier"]["timeline"][0]["status"] == "received"
    missing = await client.post("/v1/dossiers/lookup", json={"code": "H29-1"}, headers=stranger)
    assert_problem(missing, status=404, code="dossier_not_found")


async def test_cccd_guesses_are_throttled_per_code_even_when_right(client):
    _, dossiers = await owner_with_dossiers(client, 1)
    code = dossiers[0].code
    stranger = await signed_in(client, "0912345678")
    for guess in range(5):
        response = await client.post(
            "/v1/dossiers/lookup",
            json={"code": code, "cccd_last4": f"{guess:04d}"},
            headers=stranger,
        )
        assert response.status_code == 403
    other = await signed_in(client, "0387654321")
    response = await client.post(
        "/v1/dossiers/lookup", json={"code": code, "cccd_last4": "1234"}, headers=other
    )
    assert_problem(response, status=429, code="too_many_requests")
    assert int(response.headers["retry-after"]) > 0


async def test_cccd_guesses_are_throttled_per_caller_across_codes(client):
    _, dossiers = await owner_with_dossiers(client, 3)
    stranger = await signed_in(client, "0912345678")
    statuses = []
    for n in range(11):
        code = dossiers[n % 3].code
        response = await client.post(
            "/v1/dossiers/lookup", json={"code": code, "cccd_last4": f"{n:04d}"}, headers=stranger
        )
        statuses.append(response.status_code)
    assert statuses == [403] * 10 + [429]


async def test_the_owner_is_never_throttled_on_their_own_code(client):
    headers, dossiers = await owner_with_dossiers(client, 1)
    for _ in range(12):
        response = await client.post(
            "/v1/dossiers/lookup",
            json={"code": dossiers[0].code, "cccd_last4": "0000"},
            headers=headers,
        )
        assert response.json()["full"] is True
