"""The staff API's requests and answers (call-centre agents, counter officers, admins). Bodies
ignore unknown fields, as they always have; answers carry explicit nulls."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field

from domain.catalogue import localised_name, text
from domain.staff.call_desk import DossierWithTimeline
from mobile_api.paging import MAX_ID
from mobile_api.schemas.common import KeepsNulls
from models import Appointment, AuditLog, Citizen, Dossier, Office, OutboxMessage, Procedure
from models.enums import (
    AppointmentStatus,
    Channel,
    DossierStatus,
    Language,
    OutboxStatus,
)

ROW_ID = Field(ge=1, le=MAX_ID)
REASON = Field(max_length=500, description="Why the staff member acts; written to the audit trail")


def _blank_is_absent(value: object) -> object:
    """`?citizen_id=` from a form means no filter, as a missing parameter does."""
    return None if value == "" else value


Blank = BeforeValidator(_blank_is_absent)


class LoginBody(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class StaffLogin(KeepsNulls):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    role: str
    agency: str | None


class SearchBody(BaseModel):
    phone: str = Field(min_length=1, max_length=32)
    reason: str = Field(default="", max_length=500)


class BookBody(BaseModel):
    slot_id: int = ROW_ID
    reason: str = REASON


class ReasonBody(BaseModel):
    reason: str = REASON


class RegisterBody(BaseModel):
    phone: str = Field(min_length=1, max_length=32)
    procedure_code: str = Field(min_length=1, max_length=32)
    office_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    full_name: str = Field(default="", max_length=200)
    language: Language = Language.VI


class MoveBody(BaseModel):
    to_status: str = Field(min_length=1, max_length=24)
    reason: str = Field(default="", max_length=500)


class ReasonQuery(BaseModel):
    reason: str = Field(default="", description="Why the file is read; written to the audit trail")


class AuditQuery(BaseModel):
    citizen_id: Annotated[int | None, Blank] = Field(default=None, ge=0, le=MAX_ID)
    staff_id: Annotated[int | None, Blank] = Field(default=None, ge=0, le=MAX_ID)
    action: Annotated[str | None, Blank] = Field(default=None, max_length=64)
    before_id: Annotated[int | None, Blank] = Field(default=None, ge=0, le=MAX_ID)
    limit: Annotated[int | None, Blank] = Field(
        default=None, ge=0, le=MAX_ID, description="50 when absent or 0; at most 200"
    )


class CitizenCard(KeepsNulls):
    id: int
    full_name: str
    phone: str
    language: Language

    @classmethod
    def of(cls, citizen: Citizen) -> CitizenCard:
        return cls(
            id=citizen.id,
            full_name=citizen.full_name,
            phone=citizen.phone,
            language=citizen.language,
        )


class NamedRef(KeepsNulls):
    code: str
    name: str

    @classmethod
    def of(cls, procedure: Procedure, language: str) -> NamedRef:
        return cls(code=procedure.code, name=localised_name(procedure, language))


class OfficeRef(KeepsNulls):
    id: int
    name: str

    @classmethod
    def of(cls, office: Office, language: str) -> OfficeRef:
        return cls(id=office.id, name=localised_name(office, language))


class StaffDossier(KeepsNulls):
    code: str
    status: DossierStatus
    status_text: str
    status_note: str
    received_at: datetime
    due_at: datetime

    @classmethod
    def of(cls, dossier: Dossier, language: str) -> StaffDossier:
        return StaffDossier(
            code=dossier.code,
            status=dossier.status,
            status_text=text(f"status.{dossier.status}", language),
            status_note=dossier.status_note,
            received_at=dossier.received_at,
            due_at=dossier.due_at,
        )


class Receipt(StaffDossier):
    """What the counter hands the citizen: the code and the date the result is due."""

    procedure: NamedRef
    office: OfficeRef

    @classmethod
    def of(cls, dossier: Dossier, language: str) -> Receipt:
        return cls(
            **StaffDossier.of(dossier, language).model_dump(),
            procedure=NamedRef.of(dossier.procedure, language),
            office=OfficeRef.of(dossier.office, language),
        )


class TimelineEntry(KeepsNulls):
    from_status: DossierStatus | None
    to_status: DossierStatus
    at: datetime
    actor: str
    note: str


class DossierFile(Receipt):
    overdue: bool
    timeline: list[TimelineEntry]

    @classmethod
    def of_item(cls, item: DossierWithTimeline, language: str) -> DossierFile:
        dossier = item.dossier
        return cls(
            **StaffDossier.of(dossier, language).model_dump(),
            procedure=NamedRef.of(dossier.procedure, language),
            office=OfficeRef.of(dossier.office, language),
            overdue=item.overdue,
            timeline=[
                TimelineEntry(
                    from_status=event.from_status or None,
                    to_status=event.to_status,
                    at=event.created_at,
                    actor=event.actor,
                    note=event.note,
                )
                for event in item.events
            ],
        )


class CitizenDossiers(KeepsNulls):
    citizen: CitizenCard
    items: list[DossierFile]


class StaffAppointment(KeepsNulls):
    id: int
    status: AppointmentStatus
    starts_at: datetime
    office: OfficeRef

    @classmethod
    def of(cls, appointment: Appointment, language: str) -> StaffAppointment:
        slot = appointment.slot
        return cls(
            id=appointment.id,
            status=appointment.status,
            starts_at=slot.starts_at,
            office=OfficeRef.of(slot.office, language),
        )


class StaffAppointments(KeepsNulls):
    items: list[StaffAppointment]


class StaffNotification(KeepsNulls):
    id: str
    template: str
    channel: Channel
    status: OutboxStatus
    body: str
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    last_error: str

    @classmethod
    def of(cls, message: OutboxMessage) -> StaffNotification:
        return cls(
            id=str(message.id),
            template=message.template,
            channel=message.channel,
            status=message.status,
            body=message.body,
            created_at=message.created_at,
            sent_at=message.sent_at,
            delivered_at=message.delivered_at,
            last_error=message.last_error,
        )


class StaffNotifications(KeepsNulls):
    items: list[StaffNotification]


class AuditRow(KeepsNulls):
    id: int
    staff: str | None
    role: str
    action: str
    citizen_id: int | None
    subject: str
    reason: str
    client_address: str
    at: datetime

    @classmethod
    def of(cls, row: AuditLog) -> AuditRow:
        return cls(
            id=row.id,
            staff=row.staff.username if row.staff else None,
            role=row.role,
            action=row.action,
            citizen_id=row.citizen_id,
            subject=row.subject,
            reason=row.reason,
            client_address=row.client_address,
            at=row.created_at,
        )


class AuditPage(KeepsNulls):
    items: list[AuditRow]
    next_before_id: int | None = Field(description="Pass as before_id for the next page")
