"""The online figures (domain/stats/online.py) through /v1/staff/stats/dossiers and the dashboard:
the share received online, applications waiting for review and how long, and what review
decided, counted as the module's docstring says."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from domain.holidays import load_working_calendar
from domain.local_time import local_date, utc_now
from models import Application, StaffUser
from models.enums import StaffRole
from tests.app_login import signed_in
from tests.conftest import AppWith, http_client
from tests.console_forms import sign_in
from tests.online_setup import online_city, submitted_application
from tests.staff_setup import PASSWORD_HASH, bearer

pytestmark = pytest.mark.usefixtures("db")


def _around_today() -> dict[str, str]:
    """Yesterday to tomorrow: today's decisions, whatever the hour the test runs."""
    today = local_date(utc_now())
    return {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}


async def _review(client: httpx.AsyncClient) -> dict[str, int]:
    """Six applications: accepted, refused, sent back, accepted then sent back in processing,
    and two waiting, one of them for longer than the 8 office hours allowed."""
    me = await signed_in(client)
    officer = await bearer(client, "canbo.saigon")
    numbers = {
        name: await submitted_application(client, me)
        for name in ("accepted", "refused", "sent_back", "later", "long", "recent")
    }
    base = "/v1/staff/applications"

    async def post(name: str, action: str, body: dict[str, Any]) -> httpx.Response:
        response = await client.post(f"{base}/{numbers[name]}/{action}", json=body, headers=officer)
        assert response.status_code in (200, 201), response.text
        return response

    await post("accepted", "accept", {})
    await post("refused", "refuse", {"reason": "Không đúng thẩm quyền"})
    await post("sent_back", "supplement", {"documents": ["lease"], "note": "Hợp đồng hết hạn"})
    code = (await post("later", "accept", {})).json()["code"]
    later = await client.post(
        f"/v1/staff/dossiers/{code}/supplement", json={"fields": ["address"]}, headers=officer
    )
    assert later.status_code == 200, later.text
    now = utc_now()
    limit = (await load_working_calendar(around=now)).waited_longer_before(now, 8)
    await Application.filter(id=numbers["long"]).update(submitted_at=limit - timedelta(minutes=1))
    await Application.filter(id=numbers["recent"]).update(submitted_at=limit + timedelta(minutes=1))
    return numbers


async def _stats(client: httpx.AsyncClient, username: str) -> dict[str, Any]:
    response = await client.get(
        "/v1/staff/stats/dossiers", params=_around_today(), headers=await bearer(client, username)
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["online"])


async def test_the_city_sees_online_share_waiting_and_decisions(client: httpx.AsyncClient) -> None:
    await online_city(client)
    numbers = await _review(client)
    online = await _stats(client, "giamsat")
    totals = online["totals"]
    # Received: the two counter dossiers of the city, and three applications accepted into one.
    assert (totals["received"], totals["received_online"], totals["online_share"]) == (5, 3, 0.6)
    assert (totals["accepted"], totals["refused"], totals["sent_back"]) == (2, 1, 1)
    assert totals["decided"] == 4
    shares = (totals["accepted_share"], totals["refused_share"], totals["sent_back_share"])
    assert shares == (0.5, 0.25, 0.25)
    assert totals["waiting_for_review"] == 2 and totals["oldest_waiting_hours"] >= 8
    department, ward = online["agencies"]
    assert (department["code"], ward["code"]) == ("H29.12", "H29.99")
    assert [p["code"] for p in ward["procedures"]] == ["2.000720"]
    [procedure] = ward["procedures"]
    assert (procedure["received"], procedure["received_online"]) == (4, 3)
    assert procedure["online_share"] == 0.75 and procedure["waiting_for_review"] == 2
    [counter_only] = department["procedures"]
    assert counter_only["code"] == "2.000488"
    assert (counter_only["received"], counter_only["online_share"]) == (1, 0.0)
    assert counter_only["decided"] == 0 and counter_only["accepted_share"] is None
    assert counter_only["oldest_waiting_hours"] is None
    assert online["review_wait_hours"] == 8 and online["waiting_too_long"] == 1
    [wait] = online["longest_waits"]
    assert (wait["application_id"], wait["agency"], wait["procedure"]) == (
        numbers["long"],
        "H29.99",
        "2.000720",
    )
    assert wait["channel"] == "app" and 8 <= wait["waiting_hours"] < 8.5


async def test_a_supervisor_of_one_agency_sees_its_figures_only(client: httpx.AsyncClient) -> None:
    city = await online_city(client)
    await _review(client)
    department = await city.office_b.agency
    await StaffUser.create(
        username="giamsat.tuphap",
        password_hash=PASSWORD_HASH,
        full_name="giamsat.tuphap",
        role=StaffRole.SUPERVISOR,
        agency=department,
    )
    online = await _stats(client, "giamsat.tuphap")
    assert [a["code"] for a in online["agencies"]] == ["H29.12"]
    assert online["totals"]["waiting_for_review"] == 0 and online["waiting_too_long"] == 0
    assert online["longest_waits"] == [] and online["totals"]["received"] == 1


async def test_the_review_wait_is_a_setting(app_with: AppWith) -> None:
    async with app_with(review_wait_hours=40) as app, http_client(app) as client:
        await online_city(client)
        await _review(client)
        online = await _stats(client, "admin")
        assert online["review_wait_hours"] == 40
        assert online["waiting_too_long"] == 0 and online["longest_waits"] == []


async def test_the_dashboard_shows_the_online_figures_and_the_long_waits(
    client: httpx.AsyncClient,
) -> None:
    await online_city(client)
    numbers = await _review(client)
    await sign_in(client, "giamsat")
    vi = (await client.get("/console/dashboard", params=_around_today())).text
    assert 'id="online"' in vi and "Nộp trực tuyến" in vi
    assert f'data-application="{numbers["long"]}"' in vi
    assert f'data-application="{numbers["recent"]}"' not in vi
    assert "60 %" in vi  # 3 of 5 dossiers received online
    en = (await client.get("/console/dashboard", params={**_around_today(), "lang": "en"})).text
    assert "Submitted online" in en and "Waiting for review longer than 8 office hours" in en
