"""One USSD hop as every adapter hands it over, and the answer every adapter renders."""

from __future__ import annotations

from dataclasses import dataclass

from domain.catalogue import DEFAULT_LANGUAGE
from domain.errors import InvalidInput

# What a feature phone shows on one screen (GSM-7 characters), `CON `/`END ` included.
SCREEN_LIMIT = 182


@dataclass(frozen=True)
class UssdRequest:
    """A hop from a gateway. `cumulative` gateways (Africa's Talking) send every input of the
    session so far, oldest first; the others send the latest input alone, and may send a
    `hop_id` that repeats when they retry."""

    session_id: str
    phone: str
    service_code: str
    network: str
    inputs: tuple[str, ...]
    cumulative: bool
    new_session: bool = False
    hop_id: str | None = None


@dataclass(frozen=True)
class UssdReply:
    """A screen to show: `end` closes the session on the phone; `language` is the caller's,
    remembered so that an outage can still be announced in it."""

    text: str
    end: bool
    language: str = DEFAULT_LANGUAGE

    @property
    def wire_text(self) -> str:
        """The screen as the form-POST gateways want it, `CON ` or `END ` first."""
        return ("END " if self.end else "CON ") + self.text


# Longer than any session a gateway lets last (~180 s of key presses): refused as malformed.
INPUT_LIMIT = 2000


def keypad_text(raw: str) -> str:
    """What a keypad can have sent: control characters (a NUL, a stray newline) removed."""
    return "".join(ch for ch in raw if ch.isprintable())


def session_key(raw: str) -> str:
    """The gateway's session id as we store it; a malformed one is refused, not stored."""
    if not raw or len(raw) > 100 or not raw.isprintable():
        raise InvalidInput(
            "ussd_bad_request", "sessionId is missing or malformed", field="sessionId"
        )
    return raw
