"""Who may call an API operation, and how a request proves it: anyone, a signed-in citizen, a staff
member whose role allows an action, or the back office signing its body. Endpoints declare one;
the route checks it and the OpenAPI document shows it as the operation's security."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from domain.auth.app_tokens import authenticate_access_token
from domain.dossiers.backoffice_sync import verify_signature
from domain.errors import DomainError, Unauthorized
from domain.staff.accounts import PERMISSIONS, require_permission
from domain.staff.audit import StaffCaller
from mobile_api.staff_auth import require_staff
from models import Citizen

TIMESTAMP_HEADER = "X-Mgov-Timestamp"
SIGNATURE_HEADER = "X-Mgov-Signature"


@dataclass(frozen=True)
class Access:
    """`scheme` names the OpenAPI security scheme (None: anyone may call); for staff,
    `permission` is the action of `domain.staff.accounts.PERMISSIONS` the caller's role must
    allow."""

    scheme: str | None
    permission: str | None = None

    @property
    def roles(self) -> list[str]:
        """The roles that may call, as the document lists them; none listed when any will do."""
        if self.permission is None:
            return []
        return sorted(str(role) for role in PERMISSIONS[self.permission])


PUBLIC = Access(None)
CITIZEN = Access("bearer")
SIGNED = Access("backofficeSignature")
STAFF_SCHEME = "staffBearer"


def staff(permission: str | None = None) -> Access:
    """A staff login; with `permission`, only the roles allowed that action."""
    if permission is not None and permission not in PERMISSIONS:
        raise ValueError(f"unknown staff permission {permission!r}")
    return Access(STAFF_SCHEME, permission)


@dataclass(frozen=True)
class Caller:
    citizen: Citizen | None = None
    staff: StaffCaller | None = None


async def _citizen(request: Request) -> Citizen:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("unauthorized", "no bearer token")
    secret = str(request.app.state.settings.secret_key)
    return await authenticate_access_token(token=token.strip(), secret=secret)


async def _check_signature(request: Request) -> None:
    """The back office signs `<timestamp>.<raw body>` with the shared secret (docs/api.md,
    "Back-office webhook")."""
    secret = str(request.app.state.settings.backoffice_secret)
    if not secret:
        raise DomainError("webhook_not_configured", "MGOV_BACKOFFICE_SECRET is not set", status=503)
    body = await request.body()  # its size is bounded at the edge (mobile_api/request_body.py)
    verify_signature(
        secret=secret,
        timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
        signature=request.headers.get(SIGNATURE_HEADER, ""),
        body=body,
    )


async def identify(request: Request, access: Access) -> Caller:
    """The caller the operation allows, or the 401/403/503 that refuses this one."""
    if access == CITIZEN:
        return Caller(citizen=await _citizen(request))
    if access == SIGNED:
        await _check_signature(request)
        return Caller()
    if access.scheme == STAFF_SCHEME:
        return Caller(staff=await require_staff(request))
    return Caller()


def check_role(caller: Caller, access: Access) -> None:
    """Refuse a staff role the operation does not allow: what the document lists is what passes.
    Runs after the input is validated, so a bad body is still a 422 first, as it always was."""
    if caller.staff is not None and access.permission is not None:
        require_permission(caller.staff.user, access.permission)
