"""App credentials: short-lived signed access tokens, and refresh tokens that rotate on each use.

An access token is a JWT (HS256, 15 minutes) checked without a database round trip. A refresh
token is an opaque random string; only its SHA-256 is stored. Each use hands out a new one in
the same family; a rotated token presented again means it was copied, so the family is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from domain.errors import Unauthorized
from domain.local_time import utc_now
from models import Citizen, OtpCode, RefreshToken

ACCESS_TTL = timedelta(minutes=15)
REFRESH_TTL = timedelta(days=30)
ALGORITHM = "HS256"
ISSUER = "mgov"
MAX_ROW_ID = 2**31 - 1


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def issue_access_token(*, citizen_id: int, secret: str, now: datetime | None = None) -> str:
    """A bearer token the app sends on every call; short-lived, so a stolen one soon dies."""
    issued = now or utc_now()
    claims = {
        "iss": ISSUER,
        "sub": str(citizen_id),
        "typ": "access",
        "iat": issued,
        "exp": issued + ACCESS_TTL,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_access_token(*, token: str, secret: str) -> int:
    """The citizen id a valid access token names; anything else (expired, tampered, another
    algorithm, `alg: none`) is refused: the algorithm list is ours, never the token's."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("token_expired", "the access token has expired") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("invalid_token", "the access token is not valid") from None
    subject = subject_id(claims.get("sub"))
    if claims.get("typ") != "access" or subject is None:
        raise Unauthorized("invalid_token", "not an access token")
    return subject


def subject_id(subject: object) -> int | None:
    """The row id a token's `sub` names, or None when it can name no row: ids are PostgreSQL
    `integer`s, and a larger number (a 20-digit `sub` in a validly signed token) would
    otherwise reach the query and overflow there, a 500 instead of a 401."""
    value = str(subject)
    if not (value.isascii() and value.isdigit() and len(value) <= len(str(MAX_ROW_ID))):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ROW_ID else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def _new_refresh_token(citizen_id: int, family_id: str, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    await RefreshToken.create(
        citizen_id=citizen_id,
        family_id=family_id,
        token_hash=_digest(token),
        expires_at=now + REFRESH_TTL,
    )
    return token


async def issue_tokens(*, citizen: Citizen, secret: str) -> TokenPair:
    """A new login: a new refresh-token family and its first access token."""
    now = utc_now()
    refresh = await _new_refresh_token(citizen.id, uuid.uuid4().hex, now)
    access = issue_access_token(citizen_id=citizen.id, secret=secret, now=now)
    return TokenPair(access, refresh, int(ACCESS_TTL.total_seconds()))


async def _revoke_family(family_id: str, now: datetime) -> None:
    await RefreshToken.filter(family_id=family_id, revoked_at__isnull=True).update(revoked_at=now)


async def rotate_refresh_token(*, refresh_token: str, secret: str) -> TokenPair:
    """Trade a refresh token for a new pair. A reused (already rotated) token revokes its whole
    family: of the thief and the owner, whoever comes second ends the stolen login for both."""
    now = utc_now()
    row = await RefreshToken.get_or_none(token_hash=_digest(refresh_token))
    if row is None or row.revoked_at is not None:
        raise Unauthorized("invalid_refresh_token", "unknown or revoked refresh token")
    if row.rotated_at is not None:
        await _revoke_family(row.family_id, now)
        raise Unauthorized("refresh_token_reused", "refresh token reused; login revoked")
    if row.expires_at <= now:
        raise Unauthorized("invalid_refresh_token", "refresh token expired")
    # Only one of two concurrent uses sees the row change; the other is a reuse.
    rotated = await RefreshToken.filter(id=row.id, rotated_at__isnull=True).update(rotated_at=now)
    if not rotated:
        await _revoke_family(row.family_id, now)
        raise Unauthorized("refresh_token_reused", "refresh token reused; login revoked")
    refresh = await _new_refresh_token(row.citizen_id, row.family_id, now)
    access = issue_access_token(citizen_id=row.citizen_id, secret=secret, now=now)
    return TokenPair(access, refresh, int(ACCESS_TTL.total_seconds()))


async def revoke_refresh_token(*, refresh_token: str) -> None:
    """Log out: the login this token belongs to ends on every link of its chain."""
    row = await RefreshToken.get_or_none(token_hash=_digest(refresh_token))
    if row is not None:
        await _revoke_family(row.family_id, utc_now())


async def authenticate_access_token(*, token: str, secret: str) -> Citizen:
    """The citizen a request speaks for; a token for a citizen who no longer exists is refused."""
    citizen = await Citizen.get_or_none(id=read_access_token(token=token, secret=secret))
    if citizen is None:
        raise Unauthorized("invalid_token", "the token's citizen does not exist")
    return citizen


async def purge_expired_logins(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Codes and refresh tokens past their life prove nothing; the worker deletes them daily."""
    cutoff = utc_now() - older_than
    codes = await OtpCode.filter(expires_at__lt=cutoff).delete()
    tokens = await RefreshToken.filter(expires_at__lt=cutoff).delete()
    return int(codes) + int(tokens)
