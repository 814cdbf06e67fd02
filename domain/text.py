"""Vietnamese text folded to plain ASCII, for search and for SMS that stays in GSM-7."""

from __future__ import annotations

import math
import re
import unicodedata

from domain import catalogue

_SPECIAL = str.maketrans({"đ": "d", "Đ": "D"})
_SPACES = re.compile(r"\s+")


def fold_diacritics(text: str) -> str:
    """`Đăng ký khai sinh` → `Dang ky khai sinh`, whether the input came composed or decomposed."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def search_key(text: str) -> str:
    """A case- and diacritic-insensitive key with single spaces, for stored search columns."""
    return _SPACES.sub(" ", fold_diacritics(text).casefold()).strip()


def minutes_in_words(seconds: float, language: str) -> str:
    """A wait as a person says it ("khoảng 12 phút", not "676 giây"), rounded up so nobody is
    told to try again before the lock has gone."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes == 1:
        return catalogue.text("time.about_one_minute", language)
    return catalogue.text("time.about_minutes", language, minutes=minutes)
