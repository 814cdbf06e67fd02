"""Screens cut to what a feature phone shows: 182 GSM-7 characters, `98` for the next page."""

from __future__ import annotations

from dataclasses import dataclass, field

from channels.ussd.hops import SCREEN_LIMIT
from domain.sms_text import to_sms_text

BODY_LIMIT = SCREEN_LIMIT - len("CON ")
# Room kept on every page for a hint shown above it (`Lua chon khong hop le.`), newline included.
HINT_ROOM = 48


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


@dataclass(frozen=True)
class Page:
    """One page as shown, hint included: `start` is the piece it begins with and `next` the one
    `98` continues from (None on the last page)."""

    text: str
    start: int
    next: int | None


def pieces(lines: list[str], tail: str, *, more: str) -> list[str]:
    """The lines cut to what the narrowest page holds (one with a hint above it), so a page
    start names the same piece whether or not the page before it had a hint."""
    room = BODY_LIMIT - HINT_ROOM - len(tail) - len(more) - 2
    if room < 20:
        raise ValueError("footer leaves no room on the screen")
    return [piece for line in lines for piece in _split_long(line, room)]


def page_of(
    lines: list[str],
    footer: list[str],
    *,
    more: str,
    back: str = "",
    start: int = 0,
    hint: str = "",
) -> Page:
    """The page beginning at piece `start`: the hint above, then the footer, with `more` just
    above the `back` line when pieces are left. The hint counts against the page, so what it
    pushes off is where `98` goes on: no item is skipped because a hint was shown."""
    if len(hint) + 1 > HINT_ROOM:
        raise ValueError(f"hint longer than {HINT_ROOM - 1} characters: {hint!r}")
    above = [hint] if hint else []
    whole = "\n".join([*above, *lines, *footer, *([back] if back else [])])
    if start == 0 and len(whole) <= BODY_LIMIT:
        return Page(whole, 0, None)
    tail = "\n".join([*footer, *([back] if back else [])])
    chunks = pieces(lines, tail, more=more)
    start = start if 0 <= start < len(chunks) else 0  # the list shrank since: from the top
    room = BODY_LIMIT - len("\n".join([*above, tail])) - 1  # for the pieces, without `more`
    taken: list[str] = []
    for chunk in chunks[start:]:
        if len("\n".join([*taken, chunk])) > room - len(more) - 1:
            break
        taken.append(chunk)
    rest = chunks[start + len(taken) :]
    if rest and len("\n".join([*taken, *rest])) <= room:
        taken, rest = [*taken, *rest], []  # what is left fits where `98` would have gone
    ending = [*footer, *([more] if rest else []), *([back] if back else [])]
    return Page("\n".join([*above, *taken, *ending]), start, start + len(taken) if rest else None)


def room_beside(lines: list[str], *, back: str) -> int:
    """What one page still holds for another line beside these and the back line."""
    return BODY_LIMIT - len("\n".join([*(fold(line) for line in lines), fold(back)])) - 1


def fold(text: str) -> str:
    """USSD text is GSM-7: Vietnamese without diacritics."""
    return to_sms_text(text)


def end_text(lines: list[str]) -> str:
    """A closing screen: one page, cut if it ever grew too long."""
    text = fold("\n".join(lines))
    return text if len(text) <= BODY_LIMIT else text[: BODY_LIMIT - 3] + "..."
