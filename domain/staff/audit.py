"""The audit trail: every staff read or change of a citizen's data, with who, why and from where.

Rows are only ever added: this module has no function that changes or deletes one, and no door
offers such a thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from models import AuditLog, Citizen, StaffUser

REASON_LENGTH = 500


@dataclass(frozen=True)
class StaffCaller:
    """A staff member acting through a door, and the address the request came from."""

    user: StaffUser
    address: str = ""


async def record_audit(
    *,
    caller: StaffCaller,
    action: str,
    citizen: Citizen | None = None,
    subject: str = "",
    reason: str = "",
) -> AuditLog:
    """Write one row of the trail; called inside the transaction of the change it records."""
    return await AuditLog.create(
        staff=caller.user,
        role=str(caller.user.role),
        action=action,
        citizen=citizen,
        subject=subject[:100],
        reason=reason.strip()[:REASON_LENGTH],
        client_address=caller.address[:64],
    )


async def list_audit(
    *,
    citizen_id: int | None = None,
    staff_id: int | None = None,
    action: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[AuditLog]:
    """Newest first, in pages keyed by id, for the admins who answer for staff conduct."""
    query = AuditLog.all()
    if citizen_id is not None:
        query = query.filter(citizen_id=citizen_id)
    if staff_id is not None:
        query = query.filter(staff_id=staff_id)
    if action:
        query = query.filter(action=action)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return await query.order_by("-id").limit(limit).prefetch_related("staff")
