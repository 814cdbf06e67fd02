"""Bookable counter time: slots with a capacity, and citizens' appointments in them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import AppointmentStatus

if TYPE_CHECKING:
    from models.agencies import Office, Procedure
    from models.citizens import Citizen


class OfficeSlot(Model):
    """A time at a counter with room for `capacity` citizens. `booked` changes only atomically."""

    id = fields.IntField(primary_key=True)
    office: fields.ForeignKeyRelation[Office] = fields.ForeignKeyField(
        "models.Office", related_name="slots", on_delete=fields.CASCADE
    )
    office_id: int
    starts_at = fields.DatetimeField()
    duration_minutes = fields.IntField(default=30)
    capacity = fields.IntField()
    booked = fields.IntField(default=0)

    class Meta:
        table = "office_slot"
        unique_together = (("office_id", "starts_at"),)
        indexes = (("starts_at",),)


class Appointment(Model):
    """A citizen's seat in a slot. `active_key` is set while booked: the database refuses twins."""

    id = fields.IntField(primary_key=True)
    citizen: fields.ForeignKeyRelation[Citizen] = fields.ForeignKeyField(
        "models.Citizen", related_name="appointments", on_delete=fields.CASCADE
    )
    citizen_id: int
    slot: fields.ForeignKeyRelation[OfficeSlot] = fields.ForeignKeyField(
        "models.OfficeSlot", related_name="appointments", on_delete=fields.RESTRICT
    )
    slot_id: int
    procedure: fields.ForeignKeyNullableRelation[Procedure] = fields.ForeignKeyField(
        "models.Procedure", related_name="appointments", null=True, on_delete=fields.SET_NULL
    )
    procedure_id: int | None
    status = fields.CharEnumField(
        AppointmentStatus, max_length=16, default=AppointmentStatus.BOOKED
    )
    active_key = fields.CharField(max_length=40, null=True, unique=True)
    cancel_reason = fields.CharField(max_length=300, default="")
    reminders_sent = fields.SmallIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "appointment"
        indexes = (("citizen_id", "status"), ("status", "reminders_sent"))
