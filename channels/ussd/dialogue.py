"""One USSD hop: find the caller's place in the menus, apply the key presses, answer one screen.

A hop costs one read of the session (with its citizen) and one write, plus what the screen asks
of `domain/`. The answer is stored with the text that produced it, so a gateway retry of the
same hop gets the same screen back and changes nothing; hops on an `effect` screen (confirming a
booking or a cancellation) run in a transaction that re-reads the session under a row lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tortoise.transactions import in_transaction

from channels.ussd.hops import UssdReply, UssdRequest
from channels.ussd.menus import MAIN, SCREENS
from channels.ussd.pages import View, end_text, fold, page_of
from channels.ussd.screens import Hint, Hop, Move
from domain.catalogue import error_text
from domain.errors import DomainError
from domain.ussd_sessions import (
    load_ussd_session,
    new_ussd_session,
    open_ussd_caller,
    save_ussd_session,
)
from models import UssdSession

BACK, HOME, MORE = "0", "00", "98"
_TRANSIENT = ("refs",)


@dataclass
class Place:
    """Where the caller is: a screen, its parameters, the way back, and the pages shown (where
    each began, the current one last, and where `98` goes on; None on the last page)."""

    screen: str
    params: dict[str, Any] = field(default_factory=dict)
    stack: list[list[Any]] = field(default_factory=list)
    starts: list[int] = field(default_factory=lambda: [0])
    next: int | None = None
    ended: bool = False

    @classmethod
    def of(cls, session: UssdSession) -> Place:
        state = session.state or {}
        return cls(
            screen=session.screen if session.screen in SCREENS else MAIN,
            params=dict(state.get("params", {})),
            stack=list(state.get("stack", [])),
            starts=[int(n) for n in state.get("starts", [])] or [0],
            next=state.get("next"),
            ended=session.ended,
        )

    def state(self) -> dict[str, Any]:
        return {
            "params": self.params,
            "stack": self.stack,
            "starts": self.starts,
            "next": self.next,
        }

    def enter(self, screen: str, params: dict[str, Any], *, push: bool) -> None:
        if push:
            kept = {k: v for k, v in self.params.items() if k not in _TRANSIENT}
            self.stack.append([self.screen, kept, self.starts])
        self.screen, self.params, self.starts, self.next = screen, dict(params), [0], None


def _reply_of(session: UssdSession) -> UssdReply:
    return UssdReply(session.last_reply, session.ended, session.language)


async def answer_hop(request: UssdRequest) -> UssdReply:
    """The screen for this hop; the same hop twice gets the same screen, acting once."""
    if request.new_session:
        # Most first hops are new sessions: no read. A retried one meets its twin at the insert.
        return await _start(request)
    session = await load_ussd_session(session_id=request.session_id)
    if session is None:
        return await _start(request)
    inputs = _new_inputs(session, request)
    if inputs is None or session.ended:
        return _reply_of(session)
    if not SCREENS[Place.of(session).screen].effect:
        await _advance(session, inputs, request)
        await save_ussd_session(session=session)
        return _reply_of(session)
    async with in_transaction():
        locked = await load_ussd_session(session_id=request.session_id, lock=True)
        if locked is None or locked.hops != session.hops:
            return _reply_of(locked or session)
        await _advance(session, inputs, request)
        await save_ussd_session(session=session)
    return _reply_of(session)


def _hop_key(request: UssdRequest) -> str:
    if request.cumulative:
        return "*".join(request.inputs)
    return request.hop_id or ""


def _new_inputs(session: UssdSession, request: UssdRequest) -> list[str] | None:
    """The key presses this hop adds, or None when it repeats (or predates) the last one."""
    if not request.cumulative:
        if request.new_session or (request.hop_id and request.hop_id == session.last_text):
            return None
        return [request.inputs[-1] if request.inputs else ""]
    text = _hop_key(request)
    if text == session.last_text:
        return None
    prefix = f"{session.last_text}*" if session.last_text else ""
    if not text.startswith(prefix):
        return None
    return text[len(prefix) :].split("*")


async def _start(request: UssdRequest) -> UssdReply:
    """A new session: the caller becomes a citizen on first use (the network vouched for the
    number) and is offered to resume a session that dropped mid-flow."""
    try:
        citizen, dropped = await open_ussd_caller(phone=request.phone)
    except DomainError as error:
        return UssdReply(end_text([error_text(error.code)]), end=True)
    session = new_ussd_session(
        session_id=request.session_id,
        citizen=citizen,
        screen="resume" if dropped else MAIN,
    )
    if dropped is not None:
        session.state = {"params": {"from": dropped}}
    inputs = list(request.inputs) if request.cumulative else []
    await _advance(session, inputs, request)
    if not await save_ussd_session(session=session):
        twin = await load_ussd_session(session_id=request.session_id)
        return _reply_of(twin or session)
    return _reply_of(session)


async def _advance(session: UssdSession, inputs: list[str], request: UssdRequest) -> None:
    """Apply the key presses, render the screen they lead to, and record it on the session."""
    place = Place.of(session)
    hop = Hop(citizen=session.citizen, language=session.language, params=place.params)
    hint: Hint | None = None
    for raw in inputs:
        hint = await _press(place, hop, raw.strip())
        if place.ended:
            break
    view = await _render(place, hop)
    session.screen = place.screen
    session.language = hop.language
    session.last_reply = _screen_text(place, hop, view, hint)
    session.ended = place.ended
    session.state = place.state()
    session.last_text = _hop_key(request)
    session.hops += 1
    session.resumable = SCREENS[place.screen].resumable and not place.ended


async def _render(place: Place, hop: Hop) -> View:
    hop.params = place.params
    view = await SCREENS[place.screen].render(hop)
    if view.refs is not None:
        place.params["refs"] = view.refs
    place.ended = view.end
    return view


async def _press(place: Place, hop: Hop, key: str) -> Hint | None:
    """One key press; returns the hint to show above the screen when it was not understood.
    `0` goes back a page before it goes back a screen; `00` is always the main menu."""
    screen = SCREENS[place.screen]
    if key == HOME:
        place.stack.clear()
        place.enter(MAIN, {}, push=False)
    elif key == BACK and len(place.starts) > 1:
        place.starts.pop()
    elif key == BACK and place.stack:
        previous, params, *pages = place.stack.pop()
        place.enter(previous, params, push=False)
        if pages:  # back on the page the choice was made from
            place.starts = [int(n) for n in pages[0]] or [0]
    elif key == BACK:
        place.enter("bye" if place.screen == MAIN else MAIN, {}, push=False)
    elif key == MORE:
        if place.next is None:
            return Hint("ussd.hint.no_more")
        place.starts.append(place.next)
    elif key in screen.choices:
        kept = {k: v for k, v in place.params.items() if k not in _TRANSIENT}
        place.enter(screen.choices[key], kept, push=True)
    elif screen.handle is not None:
        if "refs" not in place.params:
            await _render(place, hop)  # keys typed ahead (`*384*1234*2*1#`): list first
        hop.params = place.params
        move = await screen.handle(hop, key)
        _apply(place, hop, move)
        return Hint(move.hint, move.params) if move.kind == "hint" else None
    else:
        return Hint("ussd.hint.invalid")
    return None


def _apply(place: Place, hop: Hop, move: Move) -> None:
    if move.kind == "go":
        place.enter(move.screen, move.params, push=True)
    elif move.kind == "done":
        if move.language:
            hop.language = move.language
        place.stack = [[MAIN, {}]] if move.screen != MAIN else []
        place.enter(move.screen, move.params, push=False)
    elif move.kind == "restore":
        restored = Place(screen=move.screen if move.screen in SCREENS else MAIN)
        restored.params = dict(move.params.get("params", {}))
        restored.stack = list(move.params.get("stack", []))
        place.screen, place.params, place.stack = restored.screen, restored.params, restored.stack
        place.starts, place.next = [0], None


def _screen_text(place: Place, hop: Hop, view: View, hint: Hint | None) -> str:
    lines = [fold(line) for line in view.lines]
    if view.end:
        return end_text(lines)
    page = page_of(
        lines,
        [fold(option) for option in view.options],
        more=fold(hop.t("ussd.nav.more")),
        back=fold(hop.t("ussd.nav.back")) if view.back else "",
        start=place.starts[-1],
        hint=fold(hop.t(hint.key, **hint.values)) if hint else "",
    )
    if page.start != place.starts[-1]:
        place.starts = [page.start]
    place.next = page.next
    return page.text
