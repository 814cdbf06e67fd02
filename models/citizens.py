"""Citizens and what they consented to."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.enums import ConsentPurpose, Language


class Citizen(Model):
    """A person known by a verified phone number. The CCCD is kept only as a keyed hash + last 4."""

    id = fields.IntField(primary_key=True)
    phone = fields.CharField(max_length=16, unique=True)
    full_name = fields.CharField(max_length=200, default="")
    language = fields.CharEnumField(Language, max_length=2, default=Language.VI)
    cccd_hash = fields.CharField(max_length=64, null=True, db_index=True)
    cccd_last4 = fields.CharField(max_length=4, null=True)
    sms_opt_out = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "citizen"


class ConsentRecord(Model):
    """Append-only: each grant or withdrawal is a new row, so the history can be printed."""

    id = fields.IntField(primary_key=True)
    citizen: fields.ForeignKeyRelation[Citizen] = fields.ForeignKeyField(
        "models.Citizen", related_name="consents", on_delete=fields.CASCADE
    )
    citizen_id: int
    purpose = fields.CharEnumField(ConsentPurpose, max_length=32)
    granted = fields.BooleanField()
    channel = fields.CharField(max_length=16)
    recorded_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "consent_record"
        indexes = (("citizen_id", "purpose", "recorded_at"),)
