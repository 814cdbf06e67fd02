"""Staff accounts: call-centre agents, counter officers, supervisors and admins."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from tortoise.exceptions import IntegrityError

from domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from domain.throttle import consume_attempts, refund_attempt
from models import Agency, StaffUser
from models.enums import StaffRole

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10

_A, _O, _ADMIN = StaffRole.AGENT, StaffRole.OFFICER, StaffRole.ADMIN
# What each role may do. Officers act on their own agency's dossiers only (checked per dossier);
# supervisors see statistics, not a citizen's file.
PERMISSIONS: dict[str, frozenset[StaffRole]] = {
    "citizen.find": frozenset({_A, _O, _ADMIN}),
    "citizen.dossiers": frozenset({_A, _O, _ADMIN}),
    "citizen.appointments": frozenset({_A, _ADMIN}),
    "citizen.notifications": frozenset({_A, _ADMIN}),
    "appointment.book": frozenset({_A, _ADMIN}),
    "appointment.cancel": frozenset({_A, _ADMIN}),
    "notification.resend": frozenset({_A, _ADMIN}),
    "dossier.register": frozenset({_O, _ADMIN}),
    "dossier.move": frozenset({_O, _ADMIN}),
    "application.review": frozenset({_O, _ADMIN}),
    "form.publish": frozenset({_ADMIN}),
    "audit.read": frozenset({_ADMIN}),
    "stats.read": frozenset({StaffRole.SUPERVISOR, _ADMIN}),
}


async def create_staff_user(
    *,
    username: str,
    password: str,
    full_name: str,
    role: StaffRole,
    agency: Agency | None = None,
) -> StaffUser:
    """Officers work for one agency, so an officer without one is refused."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            "weak_password",
            "password too short",
            field="password",
            min_length=MIN_PASSWORD_LENGTH,
        )
    if role == StaffRole.OFFICER and agency is None:
        raise InvalidInput("agency_required", "an officer belongs to an agency", field="agency")
    username = username.strip().lower()
    if not username:
        raise InvalidInput(
            "username_required", "a staff account needs a username", field="username"
        )
    try:
        return await StaffUser.create(
            username=username,
            password_hash=await hash_password_off_loop(password=password),
            full_name=full_name,
            role=role,
            agency=agency,
        )
    except IntegrityError:
        raise Conflict("username_taken", "this username is taken", username=username) from None


# argon2 spends ~100 ms of CPU and 64 MiB per hash on purpose. It runs on these few threads
# (the C code lets go of the GIL), never on the event loop, so other requests go on meanwhile;
# a pool of its own bounds the memory a burst of logins takes and leaves asyncio's default
# executor (DNS look-ups) alone.
_HASHING = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="argon2")


def hash_password(password: str) -> str:
    """Blocking; code on the event loop awaits hash_password_off_loop instead."""
    return _hasher.hash(password)


async def hash_password_off_loop(*, password: str) -> str:
    """A new account's hash, computed without holding the event loop."""
    return await asyncio.get_running_loop().run_in_executor(_HASHING, _hasher.hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


async def check_password(*, password_hash: str, password: str) -> bool:
    """Whether a password matches its stored hash, checked without holding the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_HASHING, _verify, password_hash, password)


# Verified when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0000")


class LoginFailed(DomainError):
    """Wrong username or password, told apart from neither, so names cannot be guessed."""

    status = 401


async def find_agency(*, code: str) -> Agency:
    """Staff accounts are created with the agency code an operator types."""
    agency = await Agency.get_or_none(code=code.strip().upper())
    if agency is None:
        raise NotFound("agency_not_found", "no agency with this code", agency=code)
    return agency


LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_FAILURES_PER_USERNAME = 5
LOGIN_FAILURES_PER_ADDRESS = 30


async def authenticate_staff(
    *, username: str, password: str, client_address: str = ""
) -> StaffUser:
    """The active account behind a username and password; one refusal for every way it fails.
    Wrong passwords are limited per username and per address, so guessing is throttled either
    way."""
    username = username.strip().lower()
    limits = [(f"staff-login:user:{username}", LOGIN_FAILURES_PER_USERNAME)]
    if client_address:
        limits.append((f"staff-login:address:{client_address}", LOGIN_FAILURES_PER_ADDRESS))
    # Count the try before checking the password, in one atomic upsert per key: parallel
    # guesses cannot all pass a count read before any of them is written. A right password
    # takes its try back below, so only wrong ones use up the limit.
    counted = await consume_attempts(limits=limits, window=LOGIN_WINDOW)
    user = await StaffUser.get_or_none(username=username)
    if user is None or not user.is_active:
        await check_password(password_hash=_DUMMY_HASH, password=password)
        raise LoginFailed("staff_login_failed", "wrong username or password")
    if not await check_password(password_hash=user.password_hash, password=password):
        raise LoginFailed("staff_login_failed", "wrong username or password")
    for attempt in counted:
        await refund_attempt(attempt=attempt)
    return user


async def get_active_staff(*, staff_id: int) -> StaffUser:
    """A token outlives a deactivation: each request checks the account is still active."""
    user = await StaffUser.get_or_none(id=staff_id, is_active=True).prefetch_related("agency")
    if user is None:
        raise LoginFailed("staff_token_invalid", "the staff account is unknown or inactive")
    return user


def require_permission(user: StaffUser, action: str) -> None:
    """Refuse an action the user's role does not allow, before anything is read or changed."""
    if user.role not in PERMISSIONS[action]:
        raise Forbidden("staff_forbidden", f"role {user.role} may not {action}", action=action)


def require_agency(user: StaffUser, agency_id: int) -> None:
    """An officer acts only on their own agency's dossiers; an admin on any."""
    if user.role == StaffRole.OFFICER and user.agency_id != agency_id:
        raise Forbidden("staff_other_agency", "this dossier belongs to another agency")
