"""Memory under a flood of large bodies: N parallel POSTs of M MB each to `mgov web`, and the web
process's resident memory (Linux `/proc/<pid>/status`) before, at its peak and after.

    .venv/bin/python bench/body_flood.py [--bodies 30] [--megabytes 10]

It runs `mgov web` from the checkout it sits in (so a copy of this file in an older checkout
measures that code), on a fresh SQLite database in a temporary directory, and posts each body as
`{"phone": "999…"}` to `POST /v1/auth/otp`. It prints the resident set before the flood (VmRSS,
and the peak of start-up, VmHWM), the peak after it and the resident set after, and what the
server answered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _memory_mib(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields


def _env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MGOV_") and k != "DATABASE_URL"}
    env.update(
        MGOV_VAR_DIR=str(var),
        DATABASE_URL=f"sqlite://{var / 'flood.sqlite3'}",
        MGOV_LOG_LEVEL="WARNING",
    )
    return env


async def _flood(base: str, bodies: int, megabytes: int) -> Counter[str]:
    body = b'{"phone": "' + b"9" * (megabytes * 1024 * 1024) + b'"}'
    headers = {"Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=bodies)

    async def one(client: httpx.AsyncClient) -> str:
        try:
            response = await client.post(f"{base}/v1/auth/otp", content=body, headers=headers)
        except httpx.TransportError as exc:  # a server that answers early may close mid-upload
            return type(exc).__name__
        return str(response.status_code)

    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        return Counter(await asyncio.gather(*(one(client) for _ in range(bodies))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=30)
    parser.add_argument("--megabytes", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mgov-flood-") as tmp:
        var = Path(tmp)
        env = _env(var)
        command = [sys.executable, "-m", "mgov.cli"]
        subprocess.run([*command, "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
        port = _free_port()
        server = subprocess.Popen(
            [*command, "web", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                assert server.poll() is None, "mgov web exited"
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "mgov web did not start"
                time.sleep(0.2)
            before = _memory_mib(server.pid)
            answers = asyncio.run(_flood(base, args.bodies, args.megabytes))
            after = _memory_mib(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=15)
    print(
        f"{args.bodies} x {args.megabytes} MB: rss before {before['VmRSS']:.0f} MiB "
        f"(peak so far {before['VmHWM']:.0f}), peak {after['VmHWM']:.0f} MiB, "
        f"after {after['VmRSS']:.0f} MiB; "
        f"answers {dict(sorted(answers.items()))}"
    )


if __name__ == "__main__":
    main()
