"""A citizen's own account from the app: name, language, alert choices, consent history, and
the export of everything held about them (Personal Data Protection Law: the right to see it)."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from domain.alerts.choices import has_consent, record_consent
from models import (
    Application,
    ApplicationDocument,
    Appointment,
    AuditLog,
    Citizen,
    ConsentRecord,
    Device,
    Dossier,
    DossierEvent,
    InboundMessage,
    OtpCode,
    OutboxMessage,
    RefreshToken,
    UssdSession,
)
from models.enums import ConsentPurpose, Language

APP_CHANNEL = "app"


@dataclass(frozen=True)
class Profile:
    citizen: Citizen
    push_alerts: bool
    sms_alerts: bool
    consents: list[ConsentRecord]


@dataclass(frozen=True)
class CitizenExport:
    """Every row mgov keeps about one citizen: each model with a citizen key, and login codes
    (kept by phone number). Doors render it without credentials: no token, code or hash."""

    profile: Profile
    dossiers: list[Dossier]
    events: list[DossierEvent]
    appointments: list[Appointment]
    devices: list[Device]
    messages: list[OutboxMessage]
    inbound_sms: list[InboundMessage]
    ussd_sessions: list[UssdSession]
    logins: list[RefreshToken]
    login_codes: list[OtpCode]
    staff_access: list[AuditLog]
    applications: list[Application]
    documents: list[ApplicationDocument]


async def load_profile(*, citizen: Citizen) -> Profile:
    """What the app's account screen shows: who, which alerts, and every consent given."""
    consents = await ConsentRecord.filter(citizen=citizen).order_by("recorded_at", "id")
    return Profile(
        citizen=citizen,
        push_alerts=await has_consent(citizen=citizen, purpose=ConsentPurpose.PUSH_ALERTS),
        sms_alerts=not citizen.sms_opt_out,
        consents=list(consents),
    )


async def update_profile(
    *,
    citizen: Citizen,
    full_name: str | None = None,
    language: Language | None = None,
    push_alerts: bool | None = None,
    sms_alerts: bool | None = None,
    personal_data: bool | None = None,
) -> Profile:
    """Change only what was sent; each alert or consent choice is kept as history."""
    async with in_transaction():
        changed = []
        if full_name is not None:
            citizen.full_name = full_name.strip()
            changed.append("full_name")
        if language is not None:
            citizen.language = language
            changed.append("language")
        if changed:
            await citizen.save(update_fields=[*changed, "updated_at"])
        choices = (
            (ConsentPurpose.PUSH_ALERTS, push_alerts),
            (ConsentPurpose.SMS_ALERTS, sms_alerts),
            (ConsentPurpose.PERSONAL_DATA, personal_data),
        )
        for purpose, granted in choices:
            if granted is not None:
                await record_consent(
                    citizen=citizen, purpose=purpose, granted=granted, channel=APP_CHANNEL
                )
    return await load_profile(citizen=citizen)


async def export_citizen_data(*, citizen: Citizen) -> CitizenExport:
    """Everything mgov holds about one citizen, in one answer they can keep."""
    dossiers = await Dossier.filter(citizen=citizen).order_by("id").prefetch_related("procedure")
    return CitizenExport(
        profile=await load_profile(citizen=citizen),
        dossiers=list(dossiers),
        events=list(
            await DossierEvent.filter(dossier__citizen=citizen).order_by("dossier_id", "id")
        ),
        appointments=list(await Appointment.filter(citizen=citizen).order_by("id")),
        devices=list(await Device.filter(citizen=citizen).order_by("id")),
        messages=list(await OutboxMessage.filter(citizen=citizen).order_by("created_at", "id")),
        inbound_sms=list(
            await InboundMessage.filter(citizen=citizen).order_by("received_at", "created_at")
        ),
        ussd_sessions=list(await UssdSession.filter(citizen=citizen).order_by("id")),
        logins=list(await RefreshToken.filter(citizen=citizen).order_by("id")),
        login_codes=list(await OtpCode.filter(phone=citizen.phone).order_by("id")),
        staff_access=list(await AuditLog.filter(citizen=citizen).order_by("id")),
        applications=list(
            await Application.filter(citizen=citizen).order_by("id").prefetch_related("procedure")
        ),
        documents=list(
            await ApplicationDocument.filter(application__citizen=citizen).order_by("id")
        ),
    )
