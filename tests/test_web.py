"""The JSON door seen from outside: probes, problem+json errors, request ids, gzip.

Requests go through the real ASGI app (its lifespan run) with httpx; where a test needs a route
the app does not have (one that crashes, one that raises a domain error), it builds its own app
with `create_app` and adds the route, so the middleware and handlers under test are the real ones.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain.errors import Conflict, InvalidInput, TooManyRequests
from infra.logs import MaskingFilter
from infra.settings import Settings
from tests.conftest import build_app, http_client, make_settings

PROBLEM_JSON = "application/problem+json"
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}
GENERATED_ID = re.compile(r"[0-9a-f]{32}")
CATALOGUE_DIR = Path(__file__).resolve().parents[1] / "domain" / "catalogue"
BIG_ITEMS = [{"id": n, "name": f"thủ tục số {n}"} for n in range(400)]
route_logger = logging.getLogger("tests.test_web.route")


def catalogue(language: str, key: str) -> str:
    """The catalogue text read from the JSON file itself, not through the code under test."""
    entries = json.loads((CATALOGUE_DIR / f"{language}.json").read_text(encoding="utf-8"))
    return entries[key]


def assert_problem(response: httpx.Response, *, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail"}
    assert body["status"] == status
    assert body["type"].endswith(f"/{code}")
    return body


async def crash(request: Request) -> Response:
    raise RuntimeError("kaboom: invariant broken in the door")


async def refuse_phone(request: Request) -> Response:
    raise InvalidInput("invalid_phone")


async def refuse_move(request: Request) -> Response:
    raise Conflict("illegal_transition", from_status="received", to_status="returned")


async def refuse_too_often(request: Request) -> Response:
    raise TooManyRequests(retry_after=42)


async def big_list(request: Request) -> Response:
    return JSONResponse({"items": BIG_ITEMS})


async def log_a_phone(request: Request) -> Response:
    route_logger.warning("looked up %s", "+84901234567")
    return JSONResponse({"status": "ok"})


@asynccontextmanager
async def serve(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and talk to it; app exceptions become responses, as in uvicorn."""
    async with app.router.lifespan_context(app):
        async with http_client(app, raise_app_exceptions=False) as http:
            yield http


@pytest.fixture
async def extra_client(database: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real app plus a few test routes that crash, refuse, log or answer at length."""
    app = build_app(database)
    app.add_route("/test/crash", crash)
    app.add_route("/test/refuse-phone", refuse_phone)
    app.add_route("/test/refuse-move", refuse_move)
    app.add_route("/test/too-often", refuse_too_often)
    app.add_route("/test/big", big_list)
    app.add_route("/test/log-phone", log_a_phone)
    async with serve(app) as http:
        yield http


# Probes


async def test_healthz_is_ok_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ready_with_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_readyz_is_503_while_healthz_stays_up_without_a_database(tmp_path: Path) -> None:
    # Tortoise connects lazily: the lifespan starts, the first query (the probe's) fails.
    settings = make_settings(tmp_path, "postgres://postgres@127.0.0.1:1/nowhere")
    async with serve(build_app(settings)) as http:
        health = await http.get("/healthz")
        ready = await http.get("/readyz")
        ready_en = await http.get("/readyz", headers=ENGLISH)
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    body = assert_problem(ready, status=503, code="database_unavailable")
    assert body["detail"] == catalogue("vi", "error.database_unavailable")
    body_en = assert_problem(ready_en, status=503, code="database_unavailable")
    assert body_en["detail"] == catalogue("en", "error.database_unavailable")


# Errors as problem+json


async def test_unknown_path_is_a_vietnamese_problem_by_default(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/place")
    body = assert_problem(response, status=404, code="not_found")
    assert body["title"] == catalogue("vi", "error.not_found")
    assert body["detail"] == catalogue("vi", "error.not_found")
    assert response.headers["content-language"] == "vi"


async def test_unknown_path_speaks_english_when_asked(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/place", headers=ENGLISH)
    body = assert_problem(response, status=404, code="not_found")
    assert catalogue("en", "error.not_found") != catalogue("vi", "error.not_found")
    assert body["title"] == catalogue("en", "error.not_found")
    assert body["detail"] == catalogue("en", "error.not_found")
    assert response.headers["content-language"] == "en"


async def test_wrong_method_is_a_405_problem(client: httpx.AsyncClient) -> None:
    response = await client.post("/healthz", json={})
    body = assert_problem(response, status=405, code="method_not_allowed")
    assert body["title"] == catalogue("vi", "error.method_not_allowed")


async def test_wrong_method_names_the_allowed_ones(client: httpx.AsyncClient) -> None:
    response = await client.post("/healthz", json={})
    assert response.status_code == 405
    allowed = {method.strip() for method in response.headers.get("allow", "").split(",")}
    assert allowed == {"GET", "HEAD"}


async def test_domain_error_renders_its_status_and_catalogue_text(
    extra_client: httpx.AsyncClient,
) -> None:
    vi = await extra_client.get("/test/refuse-phone")
    en = await extra_client.get("/test/refuse-phone", headers=ENGLISH)
    body_vi = assert_problem(vi, status=422, code="invalid_phone")
    body_en = assert_problem(en, status=422, code="invalid_phone")
    assert body_vi["detail"] == catalogue("vi", "error.invalid_phone")
    assert body_en["detail"] == catalogue("en", "error.invalid_phone")
    # A 422 names a field even when the error was raised without one: the whole body.
    assert body_en["errors"] == [
        {"field": "body", "code": "invalid_phone", "message": body_en["detail"]}
    ]


async def test_domain_error_params_fill_the_catalogue_text(
    extra_client: httpx.AsyncClient,
) -> None:
    response = await extra_client.get("/test/refuse-move", headers=ENGLISH)
    body = assert_problem(response, status=409, code="illegal_transition")
    expected = catalogue("en", "error.illegal_transition").format(
        from_status="received", to_status="returned"
    )
    assert body["detail"] == expected
    assert "received" in expected and "{" not in expected


async def test_too_many_requests_says_when_to_come_back(extra_client: httpx.AsyncClient) -> None:
    response = await extra_client.get("/test/too-often", headers=ENGLISH)
    body = assert_problem(response, status=429, code="too_many_requests")
    assert response.headers["retry-after"] == "42"
    assert body["detail"] == catalogue("en", "error.too_many_requests").format(seconds=42)


async def test_unexpected_error_is_a_500_problem_without_a_stack_trace(
    extra_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="mobile_api.problems"):
        response = await extra_client.get("/test/crash")
    body = assert_problem(response, status=500, code="internal")
    assert body["detail"] == catalogue("vi", "error.internal")
    for leak in ("Traceback", "RuntimeError", "kaboom", "test_web.py"):
        assert leak not in response.text
    records = [r for r in caplog.records if r.name == "mobile_api.problems"]
    assert len(records) == 1
    assert "/test/crash" in records[0].getMessage()
    # The operator's log keeps what the caller does not see.
    assert records[0].exc_info is not None
    assert records[0].exc_info[0] is RuntimeError


async def test_unexpected_error_keeps_the_request_id(
    extra_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(MaskingFilter())
    with caplog.at_level(logging.ERROR, logger="mobile_api.problems"):
        response = await extra_client.get("/test/crash", headers={"X-Request-ID": "support-42"})
    assert response.status_code == 500
    assert response.headers.get("x-request-id") == "support-42"
    records = [r for r in caplog.records if r.name == "mobile_api.problems"]
    assert [r.request_id for r in records] == ["support-42"]  # type: ignore[attr-defined]


# Request ids


async def test_every_response_gets_a_generated_request_id(client: httpx.AsyncClient) -> None:
    first = await client.get("/healthz")
    second = await client.get("/no/such/place")
    assert GENERATED_ID.fullmatch(first.headers["x-request-id"])
    assert GENERATED_ID.fullmatch(second.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize("given", ["gw-7f3a.trace_01", "A" * 64, "0af7651916cd43dd"])
async def test_a_sane_caller_request_id_is_echoed(client: httpx.AsyncClient, given: str) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": given})
    assert response.headers["x-request-id"] == given


@pytest.mark.parametrize(
    "given",
    ["has spaces in it", "x" * 200, "A" * 65, "semi;colon", 'quote"d', "ünïcode", ""],
    ids=["spaces", "200-chars", "65-chars", "semicolon", "quote", "non-ascii", "empty"],
)
async def test_an_unsafe_caller_request_id_is_replaced(
    client: httpx.AsyncClient, given: str
) -> None:
    headers = {"X-Request-ID": given.encode("utf-8")}
    response = await client.get("/healthz", headers=headers)
    assert response.status_code == 200
    assert GENERATED_ID.fullmatch(response.headers["x-request-id"])


async def test_log_lines_written_while_serving_carry_the_request_id_and_no_phone(
    extra_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(MaskingFilter())
    with caplog.at_level(logging.WARNING, logger=route_logger.name):
        response = await extra_client.get("/test/log-phone", headers={"X-Request-ID": "trace-9"})
    assert response.headers["x-request-id"] == "trace-9"
    records = [r for r in caplog.records if r.name == route_logger.name]
    assert len(records) == 1
    assert records[0].request_id == "trace-9"  # type: ignore[attr-defined]
    assert records[0].getMessage() == "looked up +8490****567"
    assert "+84901234567" not in caplog.text


# Compression


async def test_large_responses_are_gzipped_when_accepted(extra_client: httpx.AsyncClient) -> None:
    response = await extra_client.get("/test/big", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.json() == {"items": BIG_ITEMS}  # httpx decompressed it
    assert response.num_bytes_downloaded < len(response.content)
    assert GENERATED_ID.fullmatch(response.headers["x-request-id"])


async def test_responses_are_not_gzipped_unless_accepted(extra_client: httpx.AsyncClient) -> None:
    big = await extra_client.get("/test/big", headers={"Accept-Encoding": "identity"})
    small = await extra_client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in big.headers
    assert big.json() == {"items": BIG_ITEMS}
    assert "content-encoding" not in small.headers  # below the 500-byte minimum
