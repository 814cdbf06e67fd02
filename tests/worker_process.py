"""`mgov worker` in a process of its own against the test's database, and the gateway it sends
to: shared by the tests that stop it the hard way (a kill, a database outage)."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from aiohttp import web

from domain.catalogue import text
from domain.local_time import utc_now
from infra.settings import Settings
from models import OutboxMessage
from models.enums import Channel, Language, OutboxStatus
from tests.fake_gateway import GatewayServer

REPO = Path(__file__).resolve().parent.parent


class CountingGateway(GatewayServer):
    """The generic HTTP SMS gateway, reduced to counting how often each reference arrives (and
    when), answering after `latency` seconds as a real aggregator would."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.references: Counter[str] = Counter()
        self.arrivals: list[float] = []  # time.monotonic() of each send, in arrival order

    @property
    def sends(self) -> int:
        return self.references.total()

    async def _handle(self, request: web.Request) -> web.Response:
        payload = await request.json()
        self.references[payload["reference"]] += 1  # taken: a kill from now on makes a duplicate
        self.arrivals.append(time.monotonic())
        await asyncio.sleep(self.latency)
        return web.json_response({"id": f"gw-{self.sends}", "status": "accepted"})


@asynccontextmanager
async def counting_gateway(latency: float) -> AsyncIterator[tuple[CountingGateway, str]]:
    """A CountingGateway serving on a free port, and its URL, for as long as the block runs."""
    fake = CountingGateway(latency=latency)
    url = await fake.start()
    try:
        yield fake, url
    finally:
        await fake.close()


async def queue_due_messages(count: int) -> set[str]:
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


def worker_environ(
    settings: Settings, gateway_url: str, var_dir: Path, *, lease_seconds: int, database_url: str
) -> dict[str, str]:
    """The worker's environment: the test's secrets, the gateway, a short lease, batches of 50
    through 32 sends (see test_worker_kill), no quiet hours (tests run at any hour)."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MGOV_") and key not in ("DATABASE_URL", "PORT")
    }
    environ.update(
        MGOV_ENV="development",
        DATABASE_URL=database_url,
        MGOV_SECRET_KEY=str(settings.secret_key),
        MGOV_PII_HASH_KEY=str(settings.pii_hash_key),
        MGOV_VAR_DIR=str(var_dir),
        MGOV_SMS_PROVIDERS="http",
        MGOV_SMS_HTTP_URL=gateway_url,
        MGOV_WORKER_LEASE_SECONDS=str(lease_seconds),
        MGOV_WORKER_BATCH_SIZE="50",
        MGOV_WORKER_CONCURRENCY="32",
        MGOV_QUIET_HOURS="off",
        MGOV_LOG_LEVEL="INFO",
    )
    return environ


def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


async def status_counts() -> dict[str, int]:
    return {
        status.value: count
        for status in OutboxStatus
        if (count := await OutboxMessage.filter(status=status).count())
    }
