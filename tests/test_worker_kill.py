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
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from tortoise.transactions import in_transaction

from domain.catalogue import text
from domain.policy import utc_now
from mgov.settings import Settings
from models import OutboxMessage
from models.enums import Channel, Language, OutboxStatus
from notifications.claim import claim_due_messages
from tests.fake_gateway import GatewayServer

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
REPO = Path(__file__).resolve().parent.parent


class CountingGateway(GatewayServer):
    """The generic HTTP SMS gateway, reduced to counting how often each reference arrives."""

    def __init__(self) -> None:
        self.references: Counter[str] = Counter()

    @property
    def sends(self) -> int:
        return self.references.total()

    async def _handle(self, request: web.Request) -> web.Response:
        payload = await request.json()
        self.references[payload["reference"]] += 1  # taken: a kill from now on makes a duplicate
        await asyncio.sleep(GATEWAY_LATENCY)
        return web.json_response({"id": f"gw-{self.sends}", "status": "accepted"})


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[CountingGateway, str]]:
    fake = CountingGateway()
    url = await fake.start()
    yield fake, url
    await fake.close()


async def _queue_due_messages(count: int) -> set[str]:
    """Bulk rows as `enqueue_message` writes them: queued, due now, one reference each."""
    now = utc_now()
    rows = []
    for n in range(count):
        params = {"code": f"H29.99-261123-{n + 1:04d}", "office": "phường Sài Gòn"}
        rows.append(
            OutboxMessage(
                id=uuid.uuid4(),
                phone=f"+8491{n:07d}",  # outside the test-number range (+8490000000…)
                channel=Channel.SMS,
                template="dossier_result_ready",
                params=params,
                language=Language.VI,
                body=text("sms.dossier_result_ready", Language.VI, **params),
                next_attempt_at=now - timedelta(milliseconds=count - n),
            )
        )
    await OutboxMessage.bulk_create(rows, batch_size=500)
    return {str(row.id) for row in rows}


def _worker_environ(settings: Settings, gateway_url: str, var_dir: Path) -> dict[str, str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MGOV_") and key not in ("DATABASE_URL", "PORT")
    }
    environ.update(
        MGOV_ENV="development",
        DATABASE_URL=settings.database_url,
        MGOV_SECRET_KEY=str(settings.secret_key),
        MGOV_PII_HASH_KEY=str(settings.pii_hash_key),
        MGOV_VAR_DIR=str(var_dir),
        MGOV_SMS_PROVIDERS="http",
        MGOV_SMS_HTTP_URL=gateway_url,
        MGOV_WORKER_LEASE_SECONDS=str(LEASE_SECONDS),
        MGOV_WORKER_BATCH_SIZE="50",
        MGOV_WORKER_CONCURRENCY="32",
        MGOV_QUIET_HOURS="off",  # the test runs at any hour; quiet hours would defer it all
        MGOV_LOG_LEVEL="INFO",
    )
    return environ


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


async def _status_counts() -> dict[str, int]:
    return {
        status.value: count
        for status in OutboxStatus
        if (count := await OutboxMessage.filter(status=status).count())
    }


async def test_a_worker_killed_five_times_still_sends_every_message(
    db: Settings, backend: str, gateway: tuple[CountingGateway, str], tmp_path: Path
) -> None:
    if backend == "sqlite":
        pytest.skip("the worker runs in another process; that needs a PostgreSQL server")
    fake, url = gateway
    references = await _queue_due_messages(MESSAGES)
    environ = _worker_environ(db, url, tmp_path / "var")
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
                f"the worker exited with {process.returncode}:\n{_tail(log_path)}"
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
                assert fake.sends > before, f"the worker sent nothing:\n{_tail(log_path)}"
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

    statuses = await _status_counts()
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
    assert statuses == {OutboxStatus.SENT.value: MESSAGES}, f"{report}\n{_tail(log_path)}"


async def test_a_claim_skips_rows_another_claimer_holds(db: Settings, backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("row locks are PostgreSQL's; SQLite claims with a conditional UPDATE")
    references = sorted(await _queue_due_messages(10))
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
