"""The SMS keyword grammar: one table, Vietnamese and English.

A message is folded before matching: diacritics dropped (composed or decomposed input, đ → d),
case ignored, every character that is not a letter or a digit read as a space. A keyword may
be typed with or without its inner spaces (`HO SO`, `HOSO`), and one that takes an argument
may be glued to it (`HUY12`). Anything that matches no row is UNKNOWN, which gets the help
reply: a citizen who texts us is never met with silence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum

from domain.text import fold_diacritics
from models.enums import Language


class Action(StrEnum):
    STATUS = "status"
    APPOINTMENTS = "appointments"
    CANCEL = "cancel"
    HELP = "help"
    STOP = "stop"
    START = "start"
    ENGLISH = "english"
    VIETNAMESE = "vietnamese"
    UNKNOWN = "unknown"


class Argument(Enum):
    CODE = "a dossier code, in any form find_dossier_by_code accepts"
    NUMBER = "an appointment reference: one whole number"
    IGNORED = "nothing needed; words after the keyword are ignored (STOP please)"
    NONE = "the keyword alone; `vi` and `en` also begin ordinary sentences"


@dataclass(frozen=True)
class Keyword:
    """One row of the grammar: an action, its spellings in each language (the language of a
    spelling is a new number's first language), and what the action takes. `changes` marks an
    action that changes something: its reply is the citizen's only confirmation, so no reply
    limit ever withholds it."""

    action: Action
    argument: Argument
    spellings: Mapping[Language, tuple[str, ...]]
    changes: bool = False


VI, EN = Language.VI, Language.EN
KEYWORDS: tuple[Keyword, ...] = (
    Keyword(
        Action.STATUS,
        Argument.CODE,
        {VI: ("HS", "HO SO", "TRA CUU", "TRA CUU HO SO"), EN: ("STATUS", "CHECK")},
    ),
    Keyword(
        Action.APPOINTMENTS,
        Argument.IGNORED,
        {
            VI: ("LH", "LICH HEN", "XEM LICH HEN"),
            EN: ("APPT", "APPTS", "APPOINTMENT", "APPOINTMENTS"),
        },
    ),
    Keyword(
        Action.CANCEL,
        Argument.NUMBER,
        {VI: ("HUY", "HUY LH", "HUY LICH", "HUY LICH HEN"), EN: ("CANCEL", "CANCEL APPT")},
        changes=True,
    ),
    Keyword(
        Action.HELP, Argument.IGNORED, {VI: ("TG", "TRO GIUP", "HUONG DAN"), EN: ("HELP", "INFO")}
    ),
    Keyword(
        Action.STOP,
        Argument.IGNORED,
        {VI: ("TU CHOI", "HUY DK", "HUY DANG KY"), EN: ("STOP", "UNSUBSCRIBE")},
        changes=True,
    ),
    Keyword(
        Action.START,
        Argument.IGNORED,
        {VI: ("DK", "DANG KY"), EN: ("START", "SUBSCRIBE")},
        changes=True,
    ),
    Keyword(
        Action.ENGLISH,
        Argument.NONE,
        {EN: ("EN", "ENGLISH"), VI: ("TIENG ANH",)},
        changes=True,
    ),
    Keyword(
        Action.VIETNAMESE,
        Argument.NONE,
        {VI: ("VI", "TIENG VIET"), EN: ("VIETNAMESE",)},
        changes=True,
    ),
)

# Words people put between a keyword and a number: `HUY SO 12`, `cancel ref 12`, `huy ma 12`.
_NUMBER_FILLERS = frozenset({"SO", "MA", "REF", "NO", "ID", "LH"})
_SEPARATORS = re.compile(r"[^0-9A-Z]+")


@dataclass(frozen=True)
class Command:
    """A message understood: what to do, in which language it was asked, with what argument.
    `argument` is None when the keyword needs one and none usable was given; `changes` says
    whether carrying it out changes something (a keyword without its argument changes nothing)."""

    action: Action
    language: Language
    argument: str | None = None
    changes: bool = False


UNKNOWN = Command(Action.UNKNOWN, Language.VI)


def words_of(message: str) -> list[str]:
    """`Hồ sơ: h29.99-251123-0042` → `['HO', 'SO', 'H29', '99', '251123', '0042']`."""
    return _SEPARATORS.sub(" ", fold_diacritics(message).upper()).split()


def _compact(spelling: str) -> str:
    return spelling.replace(" ", "")


# Longest spellings first, so `HUY LICH HEN 12` is not read as `HUY` + `LICH HEN 12`.
_ORDERED: tuple[tuple[str, Keyword, Language], ...] = tuple(
    sorted(
        (
            (_compact(spelling), keyword, language)
            for keyword in KEYWORDS
            for language, spellings in keyword.spellings.items()
            for spelling in spellings
        ),
        key=lambda row: -len(row[0]),
    )
)


def _rest_after(words: list[str], compact: str) -> list[str] | None:
    """The words after `compact`, typed with any split into words, or None if it is not there."""
    joined = ""
    for index, word in enumerate(words):
        joined += word
        if joined == compact:
            return words[index + 1 :]
        if not compact.startswith(joined):
            return None
    return None


def _glued_rest(words: list[str], compact: str) -> list[str] | None:
    """`HUY12`, `HSH29.99-…`: the argument typed without a space after the keyword."""
    if not words or not words[0].startswith(compact):
        return None
    tail = words[0][len(compact) :]
    if not any(ch.isdigit() for ch in tail):
        return None
    return [tail, *words[1:]]


def _argument(keyword: Keyword, rest: list[str]) -> tuple[bool, str | None]:
    """Whether the keyword matches with these trailing words, and its argument."""
    if keyword.argument is Argument.NONE:
        return not rest, None
    if keyword.argument is Argument.IGNORED:
        return True, None
    if keyword.argument is Argument.CODE:
        return True, " ".join(rest) or None
    numbers = [word for word in rest if word not in _NUMBER_FILLERS]
    if len(numbers) == 1 and numbers[0].isdigit() and len(numbers[0]) <= 9:
        return True, numbers[0]
    return True, None


def parse_command(message: str) -> Command:
    """What a citizen's text asks for; UNKNOWN when it matches no keyword."""
    words = words_of(message)
    for glued in (False, True):
        for compact, keyword, language in _ORDERED:
            if glued and keyword.argument not in (Argument.CODE, Argument.NUMBER):
                continue
            rest = _glued_rest(words, compact) if glued else _rest_after(words, compact)
            if rest is None:
                continue
            matches, argument = _argument(keyword, rest)
            if matches:
                changes = keyword.changes and (
                    argument is not None or keyword.argument is not Argument.NUMBER
                )
                return Command(keyword.action, language, argument, changes)
    return UNKNOWN
