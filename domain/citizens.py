"""Citizens: found or registered by phone number, whichever door they come through."""

from __future__ import annotations

import re

from domain.errors import InvalidInput
from domain.phones import normalise_phone
from domain.policy import keyed_hash
from models import Citizen
from models.enums import Language

_CCCD = re.compile(r"^\d{12}$")


async def find_citizen(*, phone: str) -> Citizen | None:
    """The citizen behind a number typed in any form, or None; never creates one."""
    return await Citizen.get_or_none(phone=normalise_phone(phone, mobile_only=False))


async def register_citizen(
    *, phone: str, full_name: str = "", language: Language = Language.VI
) -> Citizen:
    """Find or create the citizen for a verified number; safe when two doors race to create."""
    e164 = normalise_phone(phone)
    existing = await Citizen.get_or_none(phone=e164)
    if existing is not None:
        return existing
    # ON CONFLICT DO NOTHING, then read: the loser of a race gets the winner's row.
    await Citizen.bulk_create(
        [Citizen(phone=e164, full_name=full_name.strip(), language=language)],
        ignore_conflicts=True,
    )
    return await Citizen.get(phone=e164)


def _clean_cccd(cccd: str) -> str:
    digits = re.sub(r"[\s.-]", "", cccd)
    if not _CCCD.match(digits):
        raise InvalidInput("invalid_cccd", "a CCCD number has 12 digits", field="cccd")
    return digits


async def set_citizen_cccd(*, citizen: Citizen, cccd: str) -> Citizen:
    """Keep only what owner checks need: a keyed hash to match a full number, and the last 4."""
    digits = _clean_cccd(cccd)
    citizen.cccd_hash = keyed_hash(digits)
    citizen.cccd_last4 = digits[-4:]
    await citizen.save(update_fields=["cccd_hash", "cccd_last4", "updated_at"])
    return citizen
