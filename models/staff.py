"""Staff accounts and the audit trail of what they read and changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import StaffRole

if TYPE_CHECKING:
    from models.agencies import Agency
    from models.citizens import Citizen


class StaffUser(Model):
    """A call-centre agent, counter officer, supervisor or admin. Officers belong to one agency."""

    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    password_hash = fields.CharField(max_length=200)
    full_name = fields.CharField(max_length=200)
    role = fields.CharEnumField(StaffRole, max_length=16)
    agency: fields.ForeignKeyNullableRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="staff", null=True, on_delete=fields.RESTRICT
    )
    agency_id: int | None
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff_user"


class AuditLog(Model):
    """Append-only record of every staff read or change of a citizen's data, with the reason."""

    id = fields.IntField(primary_key=True)
    staff: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="audit_entries", null=True, on_delete=fields.RESTRICT
    )
    staff_id: int | None
    role = fields.CharField(max_length=16)
    action = fields.CharField(max_length=64)
    citizen: fields.ForeignKeyNullableRelation[Citizen] = fields.ForeignKeyField(
        "models.Citizen", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    citizen_id: int | None
    subject = fields.CharField(max_length=100, default="")
    reason = fields.CharField(max_length=500, default="")
    client_address = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_log"
        indexes = (("citizen_id", "created_at"), ("created_at",))
