"""Appointments as the app shows them: with their slot and office loaded."""

from __future__ import annotations

from domain.appointments.booking import get_citizen_appointment, list_citizen_appointments
from models import Appointment, Citizen


async def load_my_appointment(*, citizen: Citizen, appointment_id: int) -> Appointment:
    """One of the citizen's appointments with slot, office and procedure, ready to show."""
    appointment = await get_citizen_appointment(citizen=citizen, appointment_id=appointment_id)
    await appointment.fetch_related("slot", "slot__office", "procedure")
    return appointment


async def list_my_appointments(*, citizen: Citizen) -> list[Appointment]:
    """The citizen's coming appointments, each with slot, office and procedure loaded."""
    appointments = await list_citizen_appointments(citizen=citizen)
    await Appointment.fetch_for_list(appointments, "procedure")
    return appointments
