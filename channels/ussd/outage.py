"""The screen a caller gets while the database is away: the gateway's own END, with HTTP 200,
in the language the caller last used with this process (their citizen row is out of reach)."""

from __future__ import annotations

from collections import OrderedDict

from channels.ussd.hops import UssdReply
from channels.ussd.pages import end_text
from domain.catalogue import DEFAULT_LANGUAGE, text

# Recent callers only: a hint kept in memory, bounded, never the source of truth.
REMEMBERED_CALLERS = 10_000


class CallerLanguages:
    """The language of the latest screen each recent caller saw, by the number as sent."""

    def __init__(self, size: int = REMEMBERED_CALLERS) -> None:
        self.size = size
        self._languages: OrderedDict[str, str] = OrderedDict()

    def remember(self, phone: str, language: str) -> None:
        self._languages[phone] = language
        self._languages.move_to_end(phone)
        while len(self._languages) > self.size:
            self._languages.popitem(last=False)

    def of(self, phone: str) -> str:
        return self._languages.get(phone, DEFAULT_LANGUAGE)


def outage_reply(language: str) -> UssdReply:
    """Ends the session politely: a 5xx or an error body would show the caller nothing useful."""
    return UssdReply(end_text([text("ussd.unavailable", language)]), end=True, language=language)
