"""The vocabulary of the menu table: a screen renders a `View` and turns an input into a `Move`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from channels.ussd.pages import View
from domain.catalogue import has_text, text
from domain.errors import DomainError
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
class Move:
    """Where an input leads: `go` pushes a screen, `done` shows one after a change (back then
    leads to the main menu), `hint` re-shows the screen, `restore` resumes a dropped session."""

    kind: str
    screen: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    hint: str = ""
    language: str | None = None


def go(screen: str, **params: Any) -> Move:
    return Move("go", screen, params)


def done(screen: str, *, language: str | None = None, **params: Any) -> Move:
    return Move("done", screen, params, language=language)


def hint(key: str) -> Move:
    return Move("hint", hint=key)


def failed(error: DomainError) -> Move:
    """A refusal from the domain (slot full, wrong CCCD, too many tries) is a screen of its own;
    `0` goes back to where it happened."""
    return go("error", code=error.code, values=error.params)


def error_text(hop: Hop) -> str:
    key = f"error.{hop.params.get('code')}"
    return hop.t(key, **hop.params.get("values", {})) if has_text(key) else hop.t("error.internal")


Render = Callable[[Hop], Awaitable[View]]
Handle = Callable[[Hop, str], Awaitable[Move]]


@dataclass(frozen=True)
class Screen:
    """One row of the menu table. `choices` are fixed keys leading to screens (the current
    parameters go along); `handle` takes any other input. An `effect` screen's input changes
    data, so it is processed under a row lock and once. `resumable` screens are offered again
    when the caller redials after a drop."""

    render: Render
    choices: Mapping[str, str] = field(default_factory=dict)
    handle: Handle | None = None
    effect: bool = False
    resumable: bool = True
