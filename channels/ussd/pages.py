"""Screens cut to what a feature phone shows: 182 GSM-7 characters, `98` for the next page."""

from __future__ import annotations

from dataclasses import dataclass, field

from channels.ussd.hops import SCREEN_LIMIT
from notifications.sms_encoding import to_sms_text

BODY_LIMIT = SCREEN_LIMIT - len("CON ")


@dataclass(frozen=True)
class View:
    """What a screen shows before paging: `lines` are paged, `options` and the back line repeat
    on every page, `refs` are what the numbered lines stand for (stored for the next hop)."""

    lines: list[str]
    options: list[str] = field(default_factory=list)
    refs: list[object] | None = None
    end: bool = False
    back: bool = True


def _split_long(line: str, room: int) -> list[str]:
    """A line longer than a page is cut at spaces (or hard, for a word that long)."""
    pieces: list[str] = []
    current = ""
    for word in line.split(" "):
        while len(word) > room:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:room])
            word = word[room:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) > room:
            pieces.append(current)
            current = word
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def paginate(
    lines: list[str], footer: list[str], *, more: str, limit: int, back: str = ""
) -> list[str]:
    """Pack lines into pages of at most `limit` characters, each ending with the footer and the
    `back` line; every page but the last also offers `more`, just above `back`."""
    footer = [*footer, back] if back else footer
    whole = "\n".join([*lines, *footer])
    if len(whole) <= limit:
        return [whole]
    tail = "\n".join(footer)
    room = limit - len(tail) - len(more) - 2
    if room < 20:
        raise ValueError("footer leaves no room on the screen")
    chunks = [piece for line in lines for piece in _split_long(line, room)]
    pages: list[list[str]] = [[]]
    for chunk in chunks:
        page = pages[-1]
        if page and len("\n".join([*page, chunk])) > room:
            pages.append([chunk])
        else:
            page.append(chunk)
    result = []
    for number, page in enumerate(pages):
        extra = [more] if number < len(pages) - 1 else []
        ending = [*footer[:-1], *extra, footer[-1]] if back else [*footer, *extra]
        result.append("\n".join([*page, *ending]))
    return result


def fold(text: str) -> str:
    """USSD text is GSM-7: Vietnamese without diacritics."""
    return to_sms_text(text)


def end_text(lines: list[str]) -> str:
    """A closing screen: one page, cut if it ever grew too long."""
    text = fold("\n".join(lines))
    return text if len(text) <= BODY_LIMIT else text[: BODY_LIMIT - 3] + "..."
