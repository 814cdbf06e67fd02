"""Text shared by every door: Vietnamese folded to plain ASCII (for search and for SMS that
stays in GSM-7), and waits said in words."""

from __future__ import annotations

import math
import re
import unicodedata

from domain.catalogue import text

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
    """`676` → `khoảng 12 phút` / `about 12 minutes`: a person waits minutes, not `676 giây`.

    Rounded up, so whoever waits as told is never refused again; past two hours, whole hours."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes < 120:
        return text(
            "duration.minute" if minutes == 1 else "duration.minutes", language, count=minutes
        )
    return text("duration.hours", language, count=round(minutes / 60))


def shorten(value: str, limit: int) -> str:
    """Cut free text (an officer's note, an office or procedure name) so a summary keeps its
    size, at a word boundary: `Department of Construction one-stop...`, not `one-stop o...`.
    Only a first word longer than the room is cut inside."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    head = value[: limit - 3]
    if value[limit - 3] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,.;:-") + "..."
