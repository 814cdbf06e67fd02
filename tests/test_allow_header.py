"""A 405 names every method its path serves (mobile_api/methods.py), not only those of the first
route whose path matched: `/v1/me` serves GET and PATCH from two declarations."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import AsyncIterator

import httpx
import pytest

from mobile_api.api import ENDPOINTS
from tests.app_login import assert_problem
from tests.conftest import build_app, http_client, make_settings

_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")
_SAMPLE = {"row_id": "1", "uuid": "00000000-0000-0000-0000-000000000001", None: "H29.99-x"}


def _declared() -> dict[str, set[str]]:
    methods: dict[str, set[str]] = defaultdict(set)
    for endpoint in ENDPOINTS:
        path = _PARAM.sub(lambda m: _SAMPLE[m.group(2)], endpoint.path)
        methods[path] |= {endpoint.method, *(["HEAD"] if endpoint.method == "GET" else [])}
    return methods


@pytest.fixture
async def client(tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    """The app without its database: a 405 is decided by the routes alone."""
    async with http_client(build_app(make_settings(tmp_path, "sqlite://:memory:"))) as http:
        yield http


def _allowed(header: str) -> set[str]:
    return {method.strip() for method in header.split(",") if method.strip()}


@pytest.mark.parametrize(("path", "methods"), sorted(_declared().items()))
async def test_every_405_lists_every_declared_method_of_its_path(client, path, methods):
    method = next(m for m in ("PUT", "POST", "DELETE") if m not in methods)
    response = await client.request(method, path)
    assert_problem(response, status=405, code="method_not_allowed")
    assert _allowed(response.headers["allow"]) >= methods


@pytest.mark.parametrize(
    ("method", "path", "methods"),
    [
        ("DELETE", "/v1/me", {"GET", "HEAD", "PATCH"}),
        ("PUT", "/v1/appointments/7", {"GET", "HEAD", "PATCH", "DELETE"}),
        ("PUT", "/v1/dossiers/lookup", {"POST", "GET", "HEAD"}),  # and /v1/dossiers/{code}
        ("PUT", "/console/login", {"GET", "HEAD", "POST"}),
        ("POST", "/healthz", {"GET", "HEAD"}),
    ],
)
async def test_a_405_lists_exactly_what_the_path_serves(client, method, path, methods):
    response = await client.request(method, path)
    assert response.status_code == 405
    assert _allowed(response.headers["allow"]) == methods
