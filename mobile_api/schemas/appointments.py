"""Appointments at one-stop counters."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from mobile_api.paging import MAX_ID
from mobile_api.schemas.catalogue import OfficeOut
from mobile_api.schemas.common import Strict
from models import Appointment
from models.enums import AppointmentStatus

SLOT_ID = Field(ge=1, le=MAX_ID, description="from GET /v1/offices/{office_id}/slots")


class AppointmentOut(BaseModel):
    id: int
    status: AppointmentStatus
    starts_at: datetime
    duration_minutes: int
    office: OfficeOut
    procedure_code: str | None = None
    cancel_reason: str | None = None

    @classmethod
    def of(cls, appointment: Appointment, language: str) -> AppointmentOut:
        slot = appointment.slot
        procedure = appointment.procedure
        return cls(
            id=appointment.id,
            status=appointment.status,
            starts_at=slot.starts_at,
            duration_minutes=slot.duration_minutes,
            office=OfficeOut.of(slot.office, language, with_agency=False),
            procedure_code=procedure.code if procedure else None,
            cancel_reason=appointment.cancel_reason or None,
        )


class AppointmentList(BaseModel):
    items: list[AppointmentOut]


class BookingRequest(Strict):
    slot_id: int = SLOT_ID
    procedure_code: str | None = Field(default=None, min_length=1, max_length=32)


class RescheduleRequest(Strict):
    slot_id: int = SLOT_ID
