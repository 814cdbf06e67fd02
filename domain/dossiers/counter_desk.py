"""The one-stop counter: an officer registers a dossier a citizen brings in, and moves dossiers
of their own agency through the lifecycle. Each change is audited with the officer's reason."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from domain.citizens import register_citizen
from domain.dossiers.records import Actor, find_dossier_by_code, move_dossier, receive_dossier
from domain.errors import InvalidInput, NotFound
from domain.procedures import get_procedure
from domain.staff.accounts import require_agency, require_permission
from domain.staff.audit import StaffCaller, record_audit
from models import Agency, Dossier, Office
from models.enums import ActorKind, DossierStatus, Language, StaffRole


async def find_receiving_office(*, agency: Agency | None, office_id: int | None) -> Office:
    """The counter a dossier is received at: the one named, or the agency's first active one."""
    query = Office.filter(is_active=True)
    if office_id is not None:
        query = query.filter(id=office_id)
    if agency is not None:
        query = query.filter(agency=agency)
    elif office_id is None:
        raise InvalidInput(
            "office_required", "name the office that receives the dossier", field="office_id"
        )
    office = await query.order_by("id").first().prefetch_related("agency")
    if office is None:
        raise NotFound("office_not_found", "no such office")
    return office


def staff_actor(caller: StaffCaller) -> Actor:
    return Actor(ActorKind.STAFF, caller.user.username)


def parse_status(value: str) -> DossierStatus:
    try:
        return DossierStatus(value.strip().lower())
    except ValueError:
        raise InvalidInput(
            "invalid_status", "not a dossier status", field="to_status", value=value
        ) from None


async def register_at_counter(
    *,
    caller: StaffCaller,
    phone: str,
    procedure_code: str,
    office_id: int | None = None,
    full_name: str = "",
    language: Language = Language.VI,
) -> Dossier:
    """A citizen hands in papers: they get a code and a result date, on paper and by SMS."""
    require_permission(caller.user, "dossier.register")
    agency = None
    if caller.user.role == StaffRole.OFFICER:
        agency = caller.user.agency  # fetched with the account (get_active_staff)
    office = await find_receiving_office(agency=agency, office_id=office_id)
    procedure = await get_procedure(code=procedure_code)
    async with in_transaction():
        citizen = await register_citizen(phone=phone, full_name=full_name, language=language)
        dossier = await receive_dossier(
            citizen=citizen, procedure=procedure, office=office, actor=staff_actor(caller)
        )
        await record_audit(
            caller=caller, action="dossier.register", citizen=citizen, subject=dossier.code
        )
    return dossier


async def move_as_staff(
    *, caller: StaffCaller, code: str, to_status: str, reason: str = ""
) -> Dossier:
    """Move a dossier of the officer's own agency; the citizen hears about it as usual."""
    require_permission(caller.user, "dossier.move")
    status = parse_status(to_status)
    dossier = await find_dossier_by_code(code=code)
    office: Office = await dossier.office
    require_agency(caller.user, office.agency_id)
    async with in_transaction():
        moved = await move_dossier(
            dossier_id=dossier.id, to_status=status, actor=staff_actor(caller), note=reason
        )
        await record_audit(
            caller=caller,
            action="dossier.move",
            citizen=await moved.citizen,
            subject=f"{moved.code}:{status.value}",
            reason=reason,
        )
    return moved
