"""Who is calling the staff doors: a staff bearer token (API) or the console's session cookie."""

from __future__ import annotations

from starlette.requests import Request

from domain.auth.staff_tokens import StaffTokenInvalid, read_staff_token
from domain.staff.accounts import get_active_staff
from domain.staff.audit import StaffCaller


def client_address(request: Request) -> str:
    """The caller's address: the peer, or whom a trusted proxy forwarded for
    (mobile_api/forwarded.py)."""
    return request.client.host if request.client else ""


async def staff_from_token(request: Request, token: str) -> StaffCaller:
    claims = read_staff_token(token=token, secret=str(request.app.state.settings.secret_key))
    user = await get_active_staff(staff_id=claims.staff_id)
    return StaffCaller(user=user, address=client_address(request))


async def require_staff(request: Request) -> StaffCaller:
    """The staff member behind `Authorization: Bearer <staff token>`, or a 401."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise StaffTokenInvalid("staff_token_missing", "a staff bearer token is required")
    return await staff_from_token(request, token.strip())
