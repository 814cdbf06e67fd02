"""Phone numbers as callers type them, turned into the one E.164 form we store and key on."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from domain.errors import InvalidInput
from domain.policy import current_policy

# Since 15 Sep 2018 mobile numbers have 10 digits; the last 7 digits stayed the same.
LEGACY_MOBILE_PREFIXES: dict[str, str] = {
    **{f"016{d}": f"03{d}" for d in "23456789"},
    "0120": "070",
    "0121": "079",
    "0122": "077",
    "0126": "076",
    "0128": "078",
    "0123": "083",
    "0124": "084",
    "0125": "085",
    "0127": "081",
    "0129": "082",
    "0186": "056",
    "0188": "058",
    "0199": "059",
}

_KEEP = re.compile(r"[^\d+]")


def _national_form(raw: str) -> str:
    """Digits in the national form (leading 0) when the input is Vietnamese, else as typed."""
    compact = _KEEP.sub("", raw)
    if compact.startswith("+84"):
        return "0" + compact[3:]
    if compact.startswith("0084"):
        return "0" + compact[4:]
    if compact.startswith("84") and len(compact) in (11, 12):
        return "0" + compact[2:]
    return compact


def _map_legacy(national: str) -> str:
    if len(national) == 11:
        mapped = LEGACY_MOBILE_PREFIXES.get(national[:4])
        if mapped:
            return mapped + national[4:]
    return national


_MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def normalise_phone(raw: str, *, mobile_only: bool = True) -> str:
    """The E.164 form of a number as a citizen or an agent types it, old 11-digit forms included.

    Citizens are reached by SMS, so by default a landline is refused as clearly as a typo.
    """
    if not raw or len(raw) > 32:
        raise InvalidInput("invalid_phone", "phone number is empty or too long", field="phone")
    national = _map_legacy(_national_form(raw.strip()))
    try:
        parsed = phonenumbers.parse(national, "VN")
    except phonenumbers.NumberParseException:
        raise InvalidInput("invalid_phone", "not a phone number", field="phone") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput("invalid_phone", "not a valid phone number", field="phone")
    if mobile_only and phonenumbers.number_type(parsed) not in _MOBILE_TYPES:
        raise InvalidInput("phone_not_mobile", "not a mobile number", field="phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def can_text(e164: str) -> bool:
    """Whether we send SMS to this stored number: a mobile of a region the city pays to reach
    (`MGOV_ALLOWED_PHONE_REGIONS`, Vietnam by default). An SMS abroad costs many local ones,
    and anyone may type a foreign number into the login form or text us from abroad."""
    region, mobile = _region_of(e164)
    return mobile and region in current_policy().phone_regions


@lru_cache(maxsize=4096)
def _region_of(e164: str) -> tuple[str | None, bool]:
    """A number's region and whether it is a mobile; cached, as the worker asks for each SMS."""
    try:
        parsed = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return None, False
    mobile = phonenumbers.number_type(parsed) in _MOBILE_TYPES
    return phonenumbers.region_code_for_number(parsed), mobile


def normalise_textable_phone(raw: str) -> str:
    """The E.164 form of a number we are about to text (a login code): refused, as a field
    error on `phone`, when it is not a mobile of an allowed region."""
    e164 = normalise_phone(raw)
    if not can_text(e164):
        raise InvalidInput("phone_not_served", "no SMS goes to this number", field="phone")
    return e164


def mask_phone(phone: str) -> str:
    """What logs may hold of a number: country and operator prefix, and the last three digits."""
    if len(phone) < 8:
        return "****"
    return f"{phone[:5]}****{phone[-3:]}"
