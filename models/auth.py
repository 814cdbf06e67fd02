"""Logging in from the app: one-time codes sent by SMS, and refresh tokens that rotate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.citizens import Citizen


class OtpCode(Model):
    """A 6-digit login code for one number: only its keyed hash is kept, with expiry and tries."""

    id = fields.IntField(primary_key=True)
    phone = fields.CharField(max_length=16)
    code_hash = fields.CharField(max_length=64)
    expires_at = fields.DatetimeField()
    attempts = fields.SmallIntField(default=0)
    used_at = fields.DatetimeField(null=True)
    message_id = fields.UUIDField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "otp_code"
        indexes = (("phone", "created_at"),)


class RefreshToken(Model):
    """One link of a login's chain of refresh tokens. Each use rotates it, and presenting a
    rotated one again means it leaked: the whole family (the login) is revoked."""

    id = fields.IntField(primary_key=True)
    citizen: fields.ForeignKeyRelation[Citizen] = fields.ForeignKeyField(
        "models.Citizen", related_name="refresh_tokens", on_delete=fields.CASCADE
    )
    citizen_id: int
    family_id = fields.CharField(max_length=32, db_index=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    rotated_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "refresh_token"
