"""A message held for the night waits only as long as the quiet hours configured now: `mgov
worker` started with `MGOV_QUIET_HOURS=off` on a database that holds such messages sends them."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

from domain.alerts.enqueue import enqueue_message
from domain.alerts.quiet_hours import HELD_FOR_QUIET_HOURS, QuietHours
from domain.local_time import utc_now
from domain.policy import current_policy
from infra.settings import Settings
from mgov.worker_process import release_for_quiet_hours
from models import OutboxMessage
from models.enums import Channel, OutboxStatus
from notifications.providers.log import LogProvider
from notifications.worker import OutboxWorker, WorkerConfig
from tests.factories import make_citizen

SEND_DEADLINE = 60.0


def _quiet_now(*, ends_in: timedelta = timedelta(hours=1)) -> QuietHours:
    """Quiet hours from an hour ago until `ends_in` from now, whatever the hour the test runs."""
    local = utc_now().astimezone(current_policy().timezone)
    start, end = local - timedelta(hours=1), local + ends_in
    return QuietHours(
        start=clock(start.hour, start.minute), end=clock(end.hour, end.minute), tz=local.tzinfo
    )


async def _held_alert() -> OutboxMessage:
    """An alert that a worker in quiet hours held back for the morning."""
    citizen = await make_citizen()
    message = await enqueue_message(
        citizen=citizen,
        template="dossier_result_ready",
        params={"code": "H29.99-261203-0001", "office": "phường Sài Gòn"},
        channel=Channel.SMS,
    )
    assert message is not None
    worker = OutboxWorker(
        sms_providers=[LogProvider(io.StringIO())], config=WorkerConfig(quiet_hours=_quiet_now())
    )
    await worker.drain()
    held = await OutboxMessage.get(id=message.id)
    assert (held.status, held.last_error) == (OutboxStatus.QUEUED, HELD_FOR_QUIET_HOURS)
    assert held.next_attempt_at > utc_now() + timedelta(minutes=30)
    return held


def _worker_environ(settings: Settings, var_dir: Path) -> dict[str, str]:
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
        MGOV_QUIET_HOURS="off",
        MGOV_LOG_LEVEL="INFO",
    )
    return environ


async def test_a_worker_started_with_quiet_hours_off_sends_what_was_held(
    db: Settings, tmp_path: Path
) -> None:
    held = await _held_alert()
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "mgov.cli", "worker"],
            env=_worker_environ(db, tmp_path),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + SEND_DEADLINE
        while (await OutboxMessage.get(id=held.id)).status == OutboxStatus.QUEUED:
            assert worker.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, f"still held:\n{log_path.read_text()}"
            await asyncio.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    sent = await OutboxMessage.get(id=held.id)
    assert (sent.status, sent.last_error) == (OutboxStatus.SENT, "")
    output = log_path.read_text()
    assert f"ref {held.id}" in output
    assert "1 messages held for quiet hours now wait by MGOV_QUIET_HOURS" in output


async def test_held_messages_wait_for_the_quiet_hours_configured_now(db: Settings) -> None:
    held = await _held_alert()
    assert await release_for_quiet_hours(_quiet_now()) == 0  # the same hours: the same morning
    assert (await OutboxMessage.get(id=held.id)).next_attempt_at == held.next_attempt_at
    shorter = _quiet_now(ends_in=timedelta(minutes=10))
    assert await release_for_quiet_hours(shorter) == 1
    moved = await OutboxMessage.get(id=held.id)
    assert utc_now() < moved.next_attempt_at <= utc_now() + timedelta(minutes=11)
