"""Phones registered for push. A token is one app install: it follows whoever signed in last."""

from __future__ import annotations

from domain.errors import NotFound
from models import Citizen, Device


async def register_device(*, citizen: Citizen, platform: str, token: str) -> Device:
    """Upsert by token: a phone handed to someone else must not keep pushing the first owner's
    alerts to it."""
    device = await Device.get_or_none(token=token)
    if device is None:
        await Device.bulk_create(
            [Device(citizen=citizen, platform=platform, token=token)], ignore_conflicts=True
        )
        device = await Device.get(token=token)
    device.citizen_id = citizen.id
    device.platform = platform
    await device.save(update_fields=["citizen_id", "platform", "last_seen_at"])
    return device


async def remove_device(*, citizen: Citizen, token: str) -> None:
    """Signing out on a phone stops its push; another citizen's token is not found."""
    removed = await Device.filter(citizen=citizen, token=token).delete() if len(token) <= 512 else 0
    if not removed:
        raise NotFound("device_not_found", "no such device")
