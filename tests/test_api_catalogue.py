"""GET /v1/procedures (search), /v1/procedures/{code}, /v1/offices, /v1/offices/{id}/slots."""

from __future__ import annotations

from datetime import timedelta

from domain.policy import current_policy
from domain.text import search_key
from models import Procedure
from tests.app_login import assert_problem, field_errors
from tests.factories import make_agency, make_office, make_slot

BIRTH = ("1.001193", "Đăng ký khai sinh", "Birth registration")
MARRIAGE = ("1.000894", "Đăng ký kết hôn", "Marriage registration")
LICENCE = ("2.001001", "Cấp đổi giấy phép lái xe", "Driving licence renewal")


async def seed_procedures() -> None:
    agency = await make_agency()
    for code, name_vi, name_en in (BIRTH, MARRIAGE, LICENCE):
        await Procedure.create(
            code=code,
            name_vi=name_vi,
            name_en=name_en,
            search_text=search_key(f"{name_vi} {name_en}"),
            agency=agency,
            processing_days=1,
            online_level="full",
        )


async def codes(client, **params) -> list[str]:
    response = await client.get("/v1/procedures", params=params)
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json()["items"]]


async def test_search_ignores_case_and_diacritics(client):
    await seed_procedures()
    for query in ("khai sinh", "KHAI SINH", "Khai Sinh", "khái sinh", "ĐĂNG KÝ KHAI", "birth"):
        assert await codes(client, q=query) == [BIRTH[0]], query
    assert await codes(client, q="đăng ký") == [MARRIAGE[0], BIRTH[0]]
    assert await codes(client, q="nothing like it") == []


async def test_procedures_page_with_a_cursor(client):
    await seed_procedures()
    first = (await client.get("/v1/procedures", params={"limit": 2})).json()
    assert [i["code"] for i in first["items"]] == [MARRIAGE[0], BIRTH[0]]
    second = (
        await client.get("/v1/procedures", params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    assert [i["code"] for i in second["items"]] == [LICENCE[0]]
    assert "next_cursor" not in second
    bad = await client.get("/v1/procedures", params={"cursor": "!!not-ours"})
    assert_problem(bad, status=422, code="invalid_cursor")
    assert field_errors(bad) == [("cursor", "invalid_cursor")]


async def test_one_procedure_in_the_callers_language(client):
    await seed_procedures()
    vi = (await client.get(f"/v1/procedures/{BIRTH[0]}")).json()
    en = (await client.get(f"/v1/procedures/{BIRTH[0]}", headers={"Accept-Language": "en"})).json()
    assert vi["name"] == BIRTH[1] and en["name"] == BIRTH[2]
    assert vi["agency"]["code"] == "H29.99"
    missing = await client.get("/v1/procedures/9.999999")
    assert_problem(missing, status=404, code="procedure_not_found")


async def test_offices_and_their_free_slots(client):
    office = await make_office()
    full = await make_slot(office, capacity=1, starts_in=timedelta(days=1, hours=1))
    free = await make_slot(office, capacity=3, starts_in=timedelta(days=1, hours=2))
    full.booked = 1
    await full.save()
    listed = (await client.get("/v1/offices")).json()["items"]
    assert [o["id"] for o in listed] == [office.id]
    day = free.starts_at.astimezone(current_policy().timezone).date().isoformat()
    slots = (await client.get(f"/v1/offices/{office.id}/slots", params={"date": day})).json()
    assert [(s["id"], s["seats_left"]) for s in slots["items"]] == [(free.id, 3)]
    assert_problem(
        await client.get("/v1/offices/999999/slots"), status=404, code="office_not_found"
    )
    bad_day = await client.get(f"/v1/offices/{office.id}/slots", params={"date": "31/12/2026"})
    assert_problem(bad_day, status=422, code="validation_failed")
    huge = await client.get("/v1/offices/99999999999999999999/slots")
    assert_problem(huge, status=404, code="not_found")
