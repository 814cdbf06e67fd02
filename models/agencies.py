"""Who handles what, and where: agencies, their one-stop counters, procedures and holidays."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.enums import AgencyLevel, OnlineLevel


class Agency(Model):
    """A Department, a ward People's Committee… The hierarchy is data because mergers rename it."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name_vi = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200)
    level = fields.CharEnumField(AgencyLevel, max_length=16)
    parent: fields.ForeignKeyNullableRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    parent_id: int | None
    is_active = fields.BooleanField(default=True)

    class Meta:
        table = "agency"


class Office(Model):
    """A one-stop-shop counter (bộ phận một cửa) where dossiers are received and returned."""

    id = fields.IntField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="offices", on_delete=fields.RESTRICT
    )
    agency_id: int
    name_vi = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200)
    address = fields.CharField(max_length=300)
    is_active = fields.BooleanField(default=True)

    class Meta:
        table = "office"


class Procedure(Model):
    """An administrative procedure (thủ tục hành chính) with its statutory processing time."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name_vi = fields.CharField(max_length=300)
    name_en = fields.CharField(max_length=300)
    search_text = fields.CharField(max_length=700, db_index=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="procedures", on_delete=fields.RESTRICT
    )
    agency_id: int
    processing_days = fields.IntField()
    fee_vnd = fields.IntField(default=0)
    online_level = fields.CharEnumField(OnlineLevel, max_length=16)
    # Requestable from a basic phone (USSD, SMS `NOP <short_code>`): no papers beyond identity.
    short_code = fields.CharField(max_length=16, null=True, unique=True)
    basic_phone = fields.BooleanField(default=False, db_default=False)
    needs_cccd = fields.BooleanField(default=False, db_default=False)
    is_active = fields.BooleanField(default=True)

    class Meta:
        table = "procedure"


class Holiday(Model):
    """A public holiday (Tết included), data per year, because lunar dates move."""

    day = fields.DateField(primary_key=True)
    name_vi = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200)

    class Meta:
        table = "holiday"
