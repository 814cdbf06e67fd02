"""A small city for staff tests: two agencies with a counter each, one account per role, a citizen
with a dossier at each agency and an appointment."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass

import httpx

from domain.appointments.booking import book_appointment
from domain.dossiers.records import SYSTEM, receive_dossier
from domain.local_time import utc_now
from domain.staff.accounts import LOGIN_WINDOW, hash_password
from models import Appointment, Citizen, Dossier, Office, OfficeSlot, StaffUser
from models.enums import StaffRole
from tests.factories import make_agency, make_citizen, make_office, make_procedure, make_slot

PASSWORD = "correct-horse-battery"
# Hashed once: argon2 is slow on purpose, and every test builds five accounts.
PASSWORD_HASH = hash_password(PASSWORD)


@dataclass
class City:
    office_a: Office
    office_b: Office
    citizen: Citizen
    dossier_a: Dossier
    dossier_b: Dossier
    slot: OfficeSlot
    appointment: Appointment
    staff: dict[str, StaffUser]


async def _account(username: str, role: StaffRole, agency=None) -> StaffUser:
    return await StaffUser.create(
        username=username, password_hash=PASSWORD_HASH, full_name=username, role=role, agency=agency
    )


async def build_city() -> City:
    agency_a = await make_agency("H29.99", "UBND phường Sài Gòn")
    agency_b = await make_agency("H29.12", "Sở Tư pháp")
    office_a = await make_office(agency_a)
    office_b = await make_office(agency_b)
    procedure_a = await make_procedure(agency_a, code="2.000720")
    procedure_b = await make_procedure(agency_b, code="2.000488", name="Cấp phiếu lý lịch tư pháp")
    citizen = await make_citizen("0901234567", "Nguyễn Văn An")
    dossier_a = await receive_dossier(
        citizen=citizen, procedure=procedure_a, office=office_a, actor=SYSTEM
    )
    dossier_b = await receive_dossier(
        citizen=citizen, procedure=procedure_b, office=office_b, actor=SYSTEM
    )
    slot = await make_slot(office_a, capacity=2)
    appointment = await book_appointment(citizen=citizen, slot_id=slot.id)
    staff = {
        "agent": await _account("tongdai1", StaffRole.AGENT),
        "officer_a": await _account("canbo.saigon", StaffRole.OFFICER, agency_a),
        "officer_b": await _account("canbo.tuphap", StaffRole.OFFICER, agency_b),
        "admin": await _account("admin", StaffRole.ADMIN),
        "supervisor": await _account("giamsat", StaffRole.SUPERVISOR),
    }
    return City(office_a, office_b, citizen, dossier_a, dossier_b, slot, appointment, staff)


async def bearer(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await client.post(
        "/v1/staff/auth/login", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def in_login_windows(
    requests: Iterable[Awaitable[httpx.Response]],
) -> tuple[int, list[httpx.Response]]:
    """Send requests at once; also say how many 15-minute throttle windows the burst touched."""
    first = utc_now().timestamp() // LOGIN_WINDOW.total_seconds()
    answers = await asyncio.gather(*requests)
    last = utc_now().timestamp() // LOGIN_WINDOW.total_seconds()
    return int(last - first) + 1, list(answers)
