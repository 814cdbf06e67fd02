"""GET/POST /v1/appointments, GET/PATCH/DELETE /v1/appointments/{id}."""

from __future__ import annotations

from datetime import timedelta

from models import Appointment, OfficeSlot
from models.enums import AppointmentStatus
from tests.app_login import assert_problem, signed_in
from tests.factories import make_agency, make_office, make_procedure, make_slot


async def slots(count: int = 2, capacity: int = 1) -> list[OfficeSlot]:
    office = await make_office(await make_agency())
    await make_procedure(await office.agency)
    return [
        await make_slot(office, capacity=capacity, starts_in=timedelta(days=1, hours=n))
        for n in range(count)
    ]


async def test_book_list_show_reschedule_cancel(client):
    first, second = await slots()
    headers = await signed_in(client)
    booked = await client.post(
        "/v1/appointments",
        json={"slot_id": first.id, "procedure_code": "1.001193"},
        headers=headers,
    )
    assert booked.status_code == 201, booked.text
    body = booked.json()
    assert body["status"] == "booked" and body["procedure_code"] == "1.001193"
    assert body["office"]["name"].startswith("Bộ phận một cửa")
    assert "cancel_reason" not in body
    appointment_id = body["id"]
    listed = (await client.get("/v1/appointments", headers=headers)).json()["items"]
    assert [a["id"] for a in listed] == [appointment_id]
    shown = await client.get(f"/v1/appointments/{appointment_id}", headers=headers)
    assert shown.json()["starts_at"] == body["starts_at"]
    moved = await client.patch(
        f"/v1/appointments/{appointment_id}", json={"slot_id": second.id}, headers=headers
    )
    assert moved.status_code == 200
    assert moved.json()["starts_at"] != body["starts_at"]
    assert (await OfficeSlot.get(id=first.id)).booked == 0
    assert (await OfficeSlot.get(id=second.id)).booked == 1
    cancelled = await client.delete(f"/v1/appointments/{appointment_id}", headers=headers)
    assert cancelled.status_code == 204
    assert (await Appointment.get(id=appointment_id)).status == AppointmentStatus.CANCELLED
    again = await client.delete(f"/v1/appointments/{appointment_id}", headers=headers)
    assert_problem(again, status=409, code="appointment_not_active")
    assert (await client.get("/v1/appointments", headers=headers)).json()["items"] == []


async def test_a_full_slot_and_unknown_slot_or_procedure_are_refused(client):
    [slot] = await slots(1)
    headers = await signed_in(client)
    other = await signed_in(client, "0912345678")
    assert (
        await client.post("/v1/appointments", json={"slot_id": slot.id}, headers=other)
    ).status_code == 201
    full = await client.post("/v1/appointments", json={"slot_id": slot.id}, headers=headers)
    assert_problem(full, status=409, code="slot_full")
    missing = await client.post("/v1/appointments", json={"slot_id": 999999}, headers=headers)
    assert_problem(missing, status=404, code="slot_not_found")
    no_procedure = await client.post(
        "/v1/appointments", json={"slot_id": slot.id, "procedure_code": "0.0"}, headers=headers
    )
    assert_problem(no_procedure, status=404, code="procedure_not_found")
    bad = await client.post("/v1/appointments", json={"slot_id": "soon"}, headers=headers)
    assert_problem(bad, status=422, code="validation_failed")


async def test_another_citizen_gets_404_on_my_appointment(client):
    first, second = await slots()
    mine = await signed_in(client)
    booked = await client.post("/v1/appointments", json={"slot_id": first.id}, headers=mine)
    appointment_id = booked.json()["id"]
    stranger = await signed_in(client, "0912345678")
    path = f"/v1/appointments/{appointment_id}"
    assert_problem(
        await client.get(path, headers=stranger), status=404, code="appointment_not_found"
    )
    moved = await client.patch(path, json={"slot_id": second.id}, headers=stranger)
    assert_problem(moved, status=404, code="appointment_not_found")
    assert_problem(
        await client.delete(path, headers=stranger), status=404, code="appointment_not_found"
    )
    assert (await Appointment.get(id=appointment_id)).status == AppointmentStatus.BOOKED
    assert (await client.get("/v1/appointments", headers=stranger)).json()["items"] == []


async def test_appointments_need_a_token(client):
    assert_problem(await client.get("/v1/appointments"), status=401, code="unauthorized")
    assert_problem(
        await client.post("/v1/appointments", json={"slot_id": 1}), status=401, code="unauthorized"
    )
