"""What the worker counts as a database outage, and how its loops wait one out: retried with
capped backoff, logged once when it starts and once when it ends, resumed as soon as the
database answers. The worker process as a whole is in test_worker_outage.py."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import pytest
from tortoise.exceptions import IntegrityError, OperationalError

from domain.appointments.booking import book_appointment
from domain.local_time import utc_now
from infra.outages import is_database_unavailable
from infra.settings import Settings
from mgov.worker_process import run_scheduler
from models import Appointment, OutboxMessage
from notifications.outage import Backoff, DatabaseOutage
from tests.db_outage import Outage, orm_through_outage, until
from tests.factories import make_citizen, make_office, make_slot

FAST = Backoff(first=0.02, cap=0.2)
OUTAGE = 1.0  # seconds: several tries at FAST's pauses


@pytest.mark.parametrize(
    ("error", "outage"),
    # A refused or reset socket counts when a driver raised it: tests/test_outages.py checks
    # that with real refused connections, since a bare OSError here has no driver frames.
    [
        (asyncpg.exceptions.ConnectionDoesNotExistError("closed mid-operation"), True),
        (asyncpg.exceptions.AdminShutdownError("terminating connection"), True),
        (asyncpg.exceptions.CannotConnectNowError("the database system is starting up"), True),
        (asyncpg.exceptions.TooManyConnectionsError("too many clients already"), True),
        (asyncpg.InterfaceError("connection is closed"), True),
        (
            asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
            False,
        ),
        (
            asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"),
            False,
        ),
        (asyncpg.exceptions.UndefinedTableError('relation "x" does not exist'), False),
        (OperationalError(sqlite3.OperationalError("database is locked")), True),
        (OperationalError(sqlite3.OperationalError("unable to open database file")), True),
        (OperationalError(sqlite3.OperationalError("no such table: x")), False),
        (IntegrityError(sqlite3.IntegrityError("UNIQUE constraint failed")), False),
        (ValueError("a bug"), False),
    ],
)
def test_what_counts_as_the_database_being_away(error: Exception, outage: bool) -> None:
    assert is_database_unavailable(error) is outage


def test_a_wrapped_driver_error_is_found_through_the_chain() -> None:
    try:
        try:
            raise asyncpg.exceptions.ConnectionDoesNotExistError("closed mid-operation")
        except asyncpg.PostgresError as exc:
            raise RuntimeError("while claiming") from exc
    except RuntimeError as wrapped:
        assert is_database_unavailable(wrapped)


@pytest.fixture
async def cuttable(database: Settings) -> AsyncIterator[Outage]:
    async with orm_through_outage(database) as outage:
        yield outage


async def _appointment_owed_a_reminder() -> Appointment:
    slot = await make_slot(await make_office(), capacity=2, starts_in=timedelta(hours=3))
    appointment = await book_appointment(citizen=await make_citizen(), slot_id=slot.id)
    await Appointment.filter(id=appointment.id).update(created_at=utc_now() - timedelta(days=7))
    return appointment


async def test_the_reminder_scan_waits_out_an_outage_and_runs_when_it_ends(
    cuttable: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    """Before, a failed scan logged a traceback and waited for the next minute's scan."""
    await _appointment_owed_a_reminder()
    stop = asyncio.Event()
    outage = DatabaseOutage(backoff=FAST)
    with caplog.at_level(logging.INFO, logger="mgov.worker"):
        await cuttable.cut()
        scheduler = asyncio.create_task(run_scheduler(stop, interval=600, outage=outage))
        try:
            await until(lambda: outage.is_down, "the outage noticed")
            await asyncio.sleep(OUTAGE)  # the outage's length: the scenario, not a wait
            await cuttable.restore()
            await until(
                OutboxMessage.filter(template="appointment_reminder").exists,
                "the reminder queued",
                timeout=5,
            )
        finally:
            stop.set()
            await asyncio.wait_for(scheduler, timeout=10)
    lines = [record.getMessage() for record in caplog.records]
    outages = [line for line in lines if line.startswith("database unavailable")]
    returns = [line for line in lines if line.startswith("database back after")]
    assert (len(outages), len(returns)) == (1, 1), lines
    assert not any("scan failed" in line for line in lines)


async def test_stopping_during_an_outage_ends_the_wait(cuttable: Outage) -> None:
    stop = asyncio.Event()
    outage = DatabaseOutage(backoff=Backoff(first=30, cap=30))
    await cuttable.cut()
    scheduler = asyncio.create_task(run_scheduler(stop, interval=600, outage=outage))
    await until(lambda: outage.is_down, "the outage noticed")
    stop.set()
    await asyncio.wait_for(scheduler, timeout=5)  # not the 30 s pause
