"""Uploads: N parallel PDF uploads of M MiB into `mgov web`, its resident memory against its idle
memory, and its throughput against a bare Starlette endpoint taking the same bytes to disk.

    .venv/bin/python bench/uploads.py [--uploads 20] [--megabytes 10] [--rounds 5] [--postgres]

It runs `mgov web` from the checkout it sits in (so a copy of this file in an older checkout
measures that code) in a temporary var directory, on a fresh SQLite database there (its default)
or with `--postgres` on a PostgreSQL database of its own (`bench_postgres.py`), holding one
agency, one procedure whose published form asks for one PDF (`scan`, up to M + 1 MiB), and one
citizen with an access token issued directly (`issue_access_token`). Each upload goes to a draft
of its own (`POST /v1/applications`, made before the timing) as
`POST /v1/applications/{id}/documents?kind=scan`, multipart with the one part `file`: `%PDF-1.7`,
a line naming the round and the upload (so no two files share a hash), then random bytes.

The bare endpoint (`upload_sink.py`) is a uvicorn process of its own, started with the options
`mgov web` gives uvicorn: it writes `request.stream()` to a file and answers 201, with no
parsing, hashing (unless `--bare-sha256`), token or database. Both get the very same request
bytes, headers included.

Each round sends the N uploads at once to each side (which side goes first alternates: mgov,
bare, bare, mgov, ...); a side's throughput is the files' bytes over the time from the first
request to the last answer, its CPU time that of all its threads (/proc/<pid>/stat). Before a
side's round its peak resident set (VmHWM) is reset (`/proc/<pid>/clear_refs`); during the round
VmRSS is sampled every 5 ms, and VmHWM after it is the peak. Growth is the higher of the two less
the idle resident set, read after two warm-up uploads. Both sides' files are deleted after each
round. Every answer is checked (201, and the size the server counted).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from upload_servers import (  # noqa: E402 - beside this script, in bench/
    Server,
    cpu_seconds,
    database,
    environment,
    memory_mib,
    reset_peak,
    servers,
)

from domain.applications.catalog import publish_form  # noqa: E402
from domain.auth.app_tokens import issue_access_token  # noqa: E402
from domain.citizens import register_citizen  # noqa: E402
from domain.staff.audit import StaffCaller  # noqa: E402
from infra.database import migrate_database, open_database  # noqa: E402
from infra.settings import load_settings  # noqa: E402
from models import Agency, Procedure, StaffUser  # noqa: E402
from models.enums import AgencyLevel, OnlineLevel, StaffRole  # noqa: E402

MiB = 1024 * 1024
SAMPLE_SECONDS = 0.005
WARMUP = 2
RATIO_TARGET = 0.7
GROWTH_TARGET = 50
PROCEDURE = "2.000720"
KIND = "scan"
BOUNDARY = "mgovbenchb0undary"


# --- set-up ------------------------------------------------------------------------------------


async def _prepare(env: dict[str, str], megabytes: int) -> str:
    """The procedure, its form and the citizen; returns the citizen's bearer token, good for the
    15 minutes of an access token, which a run must finish within."""
    settings = load_settings(env)
    await migrate_database(settings, quiet=True)
    async with open_database(settings):
        agency = await Agency.create(
            code="H29.99",
            name_vi="UBND phường Sài Gòn",
            name_en="Sai Gon Ward",
            level=AgencyLevel.WARD,
        )
        await Procedure.create(
            code=PROCEDURE,
            name_vi="Đăng ký hộ kinh doanh",
            name_en="Household business registration",
            search_text="đăng ký hộ kinh doanh",
            agency=agency,
            processing_days=3,
            online_level=OnlineLevel.PARTIAL,
        )
        admin = await StaffUser.create(
            # "!" is no hash of any password: nobody signs in as this admin.
            username="bench-admin",
            password_hash="!",
            full_name="Bench",
            role=StaffRole.ADMIN,
        )
        scan = {
            "kind": KIND,
            "name_vi": "Bản vẽ",
            "name_en": "Drawings",
            "types": ["application/pdf"],
            "max_bytes": (megabytes + 1) * MiB,
        }
        await publish_form(
            caller=StaffCaller(admin),
            procedure_code=PROCEDURE,
            fields=[],
            documents=[scan],
            online_level=OnlineLevel.PARTIAL,
        )
        citizen = await register_citizen(phone="0903000001", full_name="Bench")
        return issue_access_token(citizen_id=citizen.id, secret=str(settings.secret_key))


async def _drafts(
    http: aiohttp.ClientSession, base: str, headers: dict[str, str], n: int
) -> list[int]:
    ids = []
    for _ in range(n):
        async with http.post(
            f"{base}/v1/applications", json={"procedure_code": PROCEDURE}, headers=headers
        ) as response:
            assert response.status == 201, await response.text()
            ids.append(int((await response.json())["id"]))
    return ids


# --- the load ----------------------------------------------------------------------------------


@dataclass
class Side:
    name: str
    pid: int
    idle: float  # MiB
    urls: list[str]  # one per upload still to send, consumed round by round


@dataclass
class Result:
    name: str
    seconds: float
    megabytes: float
    peak: float  # VmHWM after the round, MiB
    sampled: float  # the highest VmRSS sampled during it
    idle: float
    server_cpu: float  # seconds, every thread of the server process
    client_cpu: float  # seconds, this process
    errors: int

    @property
    def rate(self) -> float:
        return self.megabytes / self.seconds

    @property
    def growth(self) -> float:
        return max(self.peak, self.sampled) - self.idle


def _file(payload: bytes, label: str) -> bytes:
    head = f"%PDF-1.7\n% {label}\n".encode()
    return head + payload[len(head) :]


def _multipart(content: bytes) -> bytes:
    start = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="banve.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return start + content + f"\r\n--{BOUNDARY}--\r\n".encode()


async def _send(
    http: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str], size: int
) -> bool:
    async with http.post(url, data=body, headers=headers) as response:
        answer = await response.json(content_type=None)
    return response.status == 201 and answer.get("size") in (size, len(body))


async def _round(
    http: aiohttp.ClientSession,
    side: Side,
    bodies: Sequence[bytes],
    headers: dict[str, str],
    size: int,
) -> Result:
    urls, side.urls = side.urls[: len(bodies)], side.urls[len(bodies) :]
    reset_peak(side.pid)
    sampled = 0.0
    running = True

    async def sample() -> None:
        nonlocal sampled
        while running:
            sampled = max(sampled, memory_mib(side.pid)["VmRSS"])
            await asyncio.sleep(SAMPLE_SECONDS)

    sampler = asyncio.create_task(sample())
    server_cpu, client_cpu = cpu_seconds(side.pid), time.process_time()
    started = time.perf_counter()
    answers = await asyncio.gather(
        *(_send(http, url, body, headers, size) for url, body in zip(urls, bodies, strict=True))
    )
    seconds = time.perf_counter() - started
    server_cpu, client_cpu = cpu_seconds(side.pid) - server_cpu, time.process_time() - client_cpu
    running = False
    await sampler
    return Result(
        name=side.name,
        seconds=seconds,
        megabytes=len(bodies) * size / MiB,
        peak=memory_mib(side.pid)["VmHWM"],
        sampled=sampled,
        idle=side.idle,
        server_cpu=server_cpu,
        client_cpu=client_cpu,
        errors=answers.count(False),
    )


def _clear(sink: Path, documents: Path) -> None:
    """Both sides' files of a round deleted, so that neither pays for the other's writeback."""
    for path in sink.iterdir():
        path.unlink()
    for path in documents.glob("[0-9a-f][0-9a-f]/*/*"):
        path.unlink()


def _print_round(number: int, results: list[Result]) -> None:
    print(f"round {number}, {results[0].name} first")
    print(
        f"{'target':<6} {'MiB/s':>7} {'seconds':>7} {'server cpu %':>12} {'server ms/MiB':>13}"
        f" {'client ms/MiB':>13} {'peak MiB':>8} {'sampled MiB':>11} {'growth MiB':>10}"
        f" {'errors':>6}"
    )
    for r in sorted(results, key=lambda r: r.name != "mgov"):
        server, client = 1000 * r.server_cpu / r.megabytes, 1000 * r.client_cpu / r.megabytes
        print(
            f"{r.name:<6} {r.rate:>7.1f} {r.seconds:>7.2f} {100 * r.server_cpu / r.seconds:>12.0f}"
            f" {server:>13.2f} {client:>13.2f} {r.peak:>8.1f} {r.sampled:>11.1f}"
            f" {r.growth:>10.1f} {r.errors:>6}"
        )


def _summary(rounds: list[dict[str, Result]]) -> None:
    """Median and spread over the rounds, as a table; the ratio is taken within each round."""
    rows = {
        "mgov MiB/s": [r["mgov"].rate for r in rounds],
        "bare MiB/s": [r["bare"].rate for r in rounds],
        "mgov/bare throughput": [r["mgov"].rate / r["bare"].rate for r in rounds],
        "mgov growth MiB": [r["mgov"].growth for r in rounds],
        "bare growth MiB": [r["bare"].growth for r in rounds],
    }
    print(
        f"over the {len(rounds)} rounds (targets: mgov/bare ≥ {RATIO_TARGET}, mgov growth"
        f" < {GROWTH_TARGET} MiB)"
    )
    print(f"{'figure':<22} {'median':>8} {'min':>8} {'max':>8}")
    for label, values in rows.items():
        print(
            f"{label:<22} {statistics.median(values):>8.2f} {min(values):>8.2f} {max(values):>8.2f}"
        )
    ratio = statistics.median(rows["mgov/bare throughput"])
    growth = statistics.median(rows["mgov growth MiB"])
    print(
        f"verdict: throughput {'meets' if ratio >= RATIO_TARGET else 'misses'} its target,"
        f" memory {'meets' if growth < GROWTH_TARGET else 'misses'} its target (medians)"
    )


async def run(args: argparse.Namespace, var: Path) -> None:
    (var / "sink").mkdir()
    async with database(args.postgres, var) as database_url:
        env = environment(var, database_url)
        token = await _prepare(env, args.megabytes)
        timeout = aiohttp.ClientTimeout(total=600)
        # A connection per upload, as phones make them; kept-alive ones would idle past
        # uvicorn's 5 s keep-alive while the other side has its turn, and be closed under us.
        connector = aiohttp.TCPConnector(limit=args.uploads, force_close=True)
        async with (
            aiohttp.ClientSession(timeout=timeout, connector=connector) as http,
            servers(http, env, var / "sink", bare_sha256=args.bare_sha256) as (mgov, bare),
        ):
            print(f"pids: mgov web {mgov.pid}, bare {bare.pid}", file=sys.stderr)
            await _measure(args, http, token, mgov, bare, var)


async def _measure(
    args: argparse.Namespace,
    http: aiohttp.ClientSession,
    token: str,
    mgov: Server,
    bare: Server,
    var: Path,
) -> None:
    size = args.megabytes * MiB
    bearer = {"Authorization": f"Bearer {token}"}
    headers = {**bearer, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    drafts = await _drafts(http, mgov.base, bearer, WARMUP + args.uploads * args.rounds)
    urls = {
        "mgov": [f"{mgov.base}/v1/applications/{n}/documents?kind={KIND}" for n in drafts],
        "bare": [f"{bare.base}/upload"] * len(drafts),
    }
    payload = os.urandom(size)
    started = {server.name: memory_mib(server.pid)["VmRSS"] for server in (mgov, bare)}
    for n in range(WARMUP):  # one at a time: code paths run once, connections opened
        body = _multipart(_file(payload, f"warm-up {n}"))
        for name in urls:
            assert await _send(http, urls[name][n], body, headers, size), name
    sides = {
        server.name: Side(
            server.name, server.pid, memory_mib(server.pid)["VmRSS"], urls[server.name][WARMUP:]
        )
        for server in (mgov, bare)
    }
    print(
        f"{args.uploads} parallel uploads of {args.megabytes} MiB, {args.rounds} rounds,"
        f" mgov web on {'PostgreSQL' if args.postgres else 'SQLite'},"
        f" bare {'with' if args.bare_sha256 else 'without'} SHA-256;"
        f" {WARMUP} warm-up uploads one at a time"
    )
    rows = {
        "rss at start MiB": [started[name] for name in sides],
        "start-up peak MiB": [memory_mib(side.pid)["VmHWM"] for side in sides.values()],
        "idle rss MiB": [side.idle for side in sides.values()],
    }
    print(f"{'resident set':<18} {'mgov':>8} {'bare':>8}")
    for label, (mgov_mib, bare_mib) in rows.items():
        print(f"{label:<18} {mgov_mib:>8.1f} {bare_mib:>8.1f}")
    rounds: list[dict[str, Result]] = []
    for number in range(1, args.rounds + 1):
        bodies = [
            _multipart(_file(payload, f"round {number} upload {n}")) for n in range(args.uploads)
        ]
        order = ["mgov", "bare"] if number % 4 in (1, 0) else ["bare", "mgov"]
        results = {}
        for name in order:
            results[name] = await _round(http, sides[name], bodies, headers, size)
        _clear(var / "sink", var / "documents")
        _print_round(number, [results[name] for name in order])
        rounds.append(results)
    _summary(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=20, help="parallel uploads (N)")
    parser.add_argument("--megabytes", type=int, default=10, help="MiB per file (M), up to 15")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--postgres", action="store_true", help="a PostgreSQL database instead of SQLite"
    )
    parser.add_argument(
        "--bare-sha256", action="store_true", help="the bare endpoint hashes too, as mgov must"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mgov-uploads-") as tmp:
        asyncio.run(run(args, Path(tmp)))


if __name__ == "__main__":
    main()
