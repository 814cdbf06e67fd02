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
