"""The kill test: a real `mgov worker` process, SIGKILLed five times at random moments while it
drains 2,000 messages, still gets every message to the gateway, and leaves none behind.

PostgreSQL only: the worker runs in its own process, and SQLite's file is not what production
shares between processes. The gateway is a real aiohttp server in this process that counts the
references it is sent; duplicates (sends that a kill cut off before the outcome was written) are
allowed by the at-least-once contract, and are printed. Run with `-s` to see the figures.
The worker runs with MGOV_WORKER_LEASE_SECONDS=2, so the rows a kill strands in `sending` are
claimed again seconds later (with the default 2 minutes the test would outlast its deadline),
in batches of 50 through 32 sends: at 64 sends and batches of 200 a message would wait in the
worker's queue for more than half of so short a lease, and go back unsent again and again.
"""

from __future__ import annotations

import asyncio
import random
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from tortoise.transactions import in_transaction

from infra.settings import Settings
from models import OutboxMessage
from models.enums import OutboxStatus
from notifications.claim import claim_due_messages
from tests.worker_process import (
    REPO,
    CountingGateway,
    counting_gateway,
    queue_due_messages,
    status_counts,
    tail,
    worker_environ,
)

MESSAGES = 2_000
KILLS = 5
SEED = 20_261_123
DEADLINE = 120.0  # seconds, the whole test
FIRST_SEND_WAIT = 20.0  # a fresh worker that sends nothing for this long is broken
STALL = 20.0  # no progress for this long after the last restart ends the drain
LEASE_SECONDS = 2
# A real aggregator answers in a few hundred ms; at 32 sends in flight that keeps the worker busy
# through all five kills instead of draining 2,000 messages before the third.
GATEWAY_LATENCY = 0.2


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[CountingGateway, str]]:
    async with counting_gateway(GATEWAY_LATENCY) as served:
        yield served


async def test_a_worker_killed_five_times_still_sends_every_message(
    db: Settings, backend: str, gateway: tuple[CountingGateway, str], tmp_path: Path
) -> None:
    if backend == "sqlite":
        pytest.skip("the worker runs in another process; that needs a PostgreSQL server")
    fake, url = gateway
    references = await queue_due_messages(MESSAGES)
    environ = worker_environ(
        db, url, tmp_path / "var", lease_seconds=LEASE_SECONDS, database_url=db.database_url
    )
    log_path = tmp_path / "worker.log"
    rng = random.Random(SEED)
    deadline = time.monotonic() + DEADLINE
    stranded: list[int] = []  # rows left in `sending` by each kill
    worker: subprocess.Popen[bytes] | None = None

    with log_path.open("ab") as log:

        def start() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                [sys.executable, "-m", "mgov.cli", "worker"],
                cwd=REPO,
                env=environ,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

        def alive(process: subprocess.Popen[bytes]) -> None:
            assert process.poll() is None, (
                f"the worker exited with {process.returncode}:\n{tail(log_path)}"
            )

        try:
            for _ in range(KILLS):
                worker = start()
                before = fake.sends
                # Kill while it works: from its first send on, not during interpreter start-up.
                first_send_by = min(deadline, time.monotonic() + FIRST_SEND_WAIT)
                while fake.sends == before and time.monotonic() < first_send_by:
                    alive(worker)
                    await asyncio.sleep(0.02)
                assert fake.sends > before, f"the worker sent nothing:\n{tail(log_path)}"
                await asyncio.sleep(rng.uniform(0.2, 1.5))
                alive(worker)
                worker.send_signal(signal.SIGKILL)
                worker.wait(timeout=10)
                stranded.append(await OutboxMessage.filter(status=OutboxStatus.SENDING).count())

            worker = start()
            sent, progress_at = -1, time.monotonic()
            while time.monotonic() < deadline and time.monotonic() - progress_at < STALL:
                now_sent = await OutboxMessage.filter(status=OutboxStatus.SENT).count()
                if now_sent == MESSAGES:
                    break
                if now_sent != sent:
                    sent, progress_at = now_sent, time.monotonic()
                alive(worker)
                await asyncio.sleep(0.25)
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=15)
        finally:
            if worker is not None and worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)

    statuses = await status_counts()
    missing = references - set(fake.references)
    duplicates = fake.sends - len(fake.references)
    report = (
        f"kill test (seed {SEED}): {fake.sends} sends for {len(fake.references)} references, "
        f"{duplicates} duplicates; rows in `sending` after each kill {stranded}; "
        f"final statuses {statuses}; {len(missing)} never reached the gateway"
    )
    print(report)
    assert sum(stranded) > 0, f"no kill interrupted a batch, so nothing was tested: {report}"
    assert not missing, report
    # A reference arrives twice only when a kill cut its row off between send and outcome.
    assert duplicates <= sum(stranded), report
    assert statuses == {OutboxStatus.SENT.value: MESSAGES}, f"{report}\n{tail(log_path)}"


async def test_a_claim_skips_rows_another_claimer_holds(db: Settings, backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("row locks are PostgreSQL's; SQLite claims with a conditional UPDATE")
    references = sorted(await queue_due_messages(10))
    held = (
        await OutboxMessage.all().order_by("next_attempt_at").limit(5).values_list("id", flat=True)
    )
    locked, release = asyncio.Event(), asyncio.Event()

    async def other_claimer() -> None:
        """Another worker in the middle of its claim: the 5 oldest rows locked, not yet updated."""
        async with in_transaction():
            await OutboxMessage.filter(id__in=list(held)).select_for_update()
            locked.set()
            await release.wait()

    holder = asyncio.create_task(other_claimer())
    try:
        await asyncio.wait_for(locked.wait(), timeout=10)
        started = time.monotonic()
        claim = asyncio.create_task(claim_due_messages(limit=10, lease=timedelta(minutes=2)))
        done, _ = await asyncio.wait({claim}, timeout=1.0)
        waited = time.monotonic() - started
    finally:
        release.set()
        await holder
    claimed = await claim
    assert len(references) == 10
    assert done, f"the claim waited {waited:.1f} s for rows another claimer holds"
    assert {m.id for m in claimed}.isdisjoint(held)
    assert len(claimed) == 5
