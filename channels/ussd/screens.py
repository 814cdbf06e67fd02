"""The vocabulary of the menu table: a screen renders a `View` and turns an input into a `Move`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from channels.ussd.pages import View
from domain.catalogue import text
from domain.errors import DomainError, TooManyRequests
from models import Citizen


@dataclass
class Hop:
    """What a screen may read: who calls, in which language, and the screen's parameters (with
    `refs`, what the numbered lines it last showed stand for)."""

    citizen: Citizen
    language: str
    params: dict[str, Any]

    def t(self, key: str, **params: Any) -> str:
        return text(key, self.language, **params)

    def ref(self, choice: str) -> Any | None:
        """What a typed number stands for on the last list shown, or None."""
        refs = self.params.get("refs") or []
        if (
            choice.isascii()
            and choice.isdigit()
            and len(choice) <= 3
            and 1 <= int(choice) <= len(refs)
        ):
            return refs[int(choice) - 1]
        return None


@dataclass(frozen=True)
class Hint:
    """A line above a screen shown again, saying what was wrong with the input."""

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Move:
    """Where an input leads: `go` pushes a screen, `done` shows one after a change (back then
    leads to the main menu), `hint` re-shows the screen (its `params` fill in the hint text),
    `restore` resumes a dropped session."""

    kind: str
    screen: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    hint: str = ""
    language: str | None = None


def go(screen: str, **params: Any) -> Move:
    return Move("go", screen, params)


def done(screen: str, *, language: str | None = None, **params: Any) -> Move:
    return Move("done", screen, params, language=language)


def hint(key: str, **values: Any) -> Move:
    return Move("hint", params=values, hint=key)


def failed(error: DomainError) -> Move:
    """A refusal from the domain (a full slot, an unknown code) is a screen of its own, `0` going
    back to where it happened. One that leaves tries (a wrong CCCD) asks again on the same
    screen, saying how many are left; a lockout ends the session, saying in minutes when to try
    again, since no key pressed before then can help."""
    if isinstance(error, TooManyRequests):
        return done("locked", code=error.code, seconds=error.retry_after)
    if "tries_left" in error.params:
        return hint(f"ussd.hint.{error.code}", **error.params)
    return go("error", code=error.code, values=error.params)


Render = Callable[[Hop], Awaitable[View]]
Handle = Callable[[Hop, str], Awaitable[Move]]


@dataclass(frozen=True)
class Screen:
    """One row of the menu table. `choices` are fixed keys leading to screens (the current
    parameters go along); `handle` takes any other input. An `effect` screen's input changes
    data, so it is processed under a row lock and once. A `resumable` screen is a step still to
    take in a flow already begun (a booking or a cancellation before its confirmation, a code
    awaiting the CCCD digits): only those are offered again when the caller redials after a
    drop, so a caller who merely looked at something gets the main menu, as they expect."""

    render: Render
    choices: Mapping[str, str] = field(default_factory=dict)
    handle: Handle | None = None
    effect: bool = False
    resumable: bool = False
