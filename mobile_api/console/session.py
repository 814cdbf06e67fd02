"""The console's session and form protection: a staff token in an HttpOnly, SameSite=Strict
cookie, and a double-submit CSRF token that every form carries back."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from domain.errors import DomainError
from domain.staff.audit import StaffCaller
from mobile_api.problems import request_language
from mobile_api.staff_auth import staff_from_token

SESSION_COOKIE = "mgov_console"
CSRF_COOKIE = "mgov_console_csrf"
LANGUAGE_COOKIE = "mgov_console_lang"
COOKIE_PATH = "/console"


class CsrfRefused(DomainError):
    status = 403


def _secure(request: Request) -> bool:
    """Secure cookies in production (served over HTTPS); plain HTTP works in development."""
    return bool(request.app.state.settings.is_production)


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


def start_session(request: Request, response: Response, token: str) -> None:
    """Log in: the token goes to the cookie, and the CSRF token is replaced."""
    max_age = request.app.state.settings.staff_token_minutes * 60
    set_cookie(request, response, SESSION_COOKIE, token, max_age)
    set_cookie(request, response, CSRF_COOKIE, secrets.token_urlsafe(32), max_age)


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)


async def console_staff(request: Request) -> StaffCaller | None:
    """The logged-in staff member, or None when there is no valid session."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        return None
    try:
        return await staff_from_token(request, token)
    except DomainError:
        return None


def csrf_token(request: Request) -> str:
    """The token forms carry: the cookie's value, or a new one that `keep_csrf` will set."""
    token = request.cookies.get(CSRF_COOKIE) or request.scope.setdefault(
        "console_new_csrf", secrets.token_urlsafe(32)
    )
    return str(token)


def keep_csrf(request: Request, response: Response) -> None:
    """Set the CSRF cookie when this page made a new token for its forms."""
    new = request.scope.get("console_new_csrf")
    if new:
        max_age = request.app.state.settings.staff_token_minutes * 60
        set_cookie(request, response, CSRF_COOKIE, new, max_age)


def check_csrf(request: Request, submitted: str) -> None:
    """A form posted from another site carries no matching token (and no cookies: SameSite)."""
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), submitted.encode()):
        raise CsrfRefused("console_csrf_failed", "the form's CSRF token does not match")


def console_language(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE, "")
    return chosen if chosen in ("vi", "en") else request_language(request)
