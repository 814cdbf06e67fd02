"""Body ceilings at the edge (mobile_api/request_body.py): every door refuses a body over its route
class's limit with 413 problem+json before holding it (a declared Content-Length before a byte
is read, a chunked body as soon as the count passes the limit), and a caller hanging up mid-body
is one INFO line in the real server's log."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from infra.settings import SettingsError, load_settings
from mobile_api.request_body import (
    BodyLimitMiddleware,
    BodyTooLarge,
    ClassedRoute,
    body_too_large,
)
from tests.app_login import assert_problem
from tests.conftest import http_client
from tests.doors import FORM_DOORS, JSON_DOORS, caller, door_params  # noqa: F401 (fixture)
from tests.web_process import running_web

LIMIT = 64 * 1024


class Body:
    """A request body handed over in chunks, counting how many the app pulled."""

    def __init__(self, size: int, chunk: int) -> None:
        self.size, self.chunk, self.pulled = size, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        sent = 0
        while sent < self.size:
            self.pulled += 1
            piece = min(self.chunk, self.size - sent)
            sent += piece
            yield b" " * piece


@pytest.mark.parametrize("door", door_params(JSON_DOORS + FORM_DOORS))
async def test_a_declared_length_over_the_limit_is_refused_before_a_byte_is_read(caller, door):  # noqa: F811
    body = Body(LIMIT + 1, chunk=16 * 1024)
    headers = {**caller.headers(door, b""), "Content-Length": str(LIMIT + 1)}
    response = await caller.client.request(door.method, door.path, content=body, headers=headers)
    problem = assert_problem(response, status=413, code="body_too_large")
    assert str(LIMIT) in str(problem["detail"])
    assert body.pulled == 0


@pytest.mark.parametrize("door", door_params(JSON_DOORS + FORM_DOORS))
async def test_a_chunked_body_is_refused_once_it_passes_the_limit(caller, door):  # noqa: F811
    body = Body(10 * LIMIT, chunk=1024)
    headers = caller.headers(door, b"")  # no Content-Length: httpx sends it chunked
    response = await caller.client.request(door.method, door.path, content=body, headers=headers)
    assert_problem(response, status=413, code="body_too_large")
    assert body.pulled <= LIMIT // 1024 + 2  # the chunk that passed it, and no more


async def test_a_body_at_the_limit_is_read(client):
    body = b'{"phone": "0901234567"}'
    response = await client.post(
        "/v1/auth/otp",
        content=body + b" " * (LIMIT - len(body)),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 202, response.text


async def test_the_limit_is_a_setting(app_with):
    async with app_with(body_limits={"api": 100}) as app, http_client(app) as client:
        response = await client.post("/v1/auth/otp", content=b'{"phone": "0901234567"}' + b" " * 80)
        assert_problem(response, status=413, code="body_too_large")


def test_each_route_class_reads_its_limit_from_the_environment(tmp_path):
    base = {"MGOV_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite://{tmp_path / 'x.sqlite3'}"}
    assert load_settings(base).body_limits == {"api": 64 * 1024, "upload": 16 * 1024 * 1024}
    changed = {**base, "MGOV_BODY_LIMIT_API": "1000", "MGOV_BODY_LIMIT_UPLOAD": "2000"}
    assert load_settings(changed).body_limits == {"api": 1000, "upload": 2000}
    with pytest.raises(SettingsError, match="MGOV_BODY_LIMIT_API"):
        load_settings({**base, "MGOV_BODY_LIMIT_API": "0"})


async def test_a_route_class_declares_its_own_limit():
    """An upload route names its class; the API's routes keep the API's limit."""

    async def size(request: Request) -> Response:
        return PlainTextResponse(str(len(await request.body())))

    app = Starlette(
        routes=[
            Route("/json", size, methods=["POST"]),
            ClassedRoute("/upload", size, methods=["POST"], body_class="upload"),
        ],
        exception_handlers={BodyTooLarge: body_too_large},
    )
    limited = BodyLimitMiddleware(app, limits={"api": 10, "upload": 100})
    transport = httpx.ASGITransport(app=limited)
    async with httpx.AsyncClient(transport=transport, base_url="http://mgov.test") as client:
        assert (await client.post("/upload", content=b"x" * 100)).text == "100"
        assert_problem(
            await client.post("/upload", content=b"x" * 101), status=413, code="body_too_large"
        )
        assert_problem(
            await client.post("/json", content=b"x" * 11), status=413, code="body_too_large"
        )
        assert (await client.post("/json", content=b"x" * 10)).text == "10"


def _log_holds(path: Path, *texts: str) -> bool:
    log = path.read_text()
    return any(text in log for text in texts)


def wait_for(condition: Callable[[], bool], *, seconds: float) -> None:
    """Poll a condition another process brings about, failing after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


def test_a_caller_hanging_up_mid_body_is_one_info_line(db, tmp_path):
    with running_web(db, tmp_path, log_level="INFO") as (base, log_path):
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            raw.sendall(
                b"POST /v1/auth/otp HTTP/1.1\r\nHost: mgov.test\r\n"
                b"Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n"
                b'{"phone": "09'
            )
        # The line is written when the server notices; it is stopped (and its log flushed) after.
        wait_for(lambda: _log_holds(log_path, "disconnected", "Traceback"), seconds=20)
    log = log_path.read_text()
    lines = [line for line in log.splitlines() if "disconnected" in line]
    assert len(lines) == 1, log
    assert " INFO mgov.web " in lines[0] and "POST /v1/auth/otp" in lines[0]
    assert "Traceback" not in log and "ClientDisconnect" not in log
