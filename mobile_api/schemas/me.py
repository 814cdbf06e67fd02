"""The signed-in citizen's account, and the export of all their data."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from domain.profile import CitizenExport, Profile
from mobile_api.schemas.common import Strict
from models.enums import ConsentPurpose, DossierStatus, Language


class Preferences(BaseModel):
    push: bool
    sms: bool


class Consent(BaseModel):
    purpose: ConsentPurpose
    granted: bool
    channel: str
    recorded_at: datetime


class Me(BaseModel):
    id: int
    phone: str
    full_name: str
    language: Language
    cccd_last4: str | None = None
    notifications: Preferences
    consents: list[Consent]
    created_at: datetime

    @classmethod
    def of(cls, profile: Profile) -> Me:
        citizen = profile.citizen
        return cls(
            id=citizen.id,
            phone=citizen.phone,
            full_name=citizen.full_name,
            language=citizen.language,
            cccd_last4=citizen.cccd_last4,
            notifications=Preferences(push=profile.push_alerts, sms=profile.sms_alerts),
            consents=[
                Consent(
                    purpose=c.purpose,
                    granted=c.granted,
                    channel=c.channel,
                    recorded_at=c.recorded_at,
                )
                for c in profile.consents
            ],
            created_at=citizen.created_at,
        )


class PreferencesChange(Strict):
    push: bool | None = None
    sms: bool | None = None


class MeChange(Strict):
    full_name: str | None = Field(default=None, max_length=200)
    language: Language | None = None
    notifications: PreferencesChange | None = None
    personal_data_consent: bool | None = Field(
        default=None, description="consent to the processing of personal data, recorded as history"
    )


class ExportedEvent(BaseModel):
    dossier_code: str
    from_status: DossierStatus | None = None
    to_status: DossierStatus
    note: str
    created_at: datetime


class ExportedDossier(BaseModel):
    code: str
    procedure_code: str
    status: DossierStatus
    received_at: datetime
    due_at: datetime
    finished_at: datetime | None = None
    status_note: str


class ExportedAppointment(BaseModel):
    id: int
    slot_id: int
    status: str
    cancel_reason: str
    created_at: datetime


class ExportedDevice(BaseModel):
    platform: str
    created_at: datetime
    last_seen_at: datetime


class ExportedMessage(BaseModel):
    id: UUID
    channel: str
    template: str
    body: str
    status: str
    created_at: datetime
    sent_at: datetime | None = None


class Export(BaseModel):
    """Everything held about the citizen (device tokens are withheld: they are credentials)."""

    me: Me
    dossiers: list[ExportedDossier]
    dossier_events: list[ExportedEvent]
    appointments: list[ExportedAppointment]
    devices: list[ExportedDevice]
    messages: list[ExportedMessage]

    @classmethod
    def of(cls, data: CitizenExport) -> Export:
        codes = {d.id: d.code for d in data.dossiers}
        return cls(
            me=Me.of(data.profile),
            dossiers=[
                ExportedDossier(
                    code=d.code,
                    procedure_code=d.procedure.code,
                    status=d.status,
                    received_at=d.received_at,
                    due_at=d.due_at,
                    finished_at=d.finished_at,
                    status_note=d.status_note,
                )
                for d in data.dossiers
            ],
            dossier_events=[
                ExportedEvent(dossier_code=codes[e.dossier_id], **_fields(e, ExportedEvent))
                for e in data.events
            ],
            appointments=[_of(a, ExportedAppointment) for a in data.appointments],
            devices=[_of(d, ExportedDevice) for d in data.devices],
            messages=[_of(m, ExportedMessage) for m in data.messages],
        )


def _fields(row: Any, model: type[BaseModel]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in model.model_fields if hasattr(row, name)}


def _of(row: Any, model: type[BaseModel]) -> Any:
    return model(**_fields(row, model))
