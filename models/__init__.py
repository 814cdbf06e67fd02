"""Tortoise models: the schema of mgov. Imports nothing above it."""

from models.agencies import Agency, Holiday, Office, Procedure
from models.applications import (
    Application,
    ApplicationDocument,
    ProcedureForm,
    SupplementRequest,
)
from models.appointments import Appointment, OfficeSlot
from models.auth import OtpCode, RefreshToken
from models.citizens import Citizen, ConsentRecord
from models.dossiers import Dossier, DossierEvent, DossierSequence
from models.integrations import IntegrationEvent
from models.outbox import Device, OutboxMessage
from models.sms import InboundMessage
from models.staff import AuditLog, StaffUser
from models.throttle import AttemptCounter
from models.ussd import UssdSession

__all__ = [
    "Agency",
    "Application",
    "ApplicationDocument",
    "Appointment",
    "AttemptCounter",
    "AuditLog",
    "Citizen",
    "ConsentRecord",
    "Device",
    "Dossier",
    "DossierEvent",
    "DossierSequence",
    "Holiday",
    "InboundMessage",
    "IntegrationEvent",
    "Office",
    "OfficeSlot",
    "OutboxMessage",
    "OtpCode",
    "Procedure",
    "ProcedureForm",
    "RefreshToken",
    "StaffUser",
    "SupplementRequest",
    "UssdSession",
]
