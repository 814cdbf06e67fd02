"""Attempt counters behind rate limits, kept in the database so every web process shares them."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AttemptCounter(Model):
    """Attempts under one key in one fixed window (`window_start` in epoch seconds). The key is a
    keyed hash, so no phone number or address is stored here."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=64)
    window_start = fields.BigIntField()
    count = fields.IntField(default=0)

    class Meta:
        table = "attempt_counter"
        unique_together = (("key", "window_start"),)
        indexes = (("window_start",),)
