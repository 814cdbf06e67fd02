"""The SMS keyword grammar: one table, Vietnamese and English.

A message is folded before matching: diacritics dropped (composed or decomposed input, đ → d),
case ignored, every character that is not a letter or a digit read as a space. A keyword may
be typed with or without its inner spaces (`HO SO`, `HOSO`), and one that takes an argument
may be glued to it (`HUY12`). A dossier code is only ever words that hold digits: `HS` with
words and no code asks for the sender's own dossiers.

A short message that starts with no keyword is read in plain language: a dossier code in it
asks for its status, else the earliest intent word of a row that changes nothing (`lich hen`,
`appointment`, `ho so`) picks that row. A row that changes something (cancel, STOP) is never
guessed. Anything else is UNKNOWN, which gets the help reply: a citizen who texts us is never
met with silence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum, StrEnum

from domain.dossiers.codes import looks_like_dossier_code
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
    REQUEST = "request"
    UNKNOWN = "unknown"


class Argument(Enum):
    CODE = "a dossier code in any form find_dossier_by_code accepts; without one, your dossiers"
    NUMBER = "an appointment reference: one whole number"
    IGNORED = "nothing needed; words after the keyword are ignored (STOP please)"
    NONE = "the keyword alone; `vi` and `en` also begin ordinary sentences"
    TEXT = "the rest of the message as typed, accents and `;` kept (a short code and answers)"


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
    # Words that show this intent anywhere in a short message with no keyword first.
    intents: Mapping[Language, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.changes and self.intents:
            raise ValueError(f"{self.action}: an action that changes something is never guessed")


VI, EN = Language.VI, Language.EN
KEYWORDS: tuple[Keyword, ...] = (
    Keyword(
        Action.STATUS,
        Argument.CODE,
        {VI: ("HS", "HO SO", "TRA CUU", "TRA CUU HO SO"), EN: ("STATUS", "CHECK")},
        intents={
            VI: ("HO SO", "TRA CUU", "KET QUA"),
            EN: ("DOSSIER", "DOSSIERS", "APPLICATION", "APPLICATIONS", "STATUS", "RESULT"),
        },
    ),
    Keyword(
        Action.APPOINTMENTS,
        Argument.IGNORED,
        {
            VI: ("LH", "LICH HEN", "XEM LICH HEN"),
            EN: ("APPT", "APPTS", "APPOINTMENT", "APPOINTMENTS"),
        },
        intents={
            VI: ("LICH HEN", "NGAY HEN", "GIO HEN"),
            EN: ("APPOINTMENT", "APPOINTMENTS", "APPT", "BOOKING", "BOOKINGS"),
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
    # Not `REQUEST`: our own texts begin `Request no. …`, and a phone echoing one back must not
    # read as a request (its reply confirms a change, so no reply limit would stop the echo).
    # For the same reason no reply to `NOP` begins with a spelling of it.
    Keyword(
        Action.REQUEST,
        Argument.TEXT,
        {VI: ("NOP", "NOP HO SO"), EN: ("APPLY", "SUBMIT")},
        changes=True,
    ),
)

# Longer texts are letters (a complaint, a story): they get the help reply, not a guess.
SHORT_MESSAGE_WORDS = 20
# Words people put between a keyword and a number: `HUY SO 12`, `cancel ref 12`, `huy ma 12`.
_NUMBER_FILLERS = frozenset({"SO", "MA", "REF", "NO", "ID", "LH"})
_SEPARATORS = re.compile(r"[^0-9A-Z]+")


@dataclass(frozen=True)
class Command:
    """A message understood: what to do, in which language it was asked, with what argument.
    `argument` is None when the keyword needs one and none usable was given; `changes` says
    whether carrying it out changes something (a keyword without its argument changes nothing).
    `typed` is the argument as the citizen typed it (for a `TEXT` keyword); `source` names the
    gateway message it came in, which a request uses as its idempotency key."""

    action: Action
    language: Language
    argument: str | None = None
    changes: bool = False
    typed: str = ""
    source: str = ""


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
    if keyword.argument is Argument.TEXT:
        return True, " ".join(rest) or None
    if keyword.argument is Argument.CODE:
        return True, _code_in(rest)
    numbers = [word for word in rest if word not in _NUMBER_FILLERS]
    if len(numbers) == 1 and numbers[0].isdigit() and len(numbers[0]) <= 9:
        return True, numbers[0]
    return True, None


def _code_in(words: list[str]) -> str | None:
    """The first run of words that hold digits: `HS cua toi H29 99 251123 0042 a` → the code.
    Words without a digit are never a code (`Ho so cua toi dau?` names none)."""
    start = next((i for i, word in enumerate(words) if any(c.isdigit() for c in word)), None)
    if start is None:
        return None
    end = start
    while end < len(words) and any(c.isdigit() for c in words[end]):
        end += 1
    return " ".join(words[start:end])


_INTENTS: tuple[tuple[tuple[str, ...], Keyword, Language], ...] = tuple(
    (tuple(phrase.split()), keyword, language)
    for keyword in KEYWORDS
    for language, phrases in keyword.intents.items()
    for phrase in phrases
)


def _earliest_intent(
    words: list[str], ignore: Action | None = None
) -> tuple[Keyword, Language] | None:
    """The row whose intent word comes first in the message (the longer phrase on a tie)."""
    found: list[tuple[int, int, Keyword, Language]] = []
    for phrase, keyword, language in _INTENTS:
        if keyword.action is ignore:
            continue
        size, compact = len(phrase), "".join(phrase)
        for index in range(len(words)):
            if tuple(words[index : index + size]) == phrase or words[index] == compact:
                found.append((index, -size, keyword, language))
                break
    if not found:
        return None
    _, _, keyword, language = min(found, key=lambda hit: hit[:2])
    return keyword, language


def _plain_language(words: list[str], *, ignore: Action | None = None) -> Command | None:
    """A short message with no keyword first: a code in it, else its earliest intent word."""
    if len(words) > SHORT_MESSAGE_WORDS:
        return None
    intent = _earliest_intent(words, ignore)
    code = _code_in(words)
    if code is not None and looks_like_dossier_code(code):
        return Command(Action.STATUS, intent[1] if intent else Language.VI, code)
    if intent is None:
        return None
    keyword, language = intent
    argument = code if keyword.argument is Argument.CODE else None
    return Command(keyword.action, language, argument)


def _typed_after(message: str, count: int) -> str:
    """The message as typed after its first `count` words (as `words_of` reads words): the
    answers of `NOP` keep their accents and their `;`."""
    message = unicodedata.normalize("NFC", message)
    seen, inside = 0, False
    for index, char in enumerate(message):
        in_word = bool(_SEPARATORS.sub("", fold_diacritics(char).upper()))
        if in_word and not inside:
            if seen == count:
                return message[index:].strip()
            seen += 1
        inside = in_word
    return ""


def parse_command(message: str) -> Command:
    """What a citizen's text asks for: a keyword first, else plain language, else UNKNOWN."""
    words = words_of(message)
    command = _leading_keyword(words)
    if command is not None and command.action is Action.REQUEST and command.argument:
        consumed = len(words) - len(command.argument.split())
        return replace(command, typed=_typed_after(message, consumed))
    if command is not None and command.action is Action.STATUS and command.argument is None:
        # `check my appointment`: a status keyword without a code defers to another intent.
        other = _plain_language(words, ignore=Action.STATUS)
        if other is not None and other.action is not Action.STATUS:
            return Command(other.action, command.language)
    return command or _plain_language(words) or UNKNOWN


def _leading_keyword(words: list[str]) -> Command | None:
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
                    argument is not None or keyword.argument not in (Argument.NUMBER, Argument.TEXT)
                )
                return Command(keyword.action, language, argument, changes)
    return None
