"""`mgov ussd` against a real uvicorn server: the screens a phone would show, keys from stdin."""

from __future__ import annotations

import asyncio
import dataclasses
import socket

import uvicorn
from starlette.datastructures import Secret

from infra.settings import Settings
from mgov.ussd_simulator import run_simulator
from models import Appointment
from tests.conftest import build_app, empty_all_tables
from tests.ussd_phone import city

SECRET = "sim-secret-8642"


async def _simulate(settings: Settings, keys: list[str], *, secret: str) -> tuple[int, str]:
    app = build_app(dataclasses.replace(settings, gateway_secret=Secret(SECRET)))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on"))
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        await empty_all_tables()
        await city(dossiers=1, slots=1)
        shown: list[str] = []
        code = await asyncio.to_thread(
            run_simulator,
            base_url=f"http://127.0.0.1:{port}",
            phone="0901234567",
            service_code="*384*1234#",
            secret=secret,
            keys=keys,
            out=shown.append,
            echo=True,
        )
        if code == 0 and secret == SECRET:
            assert await Appointment.all().count() == (1 if "3" in keys else 0)
        return code, "\n".join(shown)
    finally:
        server.should_exit = True
        await serving
        listener.close()


async def test_a_session_in_the_terminal(database):
    code, shown = await _simulate(database, ["3", "1", "1", "1", "1\n", "0", "0"], secret=SECRET)
    assert code == 0
    assert "| Dich vu cong TP.HCM" in shown and "| 4 Ngon ngu/Language" in shown
    assert "> 3" in shown and "| Chon noi hen:" in shown
    assert "| Da dat lich hen " in shown
    assert shown.rstrip().endswith("+") and "| Cam on ong/ba da dung dich" in shown
    assert all(len(line) <= 32 for line in shown.splitlines())


async def test_without_the_secret_the_gateway_door_refuses(database):
    code, shown = await _simulate(database, ["1"], secret="wrong")
    assert code == 0
    assert "(HTTP 403)" in shown
