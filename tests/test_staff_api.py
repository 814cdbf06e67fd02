"""The staff API through the real app: login and its throttle, tokens kept apart from citizens',
the call-centre desk, the counter, role and agency scoping, and an audit row for every read and
change."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from domain.auth.staff_tokens import issue_staff_token
from domain.staff.accounts import authenticate_staff, create_staff_user
from models import Appointment, AuditLog, Dossier, DossierEvent, OutboxMessage
from models.enums import AppointmentStatus, DossierStatus, StaffRole
from tests.app_login import field_errors
from tests.conftest import http_client
from tests.factories import make_citizen, make_slot, send_due_messages
from tests.off_loop import calls_on_this_thread
from tests.staff_setup import PASSWORD, bearer, build_city, in_login_windows

SECRET = "test-secret-key-not-for-production-0123456789"  # what conftest's settings carry


def problem_type(response) -> str:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return response.json()["type"].rsplit("/", 1)[-1]


async def audit_actions(**filters) -> list[tuple[str, str, int | None, str]]:
    rows = await AuditLog.filter(**filters).order_by("id").prefetch_related("staff")
    return [(row.staff.username, row.action, row.citizen_id, row.role) for row in rows]


async def test_login_gives_a_staff_token_with_the_role(client):
    await build_city()
    response = await client.post(
        "/v1/staff/auth/login", json={"username": " CanBo.SaiGon ", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "officer" and body["agency"] == "H29.99"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["role"] == "officer"
    assert claims["aud"] == "mgov:staff" and claims["typ"] == "staff"
    assert response.headers["cache-control"] == "no-store"


async def test_wrong_passwords_are_throttled_per_username(client):
    await build_city()
    wrong = {"username": "tongdai1", "password": "not-the-password"}
    for _ in range(5):
        response = await client.post("/v1/staff/auth/login", json=wrong)
        assert response.status_code == 401
        assert problem_type(response) == "staff_login_failed"
    unknown = await client.post(
        "/v1/staff/auth/login", json={"username": "nobody", "password": "x" * 12}
    )
    assert problem_type(unknown) == "staff_login_failed"  # no hint that the name is unknown
    right = {"username": "tongdai1", "password": PASSWORD}
    refused = await client.post("/v1/staff/auth/login", json=right)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    other = await client.post(
        "/v1/staff/auth/login", json={"username": "admin", "password": PASSWORD}
    )
    assert other.status_code == 200


async def test_a_burst_of_parallel_guesses_gets_no_more_tries_than_the_limit(client):
    await build_city()
    guesses = [{"username": "tongdai1", "password": f"guess-{n:04d}"} for n in range(19)]
    guesses.append({"username": "tongdai1", "password": PASSWORD})  # the right one, last
    windows, answers = await in_login_windows(
        client.post("/v1/staff/auth/login", json=guess) for guess in guesses
    )
    checked = [a.status_code for a in answers if a.status_code in (200, 401)]
    refused = [a for a in answers if a.status_code == 429]
    # The limit, however they race (and a fixed window's edge gives each side its own).
    assert 5 <= len(checked) <= 5 * windows, [a.status_code for a in answers]
    assert len(refused) == 20 - len(checked)
    assert all(int(a.headers["retry-after"]) > 0 for a in refused)


async def test_one_address_gets_30_wrong_passwords_whatever_the_usernames(app, client):
    await build_city()
    guesses = [{"username": f"nobody{n}", "password": "not-the-password"} for n in range(34)]
    windows, answers = await in_login_windows(
        client.post("/v1/staff/auth/login", json=guess) for guess in guesses
    )
    statuses = sorted(a.status_code for a in answers)
    if windows == 1:
        assert statuses == [401] * 30 + [429] * 4
    right = {"username": "tongdai1", "password": PASSWORD}
    refused = await client.post("/v1/staff/auth/login", json=right)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    async with http_client(app, "203.0.113.7") as elsewhere:
        assert (await elsewhere.post("/v1/staff/auth/login", json=right)).status_code == 200


async def test_a_right_password_is_not_counted_as_a_wrong_one(client):
    await build_city()
    right = {"username": "tongdai1", "password": PASSWORD}
    for _ in range(8):
        assert (await client.post("/v1/staff/auth/login", json=right)).status_code == 200
    wrong = {"username": "tongdai1", "password": "not-the-password"}
    for _ in range(5):
        assert (await client.post("/v1/staff/auth/login", json=wrong)).status_code == 401
    assert (await client.post("/v1/staff/auth/login", json=wrong)).status_code == 429


async def test_passwords_are_checked_off_the_event_loop(client):
    await build_city()
    right = {"username": "tongdai1", "password": PASSWORD}
    wrong = {"username": "tongdai1", "password": "not-the-password"}
    unknown = {"username": "nobody", "password": "not-the-password"}  # checks the dummy hash
    with calls_on_this_thread("argon2") as on_loop:
        answers = [
            await client.post("/v1/staff/auth/login", json=b) for b in (right, wrong, unknown)
        ]
    assert [a.status_code for a in answers] == [200, 401, 401]
    assert on_loop == []  # argon2's ~100 ms ran in a worker thread: other requests went on


async def test_a_new_account_is_hashed_off_the_event_loop(db):
    with calls_on_this_thread("argon2") as on_loop:
        user = await create_staff_user(
            username="tongdai9", password=PASSWORD, full_name="Tổng đài 9", role=StaffRole.AGENT
        )
    assert on_loop == []
    assert (await authenticate_staff(username="tongdai9", password=PASSWORD)).id == user.id


async def test_a_bad_login_body_is_a_422_naming_the_field(client):
    response = await client.post("/v1/staff/auth/login", json={"username": "admin"})
    assert response.status_code == 422
    assert problem_type(response) == "invalid_body"
    assert "password" in response.json()["detail"]


async def test_citizen_tokens_and_forged_tokens_are_not_staff_tokens(client):
    city = await build_city()
    citizen_like = jwt.encode(
        {"sub": str(city.staff["admin"].id), "typ": "access", "role": "admin", "exp": 2**31},
        SECRET,
        algorithm="HS256",
    )
    same_claims_raw_key = jwt.encode(
        {
            "iss": "mgov",
            "aud": "mgov:staff",
            "typ": "staff",
            "sub": str(city.staff["admin"].id),
            "role": "admin",
            "exp": 2**31,
        },
        SECRET,
        algorithm="HS256",
    )
    other_secret = issue_staff_token(
        staff=city.staff["admin"], secret="another-secret-entirely", lifetime=timedelta(hours=1)
    )
    expired = issue_staff_token(
        staff=city.staff["admin"], secret=SECRET, lifetime=timedelta(seconds=-120)
    )
    for token in (citizen_like, same_claims_raw_key, other_secret, expired, "garbage"):
        response = await client.get("/v1/staff/audit", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
        assert problem_type(response) == "staff_token_invalid"
    missing = await client.get("/v1/staff/audit")
    assert problem_type(missing) == "staff_token_missing"


async def test_a_deactivated_account_loses_its_token_at_once(client):
    city = await build_city()
    headers = await bearer(client, "admin")
    assert (await client.get("/v1/staff/audit", headers=headers)).status_code == 200
    city.staff["admin"].is_active = False
    await city.staff["admin"].save()
    assert (await client.get("/v1/staff/audit", headers=headers)).status_code == 401


@pytest.mark.parametrize(
    "spoken", ["090 123 4567", "+84 90 123 4567", "0084-90-123-4567", "84901234567"]
)
async def test_an_agent_finds_a_caller_by_the_number_as_said_and_it_is_audited(client, spoken):
    city = await build_city()
    headers = await bearer(client, "tongdai1")
    response = await client.post(
        "/v1/staff/citizens/search",
        json={"phone": spoken, "reason": "hotline call"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["id"] == city.citizen.id
    row = await AuditLog.get(action="citizen.find")
    assert (row.citizen_id, row.role, row.reason) == (city.citizen.id, "agent", "hotline call")
    assert row.client_address == "127.0.0.1"
    assert row.subject == "+8490****567"  # masked, even in the audit trail


async def test_an_old_eleven_digit_number_finds_todays_subscriber(client):
    await build_city()
    viettel = await make_citizen("0387654321", "Lê Hoàng Cường")
    headers = await bearer(client, "tongdai1")
    response = await client.post(
        "/v1/staff/citizens/search", json={"phone": "0168 765 4321"}, headers=headers
    )
    assert response.json()["id"] == viettel.id


async def test_an_unknown_number_is_a_404_and_still_audited(client):
    await build_city()
    headers = await bearer(client, "tongdai1")
    response = await client.post(
        "/v1/staff/citizens/search", json={"phone": "0912 000 111"}, headers=headers
    )
    assert response.status_code == 404
    assert problem_type(response) == "citizen_not_found"
    assert await audit_actions() == [("tongdai1", "citizen.find", None, "agent")]
    bad = await client.post("/v1/staff/citizens/search", json={"phone": "12"}, headers=headers)
    assert bad.status_code == 422


async def test_every_read_of_a_citizens_file_leaves_an_audit_row(client):
    city = await build_city()
    headers = await bearer(client, "tongdai1")
    base = f"/v1/staff/citizens/{city.citizen.id}"
    dossiers = await client.get(f"{base}/dossiers", headers=headers)
    assert dossiers.status_code == 200
    codes = {item["code"] for item in dossiers.json()["items"]}
    assert codes == {city.dossier_a.code, city.dossier_b.code}
    timeline = dossiers.json()["items"][0]["timeline"]
    assert timeline[0]["to_status"] == "received"
    appointments = await client.get(f"{base}/appointments", headers=headers)
    assert [a["id"] for a in appointments.json()["items"]] == [city.appointment.id]
    notifications = await client.get(f"{base}/notifications", headers=headers)
    templates = {m["template"] for m in notifications.json()["items"]}
    assert {"dossier_received", "appointment_booked"} <= templates
    assert await audit_actions(citizen_id=city.citizen.id) == [
        ("tongdai1", "citizen.dossiers", city.citizen.id, "agent"),
        ("tongdai1", "citizen.appointments", city.citizen.id, "agent"),
        ("tongdai1", "citizen.notifications", city.citizen.id, "agent"),
    ]


async def test_booking_and_cancelling_on_behalf_need_a_reason_and_are_audited(client):
    city = await build_city()
    other_slot = await make_slot(city.office_a, starts_in=timedelta(days=2))
    headers = await bearer(client, "tongdai1")
    base = f"/v1/staff/citizens/{city.citizen.id}/appointments"
    no_reason = await client.post(
        base, json={"slot_id": other_slot.id, "reason": "  "}, headers=headers
    )
    assert no_reason.status_code == 422
    assert problem_type(no_reason) == "reason_required"
    assert field_errors(no_reason) == [("reason", "reason_required")]
    assert await Appointment.filter(slot=other_slot).count() == 0

    booked = await client.post(
        base, json={"slot_id": other_slot.id, "reason": "caller has no smartphone"}, headers=headers
    )
    assert booked.status_code == 201, booked.text
    new_id = booked.json()["id"]

    cancel_url = f"{base}/{city.appointment.id}/cancel"
    refused = await client.post(cancel_url, json={"reason": ""}, headers=headers)
    assert refused.status_code == 422
    cancelled = await client.post(cancel_url, json={"reason": "caller is ill"}, headers=headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    stored = await Appointment.get(id=city.appointment.id)
    assert (stored.status, stored.cancel_reason) == (AppointmentStatus.CANCELLED, "caller is ill")
    rows = await AuditLog.filter(action__startswith="appointment.").order_by("id")
    assert [(r.action, r.subject, r.reason) for r in rows] == [
        ("appointment.book", f"appointment:{new_id}", "caller has no smartphone"),
        ("appointment.cancel", f"appointment:{city.appointment.id}", "caller is ill"),
    ]
    listed = await client.get(base, headers=headers)
    assert [a["id"] for a in listed.json()["items"]] == [new_id]


async def test_a_resend_queues_the_same_alert_again(client):
    city = await build_city()
    headers = await bearer(client, "tongdai1")
    original = await OutboxMessage.get(citizen=city.citizen, template="appointment_booked")
    url = f"/v1/staff/citizens/{city.citizen.id}/notifications/{original.id}/resend"
    on_its_way = await client.post(url, json={"reason": "caller got nothing"}, headers=headers)
    assert on_its_way.status_code == 409  # still queued: a copy would reach the phone twice
    assert on_its_way.json()["type"].endswith("/notification_not_sent_yet")
    await send_due_messages()
    response = await client.post(url, json={"reason": "caller deleted the SMS"}, headers=headers)
    assert response.status_code == 202, response.text
    copies = await OutboxMessage.filter(citizen=city.citizen, template="appointment_booked")
    assert len(copies) == 2
    assert {m.body for m in copies} == {original.body}
    row = await AuditLog.get(action="notification.resend")
    assert row.subject == f"message:{original.id}"
    missing = await client.post(
        f"/v1/staff/citizens/{city.citizen.id}/notifications/not-a-uuid/resend",
        json={"reason": "x"},
        headers=headers,
    )
    assert missing.status_code == 404


async def test_an_officer_registers_a_dossier_and_the_citizen_gets_a_receipt(client):
    await build_city()
    headers = await bearer(client, "canbo.saigon")
    response = await client.post(
        "/v1/staff/dossiers",
        json={"phone": "0912 345 678", "procedure_code": "2.000720", "full_name": "Trần Thị Bình"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert receipt["code"].startswith("H29.99-")
    assert receipt["status"] == "received" and receipt["due_at"]
    dossier = await Dossier.get(code=receipt["code"]).prefetch_related("citizen")
    assert dossier.citizen.phone == "+84912345678"
    sms = await OutboxMessage.get(citizen=dossier.citizen, template="dossier_received")
    assert receipt["code"] in sms.body
    row = await AuditLog.get(action="dossier.register")
    assert (row.citizen_id, row.subject, row.role) == (
        dossier.citizen.id,
        receipt["code"],
        "officer",
    )


async def test_an_officer_cannot_register_at_another_agencys_counter(client):
    city = await build_city()
    headers = await bearer(client, "canbo.saigon")
    response = await client.post(
        "/v1/staff/dossiers",
        json={"phone": "0912345678", "procedure_code": "2.000720", "office_id": city.office_b.id},
        headers=headers,
    )
    assert response.status_code == 404
    assert await Dossier.all().count() == 2


async def test_an_agent_cannot_move_a_dossier(client):
    city = await build_city()
    headers = await bearer(client, "tongdai1")
    response = await client.post(
        f"/v1/staff/dossiers/{city.dossier_a.code}/moves",
        json={"to_status": "in_progress"},
        headers=headers,
    )
    assert response.status_code == 403
    assert problem_type(response) == "staff_forbidden"
    assert (await Dossier.get(id=city.dossier_a.id)).status == DossierStatus.RECEIVED
    registered = await client.post(
        "/v1/staff/dossiers",
        json={"phone": "0912345678", "procedure_code": "2.000720"},
        headers=headers,
    )
    assert registered.status_code == 403


async def test_an_officer_of_agency_a_cannot_touch_agency_bs_dossier(client):
    city = await build_city()
    headers = await bearer(client, "canbo.saigon")
    response = await client.post(
        f"/v1/staff/dossiers/{city.dossier_b.code}/moves",
        json={"to_status": "in_progress"},
        headers=headers,
    )
    assert response.status_code == 403
    assert problem_type(response) == "staff_other_agency"
    assert (await Dossier.get(id=city.dossier_b.id)).status == DossierStatus.RECEIVED
    assert await DossierEvent.filter(dossier_id=city.dossier_b.id).count() == 1
    assert not await AuditLog.filter(action="dossier.move").exists()
    listed = await client.get(f"/v1/staff/citizens/{city.citizen.id}/dossiers", headers=headers)
    assert [d["code"] for d in listed.json()["items"]] == [city.dossier_a.code]


async def test_an_officer_moves_own_agencys_dossier_with_a_reason_where_required(client):
    city = await build_city()
    headers = await bearer(client, "canbo.saigon")
    url = f"/v1/staff/dossiers/{city.dossier_a.code.replace('.', '').lower()}/moves"
    no_reason = await client.post(url, json={"to_status": "needs_supplement"}, headers=headers)
    assert no_reason.status_code == 422
    assert problem_type(no_reason) == "reason_required"
    assert field_errors(no_reason) == [("reason", "reason_required")]  # the domain's `note`
    moved = await client.post(
        url,
        json={"to_status": "needs_supplement", "reason": "Thiếu bản sao CCCD"},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "needs_supplement"
    event = await DossierEvent.filter(dossier_id=city.dossier_a.id).order_by("-id").first()
    assert (event.actor, event.note) == ("canbo.saigon", "Thiếu bản sao CCCD")
    sms = await OutboxMessage.get(citizen=city.citizen, template="dossier_needs_supplement")
    assert "CCCD" in sms.body
    row = await AuditLog.get(action="dossier.move")
    assert (row.subject, row.reason) == (
        f"{city.dossier_a.code}:needs_supplement",
        "Thiếu bản sao CCCD",
    )
    illegal = await client.post(url, json={"to_status": "returned"}, headers=headers)
    assert illegal.status_code == 409
    unknown = await client.post(url, json={"to_status": "lost"}, headers=headers)
    assert problem_type(unknown) == "invalid_status"
    assert field_errors(unknown) == [("to_status", "invalid_status")]


async def test_the_audit_trail_is_for_admins_and_cannot_be_changed(client):
    city = await build_city()
    agent = await bearer(client, "tongdai1")
    await client.get(f"/v1/staff/citizens/{city.citizen.id}/dossiers", headers=agent)
    assert (await client.get("/v1/staff/audit", headers=agent)).status_code == 403
    supervisor = await bearer(client, "giamsat")
    assert (await client.get("/v1/staff/audit", headers=supervisor)).status_code == 403
    admin = await bearer(client, "admin")
    response = await client.get(f"/v1/staff/audit?citizen_id={city.citizen.id}", headers=admin)
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["staff"], i["action"], i["role"]) for i in items] == [
        ("tongdai1", "citizen.dossiers", "agent")
    ]
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        refused = await client.request(method, "/v1/staff/audit", headers=admin)
        assert refused.status_code == 405
    row_url = f"/v1/staff/audit/{items[0]['id']}"
    assert (await client.delete(row_url, headers=admin)).status_code == 404
    assert await AuditLog.all().count() == 1


async def test_a_supervisor_reads_no_citizen_file(client):
    city = await build_city()
    headers = await bearer(client, "giamsat")
    response = await client.get(f"/v1/staff/citizens/{city.citizen.id}/dossiers", headers=headers)
    assert response.status_code == 403
    assert not await AuditLog.exists()


async def test_an_agent_never_reads_a_live_login_code(client):
    """A code on the agent's screen is an account takeover: the staff view masks it, live or not."""
    city = await build_city()
    asked = await client.post("/v1/auth/otp", json={"phone": city.citizen.phone})
    assert asked.status_code == 202
    sent = await OutboxMessage.get(citizen=city.citizen, template="otp")
    code = sent.params["code"]
    assert code in sent.body  # still live: the phone has not used it yet
    headers = await bearer(client, "tongdai1")
    listed = await client.get(
        f"/v1/staff/citizens/{city.citizen.id}/notifications", headers=headers
    )
    [otp] = [m for m in listed.json()["items"] if m["template"] == "otp"]
    assert code not in otp["body"] and "******" in otp["body"]
