"""Events pushed by other systems, remembered by their id so each is applied once."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class IntegrationEvent(Model):
    """One applied back-office event: a second delivery of the same id finds this row."""

    id = fields.IntField(primary_key=True)
    source = fields.CharField(max_length=32)
    event_id = fields.CharField(max_length=100)
    event_type = fields.CharField(max_length=32)
    dossier_code = fields.CharField(max_length=48, default="")
    received_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "integration_event"
        unique_together = (("source", "event_id"),)
