"""The city's back-office software pushes dossier changes: each signed, fresh, and applied once,
through the same receive and move functions as the counter, so the citizen is told as usual."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.citizens import register_citizen
from domain.dossiers.counter_desk import find_receiving_office, parse_status
from domain.dossiers.records import Actor, find_dossier_by_code, move_dossier, receive_dossier
from domain.errors import Conflict, DomainError
from domain.local_time import utc_now
from domain.procedures import get_procedure
from domain.staff.accounts import find_agency
from models import Dossier, IntegrationEvent
from models.enums import ActorKind, Language

SOURCE = "backoffice"
BACKOFFICE = Actor(ActorKind.INTEGRATION, SOURCE)
TIMESTAMP_TOLERANCE = timedelta(minutes=5)
SIGNATURE_PREFIX = "sha256="


class WebhookRefused(DomainError):
    status = 401


@dataclass(frozen=True)
class ReceiveOrder:
    """A dossier received elsewhere (online portal, another counter) to be registered here."""

    phone: str
    procedure_code: str
    agency_code: str | None = None
    office_id: int | None = None
    full_name: str = ""
    language: Language = Language.VI


@dataclass(frozen=True)
class MoveOrder:
    dossier_code: str
    to_status: str
    note: str = ""


def sign_body(*, secret: str, timestamp: str, body: bytes) -> str:
    """The signature a sender computes: HMAC-SHA256 over `<timestamp>.<raw body>`, in hex."""
    message = timestamp.encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify_signature(
    *, secret: str, timestamp: str, signature: str, body: bytes, now: datetime | None = None
) -> None:
    """Refuse a body not signed with the shared secret, or signed more than 5 minutes away
    from now (a captured request cannot be replayed later)."""
    # ASCII digits only: str.isdigit() also takes '¹', which int() refuses.
    if not re.fullmatch(r"[0-9]{1,12}", timestamp.strip()):
        raise WebhookRefused("webhook_timestamp_invalid", "timestamp header missing or malformed")
    sent_at = int(timestamp.strip())
    moment = (now or utc_now()).timestamp()
    if abs(moment - sent_at) > TIMESTAMP_TOLERANCE.total_seconds():
        raise WebhookRefused("webhook_timestamp_invalid", "timestamp outside the 5-minute window")
    expected = sign_body(secret=secret, timestamp=timestamp.strip(), body=body)
    if not hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("utf-8")):
        raise WebhookRefused("webhook_signature_invalid", "signature does not match the body")


async def _receive(order: ReceiveOrder) -> Dossier:
    agency = await find_agency(code=order.agency_code) if order.agency_code else None
    office = await find_receiving_office(agency=agency, office_id=order.office_id)
    procedure = await get_procedure(code=order.procedure_code)
    citizen = await register_citizen(
        phone=order.phone, full_name=order.full_name, language=order.language
    )
    return await receive_dossier(
        citizen=citizen, procedure=procedure, office=office, actor=BACKOFFICE
    )


async def _move(order: MoveOrder) -> Dossier:
    dossier = await find_dossier_by_code(code=order.dossier_code)
    return await move_dossier(
        dossier_id=dossier.id,
        to_status=parse_status(order.to_status),
        actor=BACKOFFICE,
        note=order.note,
    )


async def apply_backoffice_event(*, event_id: str, change: ReceiveOrder | MoveOrder) -> Dossier:
    """Apply one event once: the event row and the change commit together, and a second
    delivery of the same id is refused with the dossier the first one produced."""
    event_type = "dossier.received" if isinstance(change, ReceiveOrder) else "dossier.moved"
    try:
        async with in_transaction():
            event = await IntegrationEvent.create(
                source=SOURCE, event_id=event_id, event_type=event_type
            )
            dossier = await (
                _receive(change) if isinstance(change, ReceiveOrder) else _move(change)
            )
            event.dossier_code = dossier.code
            await event.save(update_fields=["dossier_code"])
    except IntegrityError:
        earlier = await IntegrationEvent.get_or_none(source=SOURCE, event_id=event_id)
        if earlier is None:
            raise
        raise Conflict(
            "webhook_event_replayed",
            "this event id was already applied",
            event_id=event_id,
            dossier_code=earlier.dossier_code,
        ) from None
    return dossier
