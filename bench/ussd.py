"""USSD throughput: N concurrent 4-hop sessions against a real uvicorn server on PostgreSQL.

    .venv/bin/python bench/ussd.py [--sessions 64] [--rounds 10] [--pool 20] [--repeat 2]

It creates its own PostgreSQL database (on MGOV_BENCH_POSTGRES_URL, else MGOV_TEST_POSTGRES_URL,
else postgres://postgres@127.0.0.1:5432/postgres), migrates it, loads the demo city plus one
citizen with one dossier per concurrent session, and drops the database at the end.

The server is one uvicorn process (as `mgov web` runs it: uvloop, httptools) serving the real
app plus two baseline endpoints that live only in this script: `/bench/hello` (plain Starlette)
and `/bench/raw` (the same session read + write as one hop, with raw asyncpg). The load comes
from this process: N aiohttp sessions, each dialling then pressing keys (with no pause between
hops unless --think-ms says how long a person takes on average to read and type):

    dial (main menu) → 1 (own dossiers) → 1 (the first one) → 00 (main menu)

and prints hops/s, p50 and p99 latency for each target, and the USSD door's ratio to both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

import aiohttp
import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_postgres import admin_url, database_on  # noqa: E402

from domain.dossiers.records import SYSTEM, receive_dossier  # noqa: E402
from infra.database import migrate_database, open_database  # noqa: E402
from infra.postgres_pool import asyncpg_dsn  # noqa: E402
from infra.settings import load_settings  # noqa: E402
from mgov.demo import load_demo_data  # noqa: E402
from mgov.web import create_app  # noqa: E402
from models import Citizen, Office, Procedure  # noqa: E402

HOPS = ["", "1", "1*1", "1*1*00"]
TARGETS = {
    "hello": "/bench/hello",
    "raw": "/bench/raw",
    "ussd": "/channels/ussd/africastalking",
}
ENVIRON = {
    "MGOV_ENV": "development",
    "MGOV_SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
    "MGOV_PII_HASH_KEY": "bench-pii-key-not-for-production-0123456789",
    "MGOV_LOG_LEVEL": "WARNING",
}


def _phone(n: int) -> str:
    return f"+84903{n:06d}"


# --- the server, in its own process ------------------------------------------------------------

_READ = (
    "SELECT id, screen, state, last_text, last_reply, hops FROM ussd_session "
    "WHERE session_id = $1 AND expires_at > now()"
)
_WRITE = (
    "UPDATE ussd_session SET screen = $2, state = $3, last_text = $4, last_reply = $5, "
    "hops = hops + 1, expires_at = now() + interval '5 minutes' WHERE id = $1"
)
_CITIZEN = "SELECT id, phone, language FROM citizen WHERE phone = $1"
_INSERT = (
    "INSERT INTO ussd_session (session_id, phone, citizen_id, screen, state, language, last_text,"
    " last_reply, hops, ended, resumable, expires_at, created_at) VALUES ($1, $2, $3, 'main', $4,"
    " $5, '', $6, 1, false, false, now() + interval '5 minutes', now())"
)


def bench_app(database_url: str, pool_size: int) -> Starlette:
    """The production app, plus the two baselines measured on the same server."""
    settings = load_settings({**ENVIRON, "DATABASE_URL": database_url})
    app = create_app(settings)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with inner(app):
            dsn = asyncpg_dsn(database_url)
            async with asyncpg.create_pool(dsn, min_size=1, max_size=pool_size) as pool:
                app.state.raw_pool = pool
                yield

    async def hello(request: Request) -> Response:
        return PlainTextResponse("CON hello")

    async def raw_hop(request: Request) -> Response:
        """What a hop is at the least: parse, read the session, write it back, answer."""
        form = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
        state = json.dumps({"params": {}, "stack": [], "page": 0, "pages": 1})
        reply = "CON " + form.get("text", "")
        async with request.app.state.raw_pool.acquire() as connection:
            row = await connection.fetchrow(_READ, form["sessionId"])
            if row is None:
                citizen = await connection.fetchrow(_CITIZEN, form["phoneNumber"])
                await connection.execute(
                    _INSERT,
                    form["sessionId"],
                    citizen["phone"],
                    citizen["id"],
                    state,
                    citizen["language"],
                    reply,
                )
            else:
                await connection.execute(
                    _WRITE, row["id"], "main", state, form.get("text", ""), reply
                )
        return PlainTextResponse(reply)

    app.router.lifespan_context = lifespan
    app.router.routes.append(Route("/bench/hello", hello, methods=["POST"]))
    app.router.routes.append(Route("/bench/raw", raw_hop, methods=["POST"]))
    return app


def _serve(database_url: str, pool_size: int, port: int, var_dir: str) -> None:
    import uvicorn

    os.environ["MGOV_VAR_DIR"] = var_dir
    app = bench_app(database_url, pool_size)
    uvicorn.run(
        app, host="127.0.0.1", port=port, log_config=None, log_level="warning", access_log=False
    )


# --- the load ----------------------------------------------------------------------------------


@dataclass
class Result:
    target: str
    hops: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rate(self) -> float:
        return self.hops / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def _sessions(
    base: str, path: str, target: str, sessions: int, rounds: int, check: bool, think: float = 0
) -> Result:
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=sessions)

    async with aiohttp.ClientSession(connector=connector) as http:

        async def one_phone(n: int) -> None:
            nonlocal errors
            # People do not type in step: each pause is drawn around the mean (seeded, so runs
            # repeat). A fixed pause would keep all N sessions firing together in bursts of N.
            pauses = random.Random(n)
            for r in range(rounds):
                session_id = f"{target}_{n}_{r}_{uuid.uuid4().hex[:8]}"
                for text in HOPS:
                    if think:
                        await asyncio.sleep(pauses.uniform(0, 2 * think))
                    form = {
                        "sessionId": session_id,
                        "serviceCode": "*384*1234#",
                        "phoneNumber": _phone(n),
                        "networkCode": "45204",
                        "text": text,
                    }
                    started = time.perf_counter()
                    async with http.post(base + path, data=form) as response:
                        body = await response.text()
                    latencies.append(time.perf_counter() - started)
                    if response.status != 200 or not body.startswith("CON "):
                        errors += 1
                    elif check and text == "1*1" and "Hen tra" not in body:
                        errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(one_phone(n) for n in range(sessions)))
        elapsed = time.perf_counter() - started
    return Result(target, len(latencies), elapsed, latencies, errors)


# --- set-up and the run ------------------------------------------------------------------------


async def _prepare(database_url: str, var_dir: Path, sessions: int) -> None:
    settings = load_settings(
        {**ENVIRON, "DATABASE_URL": database_url, "MGOV_VAR_DIR": str(var_dir)}
    )
    await migrate_database(settings, quiet=True)
    async with open_database(settings):
        await load_demo_data(out=lambda line: None)
        office = await Office.filter(agency__code="H29.99").first()
        procedure = await Procedure.filter(agency__code="H29.99").first()
        assert office is not None and procedure is not None
        for n in range(sessions):
            citizen = await Citizen.create(phone=_phone(n), full_name=f"Bench {n}")
            await receive_dossier(citizen=citizen, procedure=procedure, office=office, actor=SYSTEM)


async def _wait_ready(base: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(base + "/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the server did not become ready within 30 s")


def _print(results: list[Result]) -> None:
    print(f"{'target':<10} {'hops':>7} {'hops/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for r in results:
        print(
            f"{r.target:<10} {r.hops:>7} {r.rate:>9.0f} {r.percentile(0.5):>8.1f}"
            f" {r.percentile(0.99):>8.1f} {r.errors:>6}"
        )


async def run(args: argparse.Namespace) -> None:
    admin = admin_url()
    name = f"mgov_bench_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(asyncpg_dsn(admin))
    await connection.execute(f'CREATE DATABASE "{name}"')
    database_url = database_on(admin, name, args.pool)
    server = None
    try:
        with tempfile.TemporaryDirectory() as var_dir:
            await _prepare(database_url, Path(var_dir), args.sessions)
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            context = multiprocessing.get_context("spawn")
            server = context.Process(target=_serve, args=(database_url, args.pool, port, var_dir))
            server.start()
            base = f"http://127.0.0.1:{port}"
            await _wait_ready(base)
            targets = [(t, TARGETS[t]) for t in args.targets.split(",")]
            for target, path in targets:  # warm-up: pools filled, code paths compiled
                await _sessions(base, path, target, args.sessions, 1, False)
            print(
                f"{args.sessions} concurrent sessions x {args.rounds} rounds x {len(HOPS)} hops,"
                f" think {args.think_ms:g} ms, pool {args.pool}, PostgreSQL {name}"
            )
            best: dict[str, Result] = {}
            for _ in range(args.repeat):
                results = [
                    await _sessions(
                        base, path, t, args.sessions, args.rounds, t == "ussd", args.think_ms / 1000
                    )
                    for t, path in targets
                ]
                _print(results)
                for r in results:
                    if r.target not in best or r.rate > best[r.target].rate:
                        best[r.target] = r
            if {"hello", "raw", "ussd"} <= best.keys():
                ussd = best["ussd"]
                print(
                    f"best of {args.repeat}: ussd {ussd.rate:.0f} hops/s,"
                    f" p50 {ussd.percentile(0.5):.1f} ms, p99 {ussd.percentile(0.99):.1f} ms;"
                    f" ratio to hello {ussd.rate / best['hello'].rate:.2f},"
                    f" to raw asyncpg {ussd.rate / best['raw'].rate:.2f}"
                )
    finally:
        if server is not None:
            server.terminate()
            server.join(10)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=64, help="concurrent sessions (N)")
    parser.add_argument("--rounds", type=int, default=10, help="sessions each of the N runs")
    parser.add_argument("--pool", type=int, default=20, help="database pool maxsize")
    parser.add_argument("--repeat", type=int, default=2, help="measured passes over the targets")
    parser.add_argument("--targets", default="hello,raw,ussd", help="comma-separated")
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0,
        help="mean pause before each hop (a person reading and typing), drawn from 0 to 2x",
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
