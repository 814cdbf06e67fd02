"""USSD sessions: where a feature-phone caller is in the menus, kept between hops in the database
so any web process serves the next hop, a gateway retry is answered from memory, and a dropped
session can be resumed for a few minutes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.citizens import Citizen


class UssdSession(Model):
    """One gateway session: the last text and reply answer a retried hop without redoing it, and
    the state holds the current screen's parameters and the stack that 0 walks back."""

    id = fields.IntField(primary_key=True)
    session_id = fields.CharField(max_length=100, unique=True)
    phone = fields.CharField(max_length=16)
    citizen: fields.ForeignKeyRelation[Citizen] = fields.ForeignKeyField(
        "models.Citizen", related_name="ussd_sessions", on_delete=fields.CASCADE
    )
    citizen_id: int
    screen = fields.CharField(max_length=32)
    state: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    language = fields.CharField(max_length=2)
    last_text = fields.TextField(default="")
    last_reply = fields.CharField(max_length=400, default="")
    hops = fields.IntField(default=0)
    ended = fields.BooleanField(default=False)
    resumable = fields.BooleanField(default=False)
    expires_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ussd_session"
        indexes = (("phone", "expires_at"), ("expires_at",))
