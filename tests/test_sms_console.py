"""`mgov sms` against a real uvicorn server and the real worker: it prints the reply only once
the worker has sent it, and says plainly when there is no server or no worker."""

from __future__ import annotations

import asyncio
import io
import socket
import sys
from collections.abc import AsyncIterator

import pytest
import uvicorn

from infra.settings import Settings
from mgov.sms_console import ConsoleError, show_exchange, text_and_wait
from notifications.providers.log import LogProvider
from notifications.worker import OutboxWorker, WorkerConfig
from tests.conftest import build_app, empty_all_tables
from tests.subprocess_env import clean_environ


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def server(database: Settings) -> AsyncIterator[str]:
    """The app served by uvicorn on a loopback port, tables empty."""
    port = _free_port()
    config = uvicorn.Config(
        build_app(database), host="127.0.0.1", port=port, log_config=None, lifespan="on"
    )
    served = uvicorn.Server(config)
    task = asyncio.create_task(served.serve())
    while not served.started:
        await asyncio.sleep(0.02)
    await empty_all_tables()
    yield f"http://127.0.0.1:{port}"
    served.should_exit = True
    await task


async def test_the_reply_is_printed_once_the_worker_has_sent_it(server):
    printed = io.StringIO()
    worker = OutboxWorker(
        sms_providers=[LogProvider(out=printed)],
        config=WorkerConfig(quiet_hours=None, poll_interval=0.05),
    )
    stop = asyncio.Event()
    working = asyncio.create_task(worker.run(stop))
    try:
        reply = await text_and_wait(
            base_url=server, phone="0901234567", text="Hồ sơ H29.99-261005-0001", poll=0.05
        )
        first_stop = await text_and_wait(base_url=server, phone="0901234567", text="TU CHOI")
        second_stop = await text_and_wait(base_url=server, phone="0901234567", text="STOP")
    finally:
        stop.set()
        await working
    assert reply is not None and reply.status == "sent" and reply.segments == 1
    assert reply.text == (
        "Khong tim thay ho so H29 99 261005 0001. Vui long kiem tra ma tren giay tiep nhan."
    )
    assert reply.text in printed.getvalue()  # what the log provider showed as the phone's screen
    assert first_stop is not None and first_stop.text.startswith("Ong/ba da ngung")
    assert second_stop is None
    lines: list[str] = []
    show_exchange("STOP", second_stop, lines.append)
    show_exchange("HS x", reply, lines.append)
    assert lines[0] == "> STOP" and lines[1].startswith("(no reply")
    assert lines[3] == f"< {reply.text}" and lines[4] == "  (sent, 1 segment)"


async def test_without_a_worker_it_says_so(server):
    with pytest.raises(ConsoleError, match="mgov worker"):
        await text_and_wait(base_url=server, phone="0901234567", text="TG", timeout=0.3, poll=0.05)


async def test_without_a_server_it_says_so():
    with pytest.raises(ConsoleError, match="no mgov server"):
        await text_and_wait(
            base_url=f"http://127.0.0.1:{_free_port()}", phone="0901234567", text="TG"
        )


async def _mgov_sms(tmp_path, *args: str) -> tuple[int, str, str]:
    """`python -m mgov.cli sms …` in a subprocess, without blocking the loop serving the app."""
    env = clean_environ() | {"MGOV_VAR_DIR": str(tmp_path / "var")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "mgov.cli",
        "sms",
        *args,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_the_command_line_prints_the_exchange(server, tmp_path):
    worker = OutboxWorker(
        sms_providers=[LogProvider(out=io.StringIO())],
        config=WorkerConfig(quiet_hours=None, poll_interval=0.05),
    )
    stop = asyncio.Event()
    working = asyncio.create_task(worker.run(stop))
    try:
        code, out, err = await _mgov_sms(tmp_path, "--url", server, "0901234567", "tro giup")
    finally:
        stop.set()
        await working
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "> tro giup"
    assert lines[1].startswith("< Dich vu cong TP.HCM. Soan:")
    assert lines[-1] == "  (sent, 1 segment)"


async def test_the_command_line_fails_plainly_without_a_server(tmp_path):
    code, out, err = await _mgov_sms(
        tmp_path, "--url", f"http://127.0.0.1:{_free_port()}", "--timeout", "1", "0901234567", "TG"
    )
    assert (code, out) == (1, "")
    assert err.startswith("mgov sms: ") and "Traceback" not in err
