"""/v1/staff/stats and /console/dashboard through the real app: role check, agency scoping, the
figures of the generated November (tests/stats_november.py), both languages."""

from __future__ import annotations

import httpx

from models import Agency, OutboxMessage, StaffUser
from models.enums import OutboxStatus, StaffRole
from tests.app_login import field_errors
from tests.console_forms import sign_in
from tests.staff_setup import PASSWORD_HASH, bearer
from tests.stats_november import build_november, build_outbox

NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


async def _staff(username: str, role: StaffRole, agency: Agency | None = None) -> None:
    await StaffUser.create(
        username=username, password_hash=PASSWORD_HASH, full_name=username, role=role, agency=agency
    )


async def _city() -> None:
    ward, department = await build_november()
    await _staff("tongdai1", StaffRole.AGENT)
    await _staff("canbo.saigon", StaffRole.OFFICER, ward)
    await _staff("giamsat", StaffRole.SUPERVISOR)
    await _staff("giamsat.tuphap", StaffRole.SUPERVISOR, department)
    await _staff("admin", StaffRole.ADMIN)


async def _stats(client: httpx.AsyncClient, username: str, **query: str) -> httpx.Response:
    headers = await bearer(client, username)
    return await client.get("/v1/staff/stats/dossiers", params=query, headers=headers)


async def test_only_supervisors_and_admins_see_statistics(client):
    await _city()
    assert (await client.get("/v1/staff/stats/dossiers")).status_code == 401
    for username in ("tongdai1", "canbo.saigon"):
        for path in ("/v1/staff/stats/dossiers", "/v1/staff/stats/notifications"):
            response = await client.get(path, headers=await bearer(client, username))
            assert response.status_code == 403, (username, path)
            assert response.json()["type"].endswith("/staff_forbidden")
    for username in ("giamsat", "admin"):
        assert (await _stats(client, username, **NOVEMBER)).status_code == 200


async def test_a_city_supervisor_sees_every_agency_with_exact_figures(client):
    await _city()
    body = (await _stats(client, "giamsat", **NOVEMBER)).json()
    assert body["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    assert body["agency"] is None
    totals = body["totals"]
    assert (totals["received"], totals["finished_on_time"], totals["finished_late"]) == (21, 11, 5)
    assert (totals["in_progress"], totals["waiting_supplement"], totals["withdrawn"]) == (5, 1, 1)
    assert totals["on_time_rate"] == round(11 / 16, 4)
    times = body["processing_time"]
    assert (times["median_working_days"], times["p90_working_days"]) == (3, 7)
    assert (times["median_percent_of_statutory"], times["p90_percent_of_statutory"]) == (100, 200)
    assert [a["code"] for a in body["agencies"]] == ["H29.12", "H29.99"]
    assert [(w["from"], w["received"], w["finished"]) for w in body["weekly"]][:3] == [
        ("2026-11-01", 0, 0),
        ("2026-11-02", 20, 10),
        ("2026-11-09", 0, 5),
    ]
    assert body["most_overdue"][0]["procedure"] == "2.000720"

    admin_scoped = (await _stats(client, "admin", agency="h29.12", **NOVEMBER)).json()
    assert admin_scoped["agency"] == "H29.12"
    assert [a["code"] for a in admin_scoped["agencies"]] == ["H29.12"]
    assert admin_scoped["processing_time"]["median_working_days"] == 5
    unknown = await _stats(client, "admin", agency="H99", **NOVEMBER)
    assert unknown.status_code == 404


async def test_a_supervisor_of_one_agency_sees_that_agency_only(client):
    await _city()
    body = (await _stats(client, "giamsat.tuphap", **NOVEMBER)).json()
    assert body["agency"] == "H29.12"
    assert [a["code"] for a in body["agencies"]] == ["H29.12"]
    assert (body["totals"]["received"], body["totals"]["finished_late"]) == (6, 2)
    assert {d["agency"] for d in body["most_overdue"]} == {"H29.12"}
    other = await _stats(client, "giamsat.tuphap", agency="H29.99", **NOVEMBER)
    assert other.status_code == 403
    assert other.json()["type"].endswith("/stats_other_agency")


async def test_bad_periods_are_clear_422s(client):
    await _city()
    bad = await _stats(client, "giamsat", **{"from": "2026-13-01"})
    assert bad.status_code == 422 and bad.json()["type"].endswith("/invalid_date")
    assert "from" in bad.json()["detail"]
    assert field_errors(bad) == [("from", "invalid_date")]
    reversed_ = await _stats(client, "giamsat", **{"from": "2026-11-30", "to": "2026-11-01"})
    assert reversed_.status_code == 422 and reversed_.json()["type"].endswith("/period_reversed")
    assert field_errors(reversed_) == [("to", "period_reversed")]
    long = await _stats(client, "giamsat", **{"from": "2025-01-01", "to": "2026-11-30"})
    assert long.status_code == 422 and long.json()["type"].endswith("/period_too_long")
    assert field_errors(long) == [("to", "period_too_long")]
    for extreme, field in (
        ({"from": "0001-01-01", "to": "2026-01-05"}, "from"),
        ({"from": "2026-01-01", "to": "9999-01-05"}, "to"),
        ({"from": "9999-12-01"}, "from"),
    ):
        far = await _stats(client, "giamsat", **extreme)
        assert far.status_code == 422 and far.json()["type"].endswith("/period_out_of_range")
        assert field_errors(far) == [(field, "period_out_of_range")], extreme
    far = await client.get(
        "/v1/staff/stats/notifications",
        params={"to": "9999-12-31"},
        headers=await bearer(client, "giamsat"),
    )
    assert field_errors(far) == [("to", "period_out_of_range")]


async def test_notification_health_for_a_supervisor(client):
    await _city()
    headers = await bearer(client, "giamsat.tuphap")
    response = await client.get("/v1/staff/stats/notifications", params=NOVEMBER, headers=headers)
    assert response.status_code == 200
    body = response.json()
    queued = await OutboxMessage.filter(status=OutboxStatus.QUEUED).count()
    assert queued > 0 and body["backlog"]["queued"] == queued
    assert set(body) == {
        "period",
        "as_of",
        "messages",
        "deliveries",
        "median_seconds_to_send",
        "backlog",
        "failures",
    }


async def test_the_dashboard_page_in_both_languages(client):
    await _city()
    assert (await client.get("/console/dashboard")).headers["location"] == "/console/login"
    await sign_in(client, "giamsat")
    page = await client.get("/console/dashboard", params=NOVEMBER)
    assert page.status_code == 200
    html = page.text
    assert "Tình hình giải quyết hồ sơ" in html and 'lang="vi"' in html
    assert (
        html.count("<svg") == 2 and 'class="chart bars"' in html and 'class="chart lines"' in html
    )
    assert 'data-agency="H29.99"' in html and 'data-agency="H29.12"' in html
    assert "69 %" in html  # 11 of 16 handled on time
    english = await client.get("/console/dashboard", params={**NOVEMBER, "lang": "en"})
    assert "How dossiers are handled" in english.text and "On-time rate per agency" in english.text


async def test_the_dashboard_refuses_agents_and_scopes_supervisors(client):
    await _city()
    await sign_in(client, "tongdai1")
    refused = await client.get("/console/dashboard", params=NOVEMBER)
    assert refused.status_code == 403 and "<svg" not in refused.text
    client.cookies.clear()
    await sign_in(client, "giamsat.tuphap")
    page = await client.get("/console/dashboard", params=NOVEMBER)
    assert 'data-agency="H29.12"' in page.text and 'data-agency="H29.99"' not in page.text
    assert 'name="agency"' not in page.text


async def test_the_dashboard_names_mgov_reasons_in_words_and_keeps_gateway_words(client):
    await _city()
    await build_outbox()  # two opt-outs, a gateway's "HTTP 400: bad number", AT delivery reports
    await sign_in(client, "giamsat")
    vi = (await client.get("/console/dashboard", params=NOVEMBER)).text
    en = (await client.get("/console/dashboard", params={**NOVEMBER, "lang": "en"})).text
    assert "Người dân đã từ chối nhận tin nhắn nhắc" in vi and "opted out" not in vi
    assert "The citizen opted out of SMS alerts" in en
    assert "HTTP 400: bad number" in vi and "HTTP 400: bad number" in en
    assert "<th>Nhà cung cấp</th>" in vi and "<th>Provider</th>" in en
