"""Text messages citizens send us, kept once per gateway message id."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from models.enums import InboundOutcome

if TYPE_CHECKING:
    from models.citizens import Citizen
    from models.outbox import OutboxMessage


class InboundMessage(Model):
    """One message as the gateway delivered it. The unique (gateway, gateway message id) pair is
    what makes a retried callback, even two arriving at once, produce a single reply."""

    id = fields.UUIDField(primary_key=True)
    gateway = fields.CharField(max_length=32)
    gateway_message_id = fields.CharField(max_length=128)
    phone = fields.CharField(max_length=32)
    citizen: fields.ForeignKeyNullableRelation[Citizen] = fields.ForeignKeyField(
        "models.Citizen", related_name="inbound_sms", null=True, on_delete=fields.SET_NULL
    )
    citizen_id: int | None
    text = fields.CharField(max_length=1600)
    received_at = fields.DatetimeField()
    reply: fields.ForeignKeyNullableRelation[OutboxMessage] = fields.ForeignKeyField(
        "models.OutboxMessage", related_name="inbound", null=True, on_delete=fields.SET_NULL
    )
    reply_id: UUID | None
    # Null on rows kept before outcomes were recorded.
    outcome = fields.CharEnumField(InboundOutcome, max_length=16, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "inbound_sms"
        unique_together = (("gateway", "gateway_message_id"),)
        indexes = (("citizen_id", "received_at"),)
