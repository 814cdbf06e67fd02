"""Staff access tokens: JWTs kept apart from citizens' tokens by audience, type and signing key.

A citizen's token is never accepted as a staff token and a staff token never as a citizen's:
the audience and the `typ` claim differ, and the key is derived from the secret for staff alone.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

import jwt

from domain.auth.app_tokens import subject_id
from domain.errors import DomainError
from domain.local_time import utc_now
from models import StaffUser

STAFF_AUDIENCE = "mgov:staff"
STAFF_TOKEN_TYPE = "staff"
ISSUER = "mgov"
_ALGORITHM = "HS256"


class StaffTokenInvalid(DomainError):
    status = 401


@dataclass(frozen=True)
class StaffClaims:
    staff_id: int
    role: str


def _staff_key(secret: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), b"mgov staff tokens", hashlib.sha256).digest()


def issue_staff_token(*, staff: StaffUser, secret: str, lifetime: timedelta) -> str:
    """A signed pass for one shift: who, with which role, until when."""
    now = utc_now()
    claims = {
        "iss": ISSUER,
        "aud": STAFF_AUDIENCE,
        "typ": STAFF_TOKEN_TYPE,
        "sub": str(staff.id),
        "role": str(staff.role),
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    return jwt.encode(claims, _staff_key(secret), algorithm=_ALGORITHM)


def read_staff_token(*, token: str, secret: str) -> StaffClaims:
    """The claims of a valid staff token; anything else (a citizen's token included) is refused."""
    try:
        claims = jwt.decode(
            token,
            _staff_key(secret),
            algorithms=[_ALGORITHM],
            audience=STAFF_AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "sub", "aud", "typ", "role"]},
        )
    except jwt.PyJWTError:
        raise StaffTokenInvalid("staff_token_invalid", "not a valid staff token") from None
    staff_id = subject_id(claims["sub"])
    if claims.get("typ") != STAFF_TOKEN_TYPE or staff_id is None:
        raise StaffTokenInvalid("staff_token_invalid", "not a staff token")
    return StaffClaims(staff_id=staff_id, role=str(claims["role"]))
