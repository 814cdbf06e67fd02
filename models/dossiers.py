"""Dossiers (hồ sơ), their append-only event history, and the per-day code sequence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import ActorKind, DossierStatus

if TYPE_CHECKING:
    from models.agencies import Office, Procedure
    from models.citizens import Citizen

# The longest dossier code, and so the longest key a code is looked up by.
CODE_MAX_LENGTH = 48


class Dossier(Model):
    """One citizen's application for one procedure, received at one office."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=CODE_MAX_LENGTH, unique=True)
    lookup_key = fields.CharField(max_length=CODE_MAX_LENGTH, unique=True)
    digits_key = fields.CharField(max_length=CODE_MAX_LENGTH, db_index=True)
    citizen: fields.ForeignKeyRelation[Citizen] = fields.ForeignKeyField(
        "models.Citizen", related_name="dossiers", on_delete=fields.RESTRICT
    )
    citizen_id: int
    procedure: fields.ForeignKeyRelation[Procedure] = fields.ForeignKeyField(
        "models.Procedure", related_name="dossiers", on_delete=fields.RESTRICT
    )
    procedure_id: int
    office: fields.ForeignKeyRelation[Office] = fields.ForeignKeyField(
        "models.Office", related_name="dossiers", on_delete=fields.RESTRICT
    )
    office_id: int
    status = fields.CharEnumField(DossierStatus, max_length=24, default=DossierStatus.RECEIVED)
    received_at = fields.DatetimeField()
    due_at = fields.DatetimeField()
    paused_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    apology_sent_at = fields.DatetimeField(null=True)
    promised_at = fields.DatetimeField(null=True)
    status_note = fields.CharField(max_length=500, default="")
    updated_at = fields.DatetimeField(auto_now=True)
    submitted_online = fields.BooleanField(default=False, db_default=False)
    # Written once when handling ends (not on withdrawal), so statistics sort a column.
    finished_late = fields.BooleanField(null=True)
    working_days_taken = fields.IntField(null=True)
    time_used_percent = fields.IntField(null=True)

    class Meta:
        table = "dossier"
        indexes = (
            ("citizen_id", "received_at"),
            ("status", "due_at"),
            ("received_at",),
            ("finished_at",),
            ("office_id", "received_at"),
            ("office_id", "finished_at"),
        )


class DossierEvent(Model):
    """Append-only history: who moved the dossier, when, from what to what, and why."""

    id = fields.IntField(primary_key=True)
    dossier: fields.ForeignKeyRelation[Dossier] = fields.ForeignKeyField(
        "models.Dossier", related_name="events", on_delete=fields.CASCADE
    )
    dossier_id: int
    from_status = fields.CharEnumField(DossierStatus, max_length=24, null=True)
    to_status = fields.CharEnumField(DossierStatus, max_length=24)
    actor_kind = fields.CharEnumField(ActorKind, max_length=16)
    actor = fields.CharField(max_length=100, default="")
    note = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "dossier_event"
        indexes = (("dossier_id", "created_at"),)


class DossierSequence(Model):
    """The last number handed out for one agency and receipt day, incremented under a row lock."""

    id = fields.IntField(primary_key=True)
    agency_code = fields.CharField(max_length=32)
    day = fields.DateField()
    last_number = fields.IntField(default=0)

    class Meta:
        table = "dossier_sequence"
        unique_together = (("agency_code", "day"),)
