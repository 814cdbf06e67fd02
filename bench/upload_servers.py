"""The two servers of `bench/uploads.py` and what Linux says about them: `mgov web` from this
checkout, and the bare endpoint (`upload_sink.py`) in a uvicorn process of its own started with
the options `mgov web` gives uvicorn; each one's resident set and CPU time from /proc.

Imported by the script beside it (`bench/` is on its path when run as a script)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import asyncpg
from bench_postgres import admin_url, database_on

from infra.postgres_pool import asyncpg_dsn

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 60
ENVIRON = {
    "MGOV_ENV": "development",
    "MGOV_SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
    "MGOV_PII_HASH_KEY": "bench-pii-key-not-for-production-0123456789",
    "MGOV_LOG_LEVEL": "WARNING",
}
# What `mgov web` gives uvicorn (mgov/cli.py), for the bare endpoint's process.
UVICORN_OPTIONS = ["--no-proxy-headers", "--no-access-log", "--log-level", "warning"]


@dataclass(frozen=True)
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base: str

    @property
    def pid(self) -> int:
        return self.process.pid


def memory_mib(pid: int) -> dict[str, float]:
    """VmRSS (resident now) and VmHWM (the peak since start or the last reset), in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields


def reset_peak(pid: int) -> None:
    """VmHWM back to the current resident set (Linux: "5" to clear_refs, for our own child)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def cpu_seconds(pid: int) -> float:
    """User and system time of every thread of the process so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def environment(var: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MGOV_") and k != "DATABASE_URL"}
    env.update(ENVIRON, MGOV_VAR_DIR=str(var), DATABASE_URL=database_url)
    return env


@asynccontextmanager
async def database(postgres: bool, var: Path) -> AsyncIterator[str]:
    """SQLite in the var directory (`mgov web`'s default), or a PostgreSQL database of the run's
    own, dropped at the end."""
    if not postgres:
        yield f"sqlite://{var / 'uploads.sqlite3'}"
        return
    server = admin_url()
    name = f"mgov_bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(asyncpg_dsn(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_on(server, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(name: str, command: list[str], env: dict[str, str], port: int) -> Server:
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Server(name, process, f"http://127.0.0.1:{port}")


async def _wait_ready(http: aiohttp.ClientSession, server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        assert server.process.poll() is None, f"{server.name} exited"
        try:
            async with http.get(f"{server.base}/readyz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        assert time.monotonic() < deadline, f"{server.name} did not start"
        await asyncio.sleep(0.2)


@asynccontextmanager
async def servers(
    http: aiohttp.ClientSession, env: dict[str, str], sink: Path, *, bare_sha256: bool
) -> AsyncIterator[tuple[Server, Server]]:
    """`mgov web` and the bare endpoint, both answering /readyz; stopped on the way out."""
    started = [
        _start("mgov", [sys.executable, "-m", "mgov.cli", "web"], env, _free_port()),
        _start(
            "bare",
            [sys.executable, "-m", "uvicorn", "upload_sink:app", "--app-dir", str(ROOT / "bench")]
            + UVICORN_OPTIONS,
            {**env, "UPLOAD_SINK_DIR": str(sink), "UPLOAD_SINK_SHA256": str(int(bare_sha256))},
            _free_port(),
        ),
    ]
    try:
        for server in started:
            await _wait_ready(http, server)
        yield started[0], started[1]
    finally:
        for server in started:
            server.process.terminate()
            try:
                server.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()
