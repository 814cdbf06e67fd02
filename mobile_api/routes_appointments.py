"""GET/POST /v1/appointments, GET/PATCH/DELETE /v1/appointments/{id}."""

from __future__ import annotations

from domain.appointments.booking import (
    book_appointment,
    cancel_appointment,
    reschedule_appointment,
)
from domain.appointments.views import list_my_appointments, load_my_appointment
from domain.procedures import get_procedure
from mobile_api.endpoints import Call, Endpoint
from mobile_api.schemas.appointments import (
    AppointmentList,
    AppointmentOut,
    BookingRequest,
    RescheduleRequest,
)


async def _show(call: Call, appointment_id: int) -> AppointmentOut:
    appointment = await load_my_appointment(citizen=call.citizen, appointment_id=appointment_id)
    return AppointmentOut.of(appointment, call.language)


async def my_appointments(call: Call) -> AppointmentList:
    found = await list_my_appointments(citizen=call.citizen)
    return AppointmentList(items=[AppointmentOut.of(a, call.language) for a in found])


async def book(call: Call) -> AppointmentOut:
    request: BookingRequest = call.body
    procedure = await get_procedure(code=request.procedure_code) if request.procedure_code else None
    appointment = await book_appointment(
        citizen=call.citizen, slot_id=request.slot_id, procedure=procedure
    )
    return await _show(call, appointment.id)


async def my_appointment(call: Call) -> AppointmentOut:
    return await _show(call, call.path["appointment_id"])


async def reschedule(call: Call) -> AppointmentOut:
    request: RescheduleRequest = call.body
    appointment = await reschedule_appointment(
        citizen=call.citizen, appointment_id=call.path["appointment_id"], slot_id=request.slot_id
    )
    return await _show(call, appointment.id)


async def cancel(call: Call) -> None:
    await cancel_appointment(citizen=call.citizen, appointment_id=call.path["appointment_id"])


TAG = "appointments"
ONE = "/v1/appointments/{appointment_id:row_id}"
endpoints = [
    Endpoint(
        "GET",
        "/v1/appointments",
        my_appointments,
        "My coming appointments",
        TAG,
        response=AppointmentList,
    ),
    Endpoint(
        "POST",
        "/v1/appointments",
        book,
        "Book a slot",
        TAG,
        body=BookingRequest,
        response=AppointmentOut,
        status=201,
        errors=(409,),
    ),
    Endpoint("GET", ONE, my_appointment, "One of my appointments", TAG, response=AppointmentOut),
    Endpoint(
        "PATCH",
        ONE,
        reschedule,
        "Move my appointment to another slot",
        TAG,
        body=RescheduleRequest,
        response=AppointmentOut,
        errors=(409,),
    ),
    Endpoint("DELETE", ONE, cancel, "Cancel my appointment", TAG, status=204, errors=(409,)),
]
