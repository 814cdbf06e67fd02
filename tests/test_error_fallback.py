"""A refusal whose code has no text yet reads as the generic error on every door, instead of
failing the door that reports it (a 500, a dropped USSD session)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from channels.ussd.menus import show_error
from channels.ussd.screens import Hop
from domain.catalogue import error_key, error_text, text
from domain.errors import DomainError
from mobile_api.console.routes import _error_text as console_error_text
from models import Citizen

NO_TEXT = "code_added_without_its_text"


def _request(language: str) -> Request:
    headers = [(b"accept-language", language.encode())]
    return Request({"type": "http", "query_string": b"", "headers": headers})


def test_the_catalogue_gives_the_generic_text_for_a_code_without_its_own() -> None:
    assert error_key(NO_TEXT) is None
    assert error_text(NO_TEXT, "en") == text("error.internal", "en")
    assert error_text(NO_TEXT, "vi", {"seconds": 3}) == text("error.internal", "vi")


def test_staff_read_their_own_wording_where_there_is_one() -> None:
    assert error_key("already_booked", staff=True) == "staff.error.already_booked"
    assert error_key("already_booked") == "error.already_booked"
    assert error_key("not_found", staff=True) == "error.not_found"


async def test_the_api_answers_a_problem_with_the_generic_text(app, client) -> None:
    async def refuse(request: Request) -> None:
        raise DomainError(NO_TEXT)

    app.router.routes.insert(0, Route("/v1/refusal-without-text", refuse))
    response = await client.get("/v1/refusal-without-text", headers={"Accept-Language": "en"})
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == text("error.internal", "en")


def test_the_console_shows_the_generic_text() -> None:
    error = DomainError(NO_TEXT)
    assert console_error_text(_request("en"), error) == text("error.internal", "en")


async def test_the_ussd_error_screen_shows_the_generic_text() -> None:
    hop = Hop(citizen=Citizen(phone="+84901234567"), language="en", params={"code": NO_TEXT})
    view = await show_error(hop)
    assert view.lines == [text("error.internal", "en")]
