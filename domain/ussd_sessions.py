"""Where a USSD caller is in the menus, kept in the database between hops.

Any web process may get the next hop, so the state is a row, not memory. A hop reads the row
(with its citizen, in one query) and writes it back once; hops that change data (a booking, a
cancellation) re-read it under a row lock so a gateway retry racing the original applies once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from domain.policy import utc_now
from models import Citizen, UssdSession

# A dropped session can be picked up again for this long; gateways end theirs after ~180 s.
RESUME_WINDOW = timedelta(minutes=5)
KEEP_FOR = timedelta(days=1)


async def load_ussd_session(*, session_id: str, lock: bool = False) -> UssdSession | None:
    """The live session with this gateway id and its citizen; None when unknown or expired."""
    query = UssdSession.filter(session_id=session_id, expires_at__gt=utc_now())
    if lock:
        return await query.select_for_update().first()
    return await query.select_related("citizen").first()


def new_ussd_session(*, session_id: str, citizen: Citizen, screen: str) -> UssdSession:
    """An unsaved session: it is written once, with its first reply, by `save_ussd_session`."""
    return UssdSession(
        session_id=session_id,
        phone=citizen.phone,
        citizen=citizen,
        screen=screen,
        state={},
        language=citizen.language.value,
        expires_at=utc_now() + RESUME_WINDOW,
    )


async def save_ussd_session(*, session: UssdSession) -> bool:
    """Write the hop's outcome; False when a twin of a first hop was saved first (a retry)."""
    session.expires_at = utc_now() + RESUME_WINDOW
    if session.pk is not None:
        await session.save()
        return True
    try:
        await session.save()
    except IntegrityError:
        # Either a retried first hop whose twin landed first, or a gateway reusing the id of an
        # expired session, which then makes way.
        stale = await UssdSession.filter(
            session_id=session.session_id, expires_at__lte=utc_now()
        ).delete()
        if not stale:
            return False
        await session.save()
    return True


async def find_resumable_ussd_session(*, phone: str) -> UssdSession | None:
    """The caller's latest session that dropped mid-flow within the resume window."""
    return (
        await UssdSession.filter(phone=phone, resumable=True, expires_at__gt=utc_now())
        .order_by("-expires_at")
        .first()
    )


async def take_over_ussd_session(
    *, session_pk: int, phone: str
) -> tuple[str, dict[str, Any]] | None:
    """The screen and state of a dropped session, which is then no longer offered; None when it
    expired or another redial took it first."""
    taken = await UssdSession.filter(
        id=session_pk, phone=phone, resumable=True, expires_at__gt=utc_now()
    ).update(resumable=False)
    if not taken:
        return None
    row = await UssdSession.get(id=session_pk)
    return row.screen, dict(row.state)


async def forget_resumable_ussd_sessions(*, phone: str) -> None:
    """The caller chose to start again: nothing is offered for resuming any more."""
    await UssdSession.filter(phone=phone, resumable=True).update(resumable=False)


async def purge_expired_ussd_sessions(*, now: datetime | None = None) -> int:
    """Expired sessions serve neither retries nor resumes; the worker drops them after a day."""
    return await UssdSession.filter(expires_at__lt=(now or utc_now()) - KEEP_FOR).delete()
