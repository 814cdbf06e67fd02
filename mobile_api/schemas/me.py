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
    promised_at: datetime | None = Field(
        default=None, description="The new date an overdue dossier's apology promised"
    )
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
    delivered_at: datetime | None = None
    read_at: datetime | None = None


class ExportedInboundSms(BaseModel):
    """A text the citizen sent us, and the message that answered it (in `messages`)."""

    gateway: str
    text: str
    received_at: datetime
    reply_id: UUID | None = None


class ExportedUssdSession(BaseModel):
    """A feature-phone session: where the caller was in the menus and what was last said."""

    started_at: datetime
    expires_at: datetime
    language: str
    screen: str
    state: dict[str, Any]
    hops: int
    last_text: str
    last_reply: str
    ended: bool


class ExportedLogin(BaseModel):
    """One refresh token of an app login (the token itself is never kept, only its hash, and
    neither is exported); each refresh rotates it, so a login is a chain of them."""

    login: int = Field(description="Which login the token belongs to: 1 for the first")
    issued_at: datetime
    expires_at: datetime
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None


class ExportedLoginCode(BaseModel):
    """A login code sent to the citizen's number (the code is kept only as a hash)."""

    sent_at: datetime
    expires_at: datetime
    attempts: int
    used_at: datetime | None = None


class ExportedStaffAccess(BaseModel):
    """A staff read or change of the citizen's data, from the audit trail."""

    at: datetime
    role: str
    action: str
    subject: str
    reason: str


class ExportedApplication(BaseModel):
    id: int
    procedure_code: str
    channel: str
    status: str
    answers: dict[str, Any]
    created_at: datetime
    submitted_at: datetime | None = None
    refusal_reason: str


class ExportedDocument(BaseModel):
    """A file the citizen gave us (download it from its application)."""

    application_id: int
    id: int
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class Export(BaseModel):
    """Everything held about the citizen. Credentials are withheld: device tokens, and the
    hashes of refresh tokens, login codes and the CCCD number."""

    me: Me
    dossiers: list[ExportedDossier]
    dossier_events: list[ExportedEvent]
    appointments: list[ExportedAppointment]
    devices: list[ExportedDevice]
    messages: list[ExportedMessage]
    inbound_sms: list[ExportedInboundSms]
    ussd_sessions: list[ExportedUssdSession]
    logins: list[ExportedLogin]
    login_codes: list[ExportedLoginCode]
    staff_access: list[ExportedStaffAccess]
    applications: list[ExportedApplication]
    documents: list[ExportedDocument]

    @classmethod
    def of(cls, data: CitizenExport) -> Export:
        codes = {d.id: d.code for d in data.dossiers}
        logins: dict[str, int] = {}
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
                    promised_at=d.promised_at,
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
            inbound_sms=[
                ExportedInboundSms(
                    gateway=m.gateway, text=m.text, received_at=m.received_at, reply_id=m.reply_id
                )
                for m in data.inbound_sms
            ],
            ussd_sessions=[
                ExportedUssdSession(started_at=s.created_at, **_fields(s, ExportedUssdSession))
                for s in data.ussd_sessions
            ],
            logins=[
                ExportedLogin(
                    login=logins.setdefault(t.family_id, len(logins) + 1),
                    issued_at=t.created_at,
                    **_fields(t, ExportedLogin),
                )
                for t in data.logins
            ],
            login_codes=[
                ExportedLoginCode(sent_at=c.created_at, **_fields(c, ExportedLoginCode))
                for c in data.login_codes
            ],
            staff_access=[
                ExportedStaffAccess(at=a.created_at, **_fields(a, ExportedStaffAccess))
                for a in data.staff_access
            ],
            applications=[
                ExportedApplication(
                    procedure_code=a.procedure.code, **_fields(a, ExportedApplication)
                )
                for a in data.applications
            ],
            documents=[_of(d, ExportedDocument) for d in data.documents],
        )


def _fields(row: Any, model: type[BaseModel]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in model.model_fields if hasattr(row, name)}


def _of(row: Any, model: type[BaseModel]) -> Any:
    return model(**_fields(row, model))
