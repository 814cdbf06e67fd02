"""The outage test: a real `mgov worker` process outlives its database going away mid-drain.

With 1,000 messages queued the database is cut while the worker sends, for longer than two
leases, and then restored. The worker must keep running, log the outage once, resume within
5 s, write the outcomes it learnt during the outage (sends in flight at the cut, messages it
held), and send every message exactly once: a claim run before those outcomes are written would
take their rows again (their leases ran out) and send them twice.

PostgreSQL: the worker reaches the server through a TCP proxy in this process, which the test
cuts (every connection closed, new ones refused) and restores; the shared server never stops.
SQLite: another connection holds the file's write lock for the outage, so the worker's writes
meet `database is locked` after its busy timeout (100 ms here). Run with `-s` to see the figures.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from infra.settings import Settings
from models import OutboxMessage
from models.enums import OutboxStatus
from tests.db_outage import Outage, database_outage, listening_since, server_now, until
from tests.worker_process import (
    REPO,
    CountingGateway,
    counting_gateway,
    queue_due_messages,
    status_counts,
    tail,
    worker_environ,
)

MESSAGES = 1_000
LEASE_SECONDS = 2
OUTAGE = 2 * LEASE_SECONDS + 1.0  # every lease the worker held at the cut runs out meanwhile
SENT_BEFORE_CUT = 150
GATEWAY_LATENCY = 0.1
RESUME_WITHIN = 5.0
STEP_TIMEOUT = 30.0  # the longest any awaited condition may take
DEADLINE = 90.0  # everything sent after the restore, at the latest


@pytest.fixture
async def outage(db: Settings) -> AsyncIterator[Outage]:
    async with database_outage(db.database_url) as outage:
        yield outage


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[CountingGateway, str]]:
    async with counting_gateway(GATEWAY_LATENCY) as served:
        yield served


async def _all_sent() -> bool:
    return await OutboxMessage.filter(status=OutboxStatus.SENT).count() == MESSAGES


async def test_the_worker_outlives_a_database_outage(
    db: Settings,
    backend: str,
    outage: Outage,
    gateway: tuple[CountingGateway, str],
    tmp_path: Path,
) -> None:
    fake, url = gateway
    references = await queue_due_messages(MESSAGES)
    environ = worker_environ(
        db, url, tmp_path / "var", lease_seconds=LEASE_SECONDS, database_url=outage.database_url
    )
    log_path = tmp_path / "worker.log"
    with log_path.open("ab") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "mgov.cli", "worker"],
            cwd=REPO,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

        def alive() -> None:
            assert worker.poll() is None, (
                f"the worker exited with {worker.returncode}:\n{tail(log_path)}"
            )

        try:
            await until(lambda: fake.sends >= SENT_BEFORE_CUT, "first sends", alive, STEP_TIMEOUT)
            await outage.cut()
            cut_at, sent_at_cut = time.monotonic(), fake.sends
            await until(
                lambda: "database unavailable" in log_path.read_text(),
                "the outage logged",
                alive,
                OUTAGE,
            )
            # The outage's length is the scenario itself, not a wait for something to happen.
            while time.monotonic() < cut_at + OUTAGE:
                alive()
                await asyncio.sleep(0.1)
            sent_during = fake.sends - sent_at_cut
            await outage.restore()
            restored_at = time.monotonic()
            restored_on_server = await server_now() if backend == "postgres" else None
            await until(_all_sent, "every message sent", alive, DEADLINE)
            if restored_on_server is not None:
                await until(
                    lambda: listening_since(restored_on_server),
                    "LISTEN again",
                    alive,
                    STEP_TIMEOUT,
                )
            worker.send_signal(signal.SIGTERM)
            # Off the loop: the proxy runs on it, and the worker says goodbye through it.
            code = await asyncio.to_thread(worker.wait, timeout=STEP_TIMEOUT)
            assert code == 0, tail(log_path)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)

    after_restore = [t for t in fake.arrivals if t > restored_at]
    during = [t for t in fake.arrivals if cut_at <= t <= restored_at]
    resumed_after = after_restore[0] - restored_at if after_restore else float("inf")
    missing = references - set(fake.references)
    duplicates = fake.sends - len(fake.references)
    lines = log_path.read_text().splitlines()
    outages = [line for line in lines if "database unavailable" in line]
    returns = [line for line in lines if "database back after" in line]
    statuses = await status_counts()
    report = (
        f"outage test ({backend}, {OUTAGE:.0f} s outage, lease {LEASE_SECONDS} s): "
        f"{sent_at_cut} sent before the cut, {sent_during} sent during the outage (in flight or "
        f"held at the cut; the last {during[-1] - cut_at if during else 0:.2f} s after it), "
        f"sends resumed {resumed_after:.2f} s after the restore; {len(missing)} lost, "
        f"{duplicates} duplicates; final statuses {statuses}; "
        f"log: {len(outages)} outage and {len(returns)} return lines"
    )
    print(report)
    assert not missing, report
    assert duplicates == 0, report
    assert statuses == {OutboxStatus.SENT.value: MESSAGES}, report
    assert resumed_after < RESUME_WITHIN, report
    assert (len(outages), len(returns)) == (1, 1), "\n".join(outages + returns)
    assert "Traceback" not in "\n".join(lines), tail(log_path, 60)
