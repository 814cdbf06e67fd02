"""Where a USSD caller is in the menus, kept in the database between hops.

Any web process may get the next hop, so the state is a row, not memory. A hop reads the row
(with its citizen, in one query) and writes it back once; hops that change data (a booking, a
cancellation) re-read it under a row lock so a gateway retry racing the original applies once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from tortoise.connection import get_connection
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from domain.citizens import register_citizen
from domain.local_time import utc_now
from domain.phones import normalise_phone
from models import Citizen, UssdSession
from models.sql import placeholders

# A dropped session can be picked up again for this long; gateways end theirs after ~180 s.
RESUME_WINDOW = timedelta(minutes=5)
KEEP_FOR = timedelta(days=1)


# Every hop reads and writes its session, so those statements are written once as SQL (after
# the ORM knows its columns): building them with the query builder on each hop cost more than
# running them (docs/benchmarks.md). Rows still become model instances, so callers see no SQL.
_SAVED = (
    "screen",
    "state",
    "language",
    "last_text",
    "last_reply",
    "hops",
    "ended",
    "resumable",
    "expires_at",
)


def _columns(model: type[Model], alias: str) -> str:
    return ", ".join(f'{alias}."{c}" AS "{alias}__{c}"' for c in sorted(model._meta.db_fields))


@cache
def _load_sql(dialect: str) -> str:
    return (
        f"SELECT {_columns(UssdSession, 's')}, {_columns(Citizen, 'c')} FROM ussd_session s"
        f" JOIN citizen c ON c.id = s.citizen_id WHERE s.session_id = {placeholders(dialect, 1)[0]}"
    )


@cache
def _save_sql(dialect: str) -> str:
    marks = placeholders(dialect, len(_SAVED) + 1)
    sets = ", ".join(f'"{c}" = {m}' for c, m in zip(_SAVED, marks, strict=False))
    return f"UPDATE ussd_session SET {sets} WHERE id = {marks[-1]}"


@cache
def _caller_sql(dialect: str) -> str:
    now, phone = placeholders(dialect, 2)
    return (
        f"SELECT {_columns(Citizen, 'c')}, (SELECT s.id FROM ussd_session s"
        f" WHERE s.phone = c.phone AND s.resumable AND s.expires_at > {now}"
        f' ORDER BY s.expires_at DESC LIMIT 1) AS "dropped" FROM citizen c WHERE c.phone = {phone}'
    )


def _db_value(model: type[Model], name: str, value: Any) -> Any:
    return model._meta.fields_map[name].to_db_value(value, model)


def _rows_of(row: dict[str, Any], alias: str) -> dict[str, Any]:
    prefix = f"{alias}__"
    return {k[len(prefix) :]: v for k, v in row.items() if k.startswith(prefix)}


async def load_ussd_session(*, session_id: str, lock: bool = False) -> UssdSession | None:
    """The live session with this gateway id and its citizen; None when unknown or expired."""
    if lock:
        query = UssdSession.filter(session_id=session_id, expires_at__gt=utc_now())
        return await query.select_for_update().first()
    connection = get_connection("default")
    rows = await connection.execute_query_dict(
        _load_sql(connection.capabilities.dialect), [session_id]
    )
    if not rows:
        return None
    session = UssdSession._init_from_db(**_rows_of(rows[0], "s"))
    if session.expires_at <= utc_now():
        return None
    session.citizen = Citizen._init_from_db(**_rows_of(rows[0], "c"))
    return session


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
        connection = get_connection("default")
        values = [_db_value(UssdSession, name, getattr(session, name)) for name in _SAVED]
        await connection.execute_query(
            _save_sql(connection.capabilities.dialect), [*values, session.pk]
        )
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


async def open_ussd_caller(*, phone: str) -> tuple[Citizen, int | None]:
    """The caller (a citizen from now on: the network vouched for the number) and the id of a
    session of theirs that dropped mid-flow, in one query for a known caller."""
    e164 = normalise_phone(phone)
    connection = get_connection("default")
    now = _db_value(UssdSession, "expires_at", utc_now())
    rows = await connection.execute_query_dict(
        _caller_sql(connection.capabilities.dialect), [now, e164]
    )
    if not rows:
        return await register_citizen(phone=e164), None
    return Citizen._init_from_db(**_rows_of(rows[0], "c")), rows[0]["dropped"]


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
