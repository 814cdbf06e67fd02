"""Outbox throughput: the worker draining N queued SMS to a local gateway, against a bare client.

    .venv/bin/python bench/outbox.py [--messages 10000] [--workers 1] [--settings 200x64,100x32]

It creates its own PostgreSQL database (on MGOV_BENCH_POSTGRES_URL, else MGOV_TEST_POSTGRES_URL,
else postgres://postgres@127.0.0.1:5432/postgres), migrates it with the checked-in migrations,
and drops it at the end. The fake gateway runs in a separate process (so its CPU does not share
the event loop with the worker) on 127.0.0.1; all traffic stays on loopback. For each setting
`BATCHxCONCURRENCY[@POOL]` it first sends --warmup messages through both sides untimed, then
queues N fresh messages, times `OutboxWorker.drain` (the loop
`mgov worker` runs, ending when the outbox is empty), then times a bare aiohttp client posting
the same N bodies to the same gateway with the same concurrency, and prints messages/s for
both, their ratio, and the CPU time each spent per message.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from bench_postgres import admin_url, bench_settings, database_on
from outbox_gateway import start_gateway  # beside this script, in bench/
from tortoise.connection import get_connection

from domain.catalogue import text
from domain.local_time import utc_now
from domain.sms_text import to_sms_text
from infra.database import migrate_database, open_database
from infra.logs import configure_logging
from infra.postgres_pool import asyncpg_dsn
from infra.settings import Settings
from models import Citizen, OutboxMessage
from models.enums import Channel, Language, OutboxStatus
from notifications.providers.base import OUTBOUND_TIMEOUT
from notifications.providers.http_sms import HttpSmsProvider
from notifications.worker import OutboxWorker, WorkerConfig

CITIZENS = 500
DRAIN_DEADLINE = 600.0  # seconds for one drain, however slow the machine


# --- the database ----------------------------------------------------------------------------


async def queue_messages(count: int) -> list[dict[str, str]]:
    """Empty outbox, then `count` due SMS spread over citizens; returns the gateway bodies."""
    await get_connection("default").execute_script("TRUNCATE outbox_message CASCADE")
    citizens = await Citizen.all().order_by("id").values_list("id", "phone")
    now = utc_now()
    rows = []
    for n in range(count):
        citizen_id, phone = citizens[n % len(citizens)]
        params = {"code": f"H29.99-261123-{n % 10000:04d}", "office": "phường Sài Gòn"}
        rows.append(
            OutboxMessage(
                id=uuid.uuid4(),
                citizen_id=citizen_id,
                phone=phone,
                channel=Channel.SMS,
                template="dossier_result_ready",
                params=params,
                language=Language.VI,
                body=text("sms.dossier_result_ready", Language.VI, **params),
                next_attempt_at=now - timedelta(microseconds=count - n),
            )
        )
    await OutboxMessage.bulk_create(rows, batch_size=1000)
    await get_connection("default").execute_script("VACUUM ANALYZE outbox_message")
    return [
        {"to": r.phone, "text": to_sms_text(r.body, keep_diacritics=False), "reference": str(r.id)}
        for r in rows
    ]


async def add_citizens() -> None:
    await Citizen.bulk_create(
        [Citizen(phone=f"+8491{n:07d}", full_name=f"Công dân {n}") for n in range(CITIZENS)]
    )


# --- the two clients -------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    batch: int
    concurrency: int
    pool: int | None

    @classmethod
    def parse(cls, value: str) -> Setting:
        shape, _, pool = value.partition("@")
        batch, _, concurrency = shape.partition("x")
        return cls(int(batch), int(concurrency), int(pool) if pool else None)

    def __str__(self) -> str:
        pool = f"pool {self.pool}" if self.pool else "pool 5 (default)"
        worker = WorkerConfig()
        deployed = (self.batch, self.concurrency) == (worker.batch_size, worker.concurrency)
        return (
            f"batch {self.batch:>4}, concurrency {self.concurrency:>3}{'*' if deployed else ' '}, "
            f"{pool:<16}"
        )


@dataclass(frozen=True)
class Timing:
    seconds: float
    cpu: float  # this process's CPU seconds in the same span (1.0 × seconds: one core saturated)


async def timed(run: Awaitable[object]) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.wait_for(run, DRAIN_DEADLINE)
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


async def drain_with_workers(
    http: aiohttp.ClientSession, url: str, setting: Setting, workers: int
) -> Timing:
    """Time for `workers` OutboxWorkers (one event loop) to send every queued message."""
    config = WorkerConfig(
        batch_size=setting.batch, concurrency=setting.concurrency, quiet_hours=None
    )
    provider = HttpSmsProvider(session=http, url=f"{url}/sms")
    crew = [OutboxWorker(sms_providers=[provider], config=config) for _ in range(workers)]
    return await timed(asyncio.gather(*(worker.drain() for worker in crew)))


async def post_bare(
    http: aiohttp.ClientSession, url: str, bodies: list[dict[str, str]], concurrency: int
) -> Timing:
    """Time for a bare client to post every body with `concurrency` requests in flight."""
    pending: Iterator[dict[str, str]] = iter(bodies)

    async def lane() -> None:
        for body in pending:
            async with http.post(f"{url}/sms", json=body) as response:
                response.raise_for_status()
                await response.json(content_type=None)

    return await timed(asyncio.gather(*(lane() for _ in range(concurrency))))


async def warm_up(http: aiohttp.ClientSession, url: str, setting: Setting, count: int) -> None:
    """Both sides once through a few messages, untimed: a worker process runs for days, so
    what is measured is its steady state, not its first connections and prepared statements;
    and the bare client, timed second, would otherwise find the connections the worker opened."""
    bodies = await queue_messages(count)
    await drain_with_workers(http, url, setting, 1)
    await post_bare(http, url, bodies, setting.concurrency)
    await gateway_stats(http, url, reset=True)


async def gateway_stats(http: aiohttp.ClientSession, url: str, *, reset: bool) -> dict[str, int]:
    async with http.get(f"{url}/stats") as response:
        stats: dict[str, int] = await response.json()
    if reset:
        async with http.post(f"{url}/reset") as response:
            response.raise_for_status()
    return stats


async def profiled(run: Callable[[], Awaitable[Timing]], out: Path | None) -> Timing:
    if out is None:
        return await run()
    profile = cProfile.Profile()
    profile.enable()
    try:
        return await run()
    finally:
        profile.disable()
        profile.dump_stats(out)
        report = io.StringIO()
        pstats.Stats(profile, stream=report).sort_stats("cumulative").print_stats(40)
        out.with_suffix(".txt").write_text(report.getvalue(), encoding="utf-8")
        print(f"  profile: {out} (top 40 by cumulative time in {out.with_suffix('.txt')})")


# --- the run ---------------------------------------------------------------------------------


async def bench_setting(
    settings: Settings, url: str, setting: Setting, args: argparse.Namespace
) -> dict[str, Any]:
    async with open_database(settings), aiohttp.ClientSession(timeout=OUTBOUND_TIMEOUT) as http:
        if args.warmup:
            await warm_up(http, url, setting, args.warmup)
        bodies = await queue_messages(args.messages)
        await gateway_stats(http, url, reset=True)
        profile = args.profile if args.profile and setting == args.profile_setting else None
        worker = await profiled(
            lambda: drain_with_workers(http, url, setting, args.workers), profile
        )
        worker_stats = await gateway_stats(http, url, reset=True)
        sent = await OutboxMessage.filter(status=OutboxStatus.SENT).count()
        if sent != args.messages or worker_stats["distinct"] != args.messages:
            raise RuntimeError(f"worker run incomplete: {sent} sent, gateway {worker_stats}")
        bare = await post_bare(http, url, bodies, setting.concurrency)
        bare_stats = await gateway_stats(http, url, reset=True)
        if bare_stats["sends"] != args.messages:
            raise RuntimeError(f"bare run incomplete: gateway {bare_stats}")
    worker_rate = args.messages / worker.seconds
    bare_rate = args.messages / bare.seconds
    return {
        "setting": setting,
        "worker": worker_rate,
        "worker_cpu": worker.cpu / worker.seconds,
        "worker_us": worker.cpu / args.messages * 1e6,
        "bare_us": bare.cpu / args.messages * 1e6,
        "bare": bare_rate,
        "bare_cpu": bare.cpu / bare.seconds,
        "ratio": worker_rate / bare_rate,
        "duplicates": worker_stats["sends"] - worker_stats["distinct"],
    }


async def main_async(args: argparse.Namespace, url: str, var_dir: Path) -> list[dict[str, Any]]:
    server = admin_url()
    name = f"mgov_bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(asyncpg_dsn(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    results = []
    try:
        await migrate_database(bench_settings(database_on(server, name), var_dir), quiet=True)
        async with open_database(bench_settings(database_on(server, name), var_dir)):
            await add_citizens()
        for setting in args.settings:
            settings = bench_settings(database_on(server, name, setting.pool), var_dir)
            result = await bench_setting(settings, url, setting, args)
            results.append(result)
            print(
                f"{setting}: worker {result['worker']:6.0f} msg/s "
                f"(CPU {result['worker_cpu']:4.0%}), bare {result['bare']:6.0f} msg/s "
                f"(CPU {result['bare_cpu']:4.0%}), ratio {result['ratio']:.2f}; CPU per message: "
                f"worker {result['worker_us']:.0f} µs, bare {result['bare_us']:.0f} µs; "
                f"duplicates {result['duplicates']}",
                flush=True,
            )
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return results


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1, help="OutboxWorkers on one loop")
    parser.add_argument(
        "--settings",
        default="200x64,100x32,500x100,200x64@20",
        help="comma-separated BATCHxCONCURRENCY[@POOL] (POOL: the database pool's maxsize); "
        "* marks mgov worker's own batch and concurrency",
    )
    parser.add_argument("--latency-ms", type=float, default=0.0, help="gateway answer delay")
    parser.add_argument(
        "--warmup", type=int, default=1000, help="messages through both sides before timing"
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        help="the worker's log level (INFO, as deployed: a line per outcome flush and per failure; "
        "written to /dev/null)",
    )
    parser.add_argument("--profile", type=Path, default=None, help="cProfile one worker drain")
    parser.add_argument("--profile-setting", default=None, help="which setting to profile")
    args = parser.parse_args(argv)
    args.settings = [Setting.parse(item) for item in args.settings.split(",") if item.strip()]
    args.profile_setting = (
        Setting.parse(args.profile_setting) if args.profile_setting else args.settings[0]
    )
    if args.messages < 1 or args.workers < 1 or args.warmup < 0:
        parser.error("--messages and --workers must be positive, --warmup not negative")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(args.log_level)
    devnull = open(os.devnull, "w")  # closed when the run ends
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)
    gateway, url = start_gateway(args.latency_ms / 1000)
    print(
        f"outbox bench: {args.messages} messages, {args.workers} worker(s), "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, log level {args.log_level}, "
        f"gateway latency {args.latency_ms:g} ms",
        flush=True,
    )
    try:
        with tempfile.TemporaryDirectory(prefix="mgov-bench-") as var_dir:
            results = asyncio.run(main_async(args, url, Path(var_dir)))
    finally:
        gateway.terminate()
        gateway.join(10)
        devnull.close()
    best = max(results, key=lambda result: result["worker"])
    print(
        f"best: {best['setting']}: {best['worker']:.0f} msg/s, ratio {best['ratio']:.2f} "
        f"(targets: >= 1000 msg/s and >= 0.5 of the bare client)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
