"""Staff accounts: call-centre agents, counter officers, supervisors and admins."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from domain.errors import InvalidInput
from models import Agency, StaffUser
from models.enums import StaffRole

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


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
        raise InvalidInput("weak_password", "password too short", min_length=MIN_PASSWORD_LENGTH)
    if role == StaffRole.OFFICER and agency is None:
        raise InvalidInput("agency_required", "an officer belongs to an agency")
    return await StaffUser.create(
        username=username.strip().lower(),
        password_hash=_hasher.hash(password),
        full_name=full_name,
        role=role,
        agency=agency,
    )


def password_matches(user: StaffUser, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False
