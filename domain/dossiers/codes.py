"""Dossier codes (Circular 01/2018/TT-VPCP): `<agency code>-YYMMDD-NNNN`, typed on keypads.

A code is stored with two keys: letters and digits only (what survives a user who drops dots,
dashes and spaces) and digits only (all a USSD user can type without multi-tap).
"""

from __future__ import annotations

import re
from datetime import date

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_NOT_DIGIT = re.compile(r"\D")


def format_dossier_code(*, agency_code: str, day: date, number: int) -> str:
    return f"{agency_code}-{day:%y%m%d}-{number:04d}"


def code_lookup_key(raw: str) -> str:
    """`h29.99-251123-0042` and `H2999 251123 0042` both become `H29992511230042`."""
    return _NOT_ALNUM.sub("", raw.upper())


def code_digits_key(raw: str) -> str:
    return _NOT_DIGIT.sub("", raw)


def looks_like_dossier_code(raw: str) -> bool:
    """Whether text read alone (an SMS holding only a code) has a code's shape: agency letters
    and digits, a real YYMMDD date, a 4-digit number. A phone number (10 digits) or a CCCD (its
    "date" is no date) does not; an appointment reference is far too short."""
    key = code_lookup_key(raw)
    digits = code_digits_key(key)
    if not 12 <= len(digits) <= 24 or not key[-10:].isdigit():
        return False
    try:
        date(2000 + int(key[-10:-8]), int(key[-8:-6]), int(key[-6:-4]))
    except ValueError:
        return False
    return True
