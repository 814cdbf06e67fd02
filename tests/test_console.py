"""The console's pages and forms through the real app: cookies, CSRF, both languages, and the same
audit rows as the staff API. The browser test (test_console_browser.py) drives it in Chromium."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.catalogue import has_text
from domain.local_time import local_text
from models import Appointment, AuditLog, OutboxMessage
from models.enums import AppointmentStatus, Channel, Language, OutboxStatus
from tests.console_forms import cookie_header, csrf_of, sign_in
from tests.factories import make_slot, send_due_messages
from tests.staff_setup import PASSWORD, build_city, in_login_windows


async def test_the_console_needs_a_login_and_its_cookies_are_httponly_and_strict(client):
    await build_city()
    assert (await client.get("/console")).headers["location"] == "/console/login"
    page = await client.get("/console/login")
    assert page.status_code == 200
    assert "Đăng nhập cán bộ" in page.text
    csrf_cookie = cookie_header(page, "mgov_console_csrf").lower()
    session = (await sign_in(client)).lower()
    for header in (csrf_cookie, session):
        assert "httponly" in header and "samesite=strict" in header and "path=/console" in header
    home = await client.get("/console")
    assert home.status_code == 200
    assert "Tìm người gọi theo số điện thoại" in home.text


async def test_a_form_without_the_csrf_token_is_refused(client):
    city = await build_city()
    await client.get("/console/login")
    forged = await client.post(
        "/console/login", data={"username": "tongdai1", "password": PASSWORD, "csrf": "guess"}
    )
    assert forged.status_code == 403
    assert "mgov_console=" not in ";".join(forged.headers.get_list("set-cookie"))
    await sign_in(client)
    url = f"/console/citizens/{city.citizen.id}/appointments/{city.appointment.id}/cancel"
    refused = await client.post(url, data={"reason": "caller asked"})
    assert refused.status_code == 303
    assert "error=console_csrf_failed" in refused.headers["location"]
    stored = await Appointment.get(id=city.appointment.id)
    assert stored.status == AppointmentStatus.BOOKED
    assert not await AuditLog.filter(action="appointment.cancel").exists()


async def test_wrong_password_shows_the_login_page_again(client):
    await build_city()
    page = await client.get("/console/login?lang=en")
    response = await client.post(
        "/console/login", data={"username": "tongdai1", "password": "nope", "csrf": csrf_of(page)}
    )
    assert response.status_code == 401
    assert "Wrong username or password." in response.text


async def test_parallel_wrong_passwords_in_the_console_stop_at_the_limit(client):
    await build_city()
    page = await client.get("/console/login?lang=en")
    guesses = [
        {"username": "tongdai1", "password": f"guess-{n:04d}", "csrf": csrf_of(page)}
        for n in range(12)
    ]
    windows, answers = await in_login_windows(
        client.post("/console/login", data=g) for g in guesses
    )
    statuses = [a.status_code for a in answers]
    assert 5 <= statuses.count(401) <= 5 * windows, statuses
    assert statuses.count(429) == 12 - statuses.count(401)
    refused = await client.post(
        "/console/login", data={"username": "tongdai1", "password": PASSWORD, "csrf": csrf_of(page)}
    )
    assert refused.status_code == 429
    assert "Too many attempts. Please try again in" in refused.text
    assert "mgov_console=" not in ";".join(refused.headers.get_list("set-cookie"))


async def test_an_agent_finds_a_caller_reads_the_file_and_cancels_with_a_reason(client):
    city = await build_city()
    await sign_in(client)
    home = await client.get("/console?lang=en")
    found = await client.post(
        "/console/search", data={"phone": "+84 90 123 4567", "csrf": csrf_of(home)}
    )
    assert found.status_code == 303
    assert found.headers["location"] == f"/console/citizens/{city.citizen.id}"
    page = await client.get(found.headers["location"])
    assert page.headers["content-language"] == "en"  # the language choice is remembered
    for shown in (city.dossier_a.code, city.dossier_b.code, "Upcoming appointments", "Received"):
        assert shown in page.text
    url = f"/console/citizens/{city.citizen.id}/appointments/{city.appointment.id}/cancel"
    no_reason = await client.post(url, data={"reason": " ", "csrf": csrf_of(page)})
    assert "error=reason_required" in no_reason.headers["location"]
    done = await client.post(url, data={"reason": "caller is ill", "csrf": csrf_of(page)})
    assert done.headers["location"].endswith("done=cancelled")
    after = await client.get(done.headers["location"])
    assert "Appointment cancelled" in after.text
    assert f'data-id="{city.appointment.id}"' not in after.text
    actions = [row.action for row in await AuditLog.all().order_by("id")]
    assert actions == ["citizen.find", "citizen.file", "appointment.cancel", "citizen.file"]


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        (
            "reason_required",
            "Please give a reason for this action.",
        ),  # a text without parameters: itself
        ("too_many_requests", "That could not be done"),  # needs {seconds}: not in the link
        ("staff_forbidden", "That could not be done"),  # needs {action}
        ("no_such_code", "That could not be done"),
        ("{seconds}", "That could not be done"),
    ],
)
async def test_any_error_code_in_the_link_shows_a_message_never_a_500(client, code, shown):
    city = await build_city()
    await sign_in(client)
    page = await client.get(
        f"/console/citizens/{city.citizen.id}", params={"error": code, "lang": "en"}
    )
    assert page.status_code == 200
    assert shown in page.text
    assert 'class="flash err"' in page.text


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Language: Vietnamese", "App push · Delivered", "SMS · Failed"]),
        ("vi", ["Ngôn ngữ: Tiếng Việt", "Thông báo trên ứng dụng · Đã đến máy", "SMS · Thất bại"]),
    ],
)
async def test_the_citizen_page_names_channels_statuses_and_language_in_words(client, lang, words):
    city = await build_city()
    messages = await OutboxMessage.filter(citizen=city.citizen).order_by("id")
    assert len(messages) >= 2
    await OutboxMessage.filter(id=messages[0].id).update(
        channel=Channel.PUSH, status=OutboxStatus.DELIVERED
    )
    await OutboxMessage.filter(id=messages[1].id).update(
        channel=Channel.SMS, status=OutboxStatus.FAILED
    )
    await sign_in(client)
    page = await client.get(f"/console/citizens/{city.citizen.id}", params={"lang": lang})
    assert page.status_code == 200
    for shown in words:
        assert shown in page.text
    for raw in ("push · delivered", "sms · failed", ": vi</span>"):
        assert raw not in page.text


def test_every_channel_status_and_language_has_its_words():
    keys = [f"dashboard.channel_{c}" for c in Channel]
    keys += [f"dashboard.outbox_{s}" for s in OutboxStatus]
    keys += [f"console.language_{lang}" for lang in Language]
    assert [key for key in keys if not has_text(key)] == []  # a new value would be a 500


async def test_an_unknown_number_says_so_on_the_search_page(client):
    await build_city()
    await sign_in(client)
    home = await client.get("/console")
    response = await client.post(
        "/console/search", data={"phone": "0912 000 111", "csrf": csrf_of(home)}
    )
    assert response.status_code == 404
    assert "Không tìm thấy công dân." in response.text or "Citizen not found." in response.text


async def test_a_supervisor_is_shown_a_refusal_not_a_file(client):
    city = await build_city()
    await sign_in(client, "giamsat")
    response = await client.get(f"/console/citizens/{city.citizen.id}")
    assert response.status_code == 403
    assert city.dossier_a.code not in response.text
    assert not await AuditLog.exists()


async def test_a_forged_session_cookie_is_sent_back_to_login(client):
    await build_city()
    client.cookies.set("mgov_console", "not-a-token", domain="mgov.test", path="/console")
    response = await client.get("/console")
    assert response.headers["location"] == "/console/login"


async def test_ids_and_days_out_of_range_are_answered_not_crashed(client):
    city = await build_city()
    await sign_in(client)
    assert (await client.get("/console/citizens/" + "9" * 25)).status_code == 404
    page = f"/console/citizens/{city.citizen.id}"
    for day in ("0001-01-01", "9999-12-31"):
        shown = await client.get(page, params={"day": day, "office": str(city.office_a.id)})
        assert shown.status_code == 200
    cancel = await client.post(f"{page}/appointments/{'9' * 25}/cancel", data={"reason": "x"})
    assert cancel.status_code == 404


async def test_an_agent_books_a_slot_and_resends_an_alert_with_reasons(client):
    city = await build_city()
    free = await make_slot(city.office_a, capacity=3, starts_in=timedelta(days=2))
    await sign_in(client)
    day = local_text(free.starts_at, "%Y-%m-%d")
    page_url = f"/console/citizens/{city.citizen.id}"
    page = await client.get(page_url, params={"office": str(city.office_a.id), "day": day})
    assert f'name="slot_id" value="{free.id}"' in page.text
    book_url = f"{page_url}/appointments"
    form = {"slot_id": str(free.id), "csrf": csrf_of(page)}
    refused = await client.post(book_url, data={**form, "reason": " "})
    assert "error=reason_required" in refused.headers["location"]
    booked = await client.post(book_url, data={**form, "reason": "caller asked by phone"})
    assert booked.headers["location"].endswith("done=booked")
    assert await Appointment.exists(citizen=city.citizen, slot=free, status="booked")
    alert = await OutboxMessage.filter(citizen=city.citizen, template="appointment_booked").first()
    assert alert is not None
    await send_due_messages()  # only a message that has gone out is resent
    before = await OutboxMessage.filter(citizen=city.citizen).count()
    resend_url = f"{page_url}/notifications/{alert.id}/resend"
    resent = await client.post(resend_url, data={"reason": "lost the SMS", "csrf": csrf_of(page)})
    assert resent.headers["location"].endswith("done=resent")
    assert await OutboxMessage.filter(citizen=city.citizen).count() == before + 1
    actions = [row.action for row in await AuditLog.all().order_by("id")]
    assert "appointment.book" in actions and "notification.resend" in actions
