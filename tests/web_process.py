"""`mgov web` in a process of its own, on a free port and the test's database: for the tests that
need a real server (a browser, the process's log)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from infra.settings import Settings

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_web(
    db: Settings,
    tmp_path: Path,
    *,
    log_level: str = "WARNING",
    options: tuple[str, ...] = (),
    **more_env: str,
) -> Iterator[tuple[str, Path]]:
    """The server's base URL and the file its output goes to; it is stopped on the way out."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MGOV_")
        and key not in ("DATABASE_URL", "PORT", "PROMETHEUS_MULTIPROC_DIR")
    }
    env.update(
        DATABASE_URL=db.database_url,
        MGOV_VAR_DIR=str(tmp_path),
        MGOV_SECRET_KEY=str(db.secret_key),
        MGOV_PII_HASH_KEY=str(db.pii_hash_key),
        MGOV_LOG_LEVEL=log_level,
        **more_env,
    )
    log_path = tmp_path / "web.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mgov.cli",
            "web",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *options,
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the web server did not start"
            time.sleep(0.2)
        yield base, log_path
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
