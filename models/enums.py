"""Enumerations stored in the database; their values are part of the schema and the API."""

from __future__ import annotations

from enum import StrEnum


class AgencyLevel(StrEnum):
    CITY = "city"
    DEPARTMENT = "department"
    WARD = "ward"


class OnlineLevel(StrEnum):
    """How much of a procedure a citizen can do online: nothing (`counter`), submit online with
    the result or fee at the counter (`partial`), or all of it (`full`, toàn trình)."""

    FULL = "full"
    PARTIAL = "partial"
    COUNTER = "counter"


class Language(StrEnum):
    VI = "vi"
    EN = "en"


class DossierStatus(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    NEEDS_SUPPLEMENT = "needs_supplement"
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ApplicationChannel(StrEnum):
    """The door an application came through: the app, or a basic phone's USSD menu or SMS."""

    APP = "app"
    USSD = "ussd"
    SMS = "sms"


class ActorKind(StrEnum):
    CITIZEN = "citizen"
    STAFF = "staff"
    SYSTEM = "system"
    INTEGRATION = "integration"


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class StaffRole(StrEnum):
    AGENT = "agent"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Channel(StrEnum):
    SMS = "sms"
    PUSH = "push"


class Priority(StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


class ConsentPurpose(StrEnum):
    """What a citizen agreed to; essential messages (OTP, receipts) need no consent."""

    PERSONAL_DATA = "personal_data"
    SMS_ALERTS = "sms_alerts"
    PUSH_ALERTS = "push_alerts"


class InboundOutcome(StrEnum):
    """What became of a citizen's text: staff read it to answer "I texted and got nothing"."""

    ANSWERED = "answered"
    CAPPED = "capped"  # past the hourly reply limit, and it changed nothing: not answered
    UNANSWERED = "unanswered"  # nothing to say (a repeated STOP)
    NOT_TEXTED = "not_texted"  # a landline or a number abroad: we send it no SMS
