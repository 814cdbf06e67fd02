"""The SMS keyword grammar: one table, Vietnamese and English.

A message is folded before matching: diacritics dropped (composed or decomposed input, đ → d),
case ignored, every character that is not a letter or a digit read as a space. A keyword may
be typed with or without its inner spaces (`HO SO`, `HOSO`), and one that takes an argument
may be glued to it (`HUY12`). Anything that matches no row is UNKNOWN, which gets the help
reply: a citizen who texts us is never met with silence.
"""

from __future__ import annotations

import re
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
    spellings: tuple[str, ...]
    action: Action
    language: Language  # the language a keyword is written in: a new number's first language
    argument: Argument


KEYWORDS: tuple[Keyword, ...] = (
    Keyword(("HS", "HO SO", "TRA CUU", "TRA CUU HO SO"), Action.STATUS, Language.VI, Argument.CODE),
    Keyword(("STATUS", "CHECK"), Action.STATUS, Language.EN, Argument.CODE),
    Keyword(("LH", "LICH HEN", "XEM LICH HEN"), Action.APPOINTMENTS, Language.VI, Argument.IGNORED),
    Keyword(
        ("APPT", "APPTS", "APPOINTMENT", "APPOINTMENTS"),
        Action.APPOINTMENTS,
        Language.EN,
        Argument.IGNORED,
    ),
    Keyword(
        ("HUY", "HUY LH", "HUY LICH", "HUY LICH HEN"), Action.CANCEL, Language.VI, Argument.NUMBER
    ),
    Keyword(("CANCEL", "CANCEL APPT"), Action.CANCEL, Language.EN, Argument.NUMBER),
    Keyword(("TG", "TRO GIUP", "HUONG DAN"), Action.HELP, Language.VI, Argument.IGNORED),
    Keyword(("HELP", "INFO"), Action.HELP, Language.EN, Argument.IGNORED),
    Keyword(("TU CHOI", "HUY DK", "HUY DANG KY"), Action.STOP, Language.VI, Argument.IGNORED),
    Keyword(("STOP", "UNSUBSCRIBE"), Action.STOP, Language.EN, Argument.IGNORED),
    Keyword(("DK", "DANG KY"), Action.START, Language.VI, Argument.IGNORED),
    Keyword(("START", "SUBSCRIBE"), Action.START, Language.EN, Argument.IGNORED),
    Keyword(("EN", "ENGLISH", "TIENG ANH"), Action.ENGLISH, Language.EN, Argument.NONE),
    Keyword(("VI", "TIENG VIET", "VIETNAMESE"), Action.VIETNAMESE, Language.VI, Argument.NONE),
)

# Words people put between a keyword and a number: `HUY SO 12`, `cancel ref 12`, `huy ma 12`.
_NUMBER_FILLERS = frozenset({"SO", "MA", "REF", "NO", "ID", "LH"})
_SEPARATORS = re.compile(r"[^0-9A-Z]+")


@dataclass(frozen=True)
class Command:
    """A message understood: what to do, in which language it was asked, with what argument.
    `argument` is None when the keyword needs one and none usable was given."""

    action: Action
    language: Language
    argument: str | None = None


UNKNOWN = Command(Action.UNKNOWN, Language.VI)


def words_of(message: str) -> list[str]:
    """`Hồ sơ: h29.99-251123-0042` → `['HO', 'SO', 'H29', '99', '251123', '0042']`."""
    return _SEPARATORS.sub(" ", fold_diacritics(message).upper()).split()


def _compact(spelling: str) -> str:
    return spelling.replace(" ", "")


# Longest spellings first, so `HUY LICH HEN 12` is not read as `HUY` + `LICH HEN 12`.
_ORDERED: tuple[tuple[str, Keyword], ...] = tuple(
    sorted(
        ((_compact(s), k) for k in KEYWORDS for s in k.spellings),
        key=lambda pair: -len(pair[0]),
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
        for compact, keyword in _ORDERED:
            if glued and keyword.argument not in (Argument.CODE, Argument.NUMBER):
                continue
            rest = _glued_rest(words, compact) if glued else _rest_after(words, compact)
            if rest is None:
                continue
            matches, argument = _argument(keyword, rest)
            if matches:
                return Command(keyword.action, keyword.language, argument)
    return UNKNOWN
