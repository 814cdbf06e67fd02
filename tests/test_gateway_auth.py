"""Gateway doors refuse callers without the shared secret or from outside the allowlist."""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from starlette.datastructures import Secret
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from channels.gateway_auth import check_gateway
from tests.conftest import build_app, make_settings

SECRET = "gw-secret-2468"


async def gateway_door(request: Request) -> Response:
    check_gateway(request)
    return PlainTextResponse("CON ok")


@asynccontextmanager
async def gateway_app(
    tmp_path: Path, *, secret: str = "", networks: str = "", client_host: str = "127.0.0.1"
) -> AsyncIterator[httpx.AsyncClient]:
    settings = dataclasses.replace(
        make_settings(tmp_path, f"sqlite://{tmp_path / 'unused.sqlite3'}"),
        gateway_secret=Secret(secret),
        gateway_allowed_networks=tuple(ipaddress.ip_network(n) for n in networks.split(",") if n),
    )
    app = build_app(settings)
    app.router.routes.append(Route("/door", gateway_door, methods=["POST"]))
    transport = httpx.ASGITransport(app=app, client=(client_host, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://mgov.test") as http:
        yield http


async def test_open_when_nothing_is_configured(tmp_path):
    async with gateway_app(tmp_path) as http:
        assert (await http.post("/door")).status_code == 200


@pytest.mark.parametrize(
    ("headers", "query", "status"),
    [
        ({"X-Gateway-Secret": SECRET}, "", 200),
        ({}, f"?secret={SECRET}", 200),
        ({}, "", 403),
        ({"X-Gateway-Secret": "gw-secret-2469"}, "", 403),
        ({}, "?secret=", 403),
    ],
)
async def test_shared_secret(tmp_path, headers, query, status):
    async with gateway_app(tmp_path, secret=SECRET) as http:
        response = await http.post(f"/door{query}", headers=headers)
    assert response.status_code == status
    if status == 403:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith("/gateway_forbidden")


@pytest.mark.parametrize(
    ("client_host", "status"),
    [("10.20.30.40", 200), ("10.20.31.1", 403), ("2001:db8::5", 200), ("127.0.0.1", 403)],
)
async def test_address_allowlist(tmp_path, client_host, status):
    async with gateway_app(
        tmp_path, networks="10.20.30.0/24,2001:db8::/64", client_host=client_host
    ) as http:
        assert (await http.post("/door")).status_code == status


async def test_both_configured_means_both_required(tmp_path):
    async with gateway_app(
        tmp_path, secret=SECRET, networks="10.0.0.0/8", client_host="10.1.2.3"
    ) as http:
        assert (await http.post("/door")).status_code == 403
        ok = await http.post("/door", headers={"X-Gateway-Secret": SECRET})
        assert ok.status_code == 200
