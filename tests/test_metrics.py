"""`/metrics`: route templates (never raw paths), outbox gauges read at scrape, access rules."""

from __future__ import annotations

import ipaddress
import uuid
from datetime import timedelta

import httpx
import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.datastructures import Secret
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from domain.local_time import utc_now
from infra.metrics import REGISTRY
from infra.settings import SettingsError, load_settings
from mobile_api.metrics import RequestMetricsMiddleware
from models import OutboxMessage
from models.enums import Channel, Language, OutboxStatus
from tests.conftest import http_client, make_settings

TOKEN = "scrape-token-1357"


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(text: str, name: str, **labels: str) -> float:
    return _samples(text).get((name, frozenset(labels.items())), 0.0)


async def _echo(request: Request) -> Response:
    return PlainTextResponse("ok")


async def test_requests_are_labelled_by_route_template_not_by_path():
    app = Starlette(
        routes=[
            Route("/v1/dossiers/{code}", _echo),
            Mount("/v1/staff", routes=[Route("/citizens/{phone}", _echo)]),
        ],
    )
    app.add_middleware(RequestMetricsMiddleware)
    before = generate_latest(REGISTRY).decode()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mgov.test") as http:
        assert (await http.get("/v1/dossiers/H29.99-261005-0001")).status_code == 200
        assert (await http.get("/v1/staff/citizens/0901234567")).status_code == 200
        assert (await http.get("/v1/nothing/0912345678")).status_code == 404
    after = generate_latest(REGISTRY).decode()
    assert "0901234567" not in after and "H29.99-261005" not in after and "0912345678" not in after
    name = "mgov_http_requests_total"
    for route, status in [
        ("/v1/dossiers/{code}", "200"),
        ("/v1/staff/citizens/{phone}", "200"),
        ("<unmatched>", "404"),
    ]:
        labels = {"method": "GET", "route": route, "status": status}
        assert _value(after, name, **labels) - _value(before, name, **labels) == 1
    latency = "mgov_http_request_duration_seconds_count"
    labels = {"method": "GET", "route": "/v1/dossiers/{code}"}
    assert _value(after, latency, **labels) - _value(before, latency, **labels) == 1


def _message(status: OutboxStatus, age: timedelta, channel: Channel = Channel.SMS) -> OutboxMessage:
    created = utc_now() - age
    return OutboxMessage(
        id=uuid.uuid4(),
        phone="+84901234567",
        channel=channel,
        template="dossier_received",
        language=Language.VI,
        status=status,
        next_attempt_at=created,
        created_at=created,
    )


async def test_the_scrape_reads_the_outbox_and_counts_channel_traffic(app_with):
    async with app_with() as app, http_client(app) as http:
        before = (await http.get("/metrics")).text
        # The real doors count their own traffic: a USSD call of two hops, one inbound SMS.
        session = {"sessionId": "m-1", "phoneNumber": "+84901234567", "serviceCode": "*384#"}
        for text in ("", "0"):
            hop = await http.post("/channels/ussd/africastalking", data={**session, "text": text})
            assert hop.status_code == 200
        sms = {"id": "m-2", "from": "+84901234567", "to": "8077", "text": "hs H29.99-251123-0042"}
        for _ in range(2):  # the gateway's retry is the same message: counted once
            inbound = await http.post("/channels/sms/africastalking/inbound", data=sms)
            assert inbound.status_code == 200
        await OutboxMessage.all().delete()  # the SMS reply: the backlog below is known
        await OutboxMessage.bulk_create(
            [
                _message(OutboxStatus.QUEUED, timedelta(minutes=10)),
                _message(OutboxStatus.QUEUED, timedelta(minutes=2)),
                _message(OutboxStatus.SENDING, timedelta(minutes=1)),
                _message(OutboxStatus.SENT, timedelta(minutes=30), Channel.PUSH),
                _message(OutboxStatus.FAILED, timedelta(minutes=5)),
                _message(OutboxStatus.SENT, timedelta(hours=3)),  # older than the hour
            ]
        )
        response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert _value(text, "mgov_outbox_backlog", status="queued") == 2
    assert _value(text, "mgov_outbox_backlog", status="sending") == 1
    assert 590 <= _value(text, "mgov_outbox_oldest_queued_seconds") < 900
    recent = "mgov_outbox_messages_last_hour"
    assert _value(text, recent, channel="sms", status="queued") == 2
    assert _value(text, recent, channel="sms", status="sent") == 0
    assert _value(text, recent, channel="push", status="sent") == 1
    assert _value(text, recent, channel="sms", status="failed") == 1
    for name, labels in [
        ("mgov_ussd_hops_total", {"screen": "continue"}),
        ("mgov_ussd_hops_total", {"screen": "end"}),
        ("mgov_sms_inbound_total", {"keyword": "status"}),
    ]:
        assert _value(text, name, **labels) - _value(before, name, **labels) == 1
    scrapes = {"method": "GET", "route": "/metrics", "status": "200"}
    assert _value(text, "mgov_http_requests_total", **scrapes) >= 1


@pytest.mark.parametrize(
    ("changes", "client_host", "headers", "status"),
    [
        ({"metrics_token": Secret(TOKEN)}, "127.0.0.1", {}, 403),
        ({"metrics_token": Secret(TOKEN)}, "127.0.0.1", {"Authorization": "Bearer nope"}, 403),
        ({"metrics_token": Secret(TOKEN)}, "127.0.0.1", {"Authorization": f"Basic {TOKEN}"}, 403),
        ({"metrics_token": Secret(TOKEN)}, "127.0.0.1", {"Authorization": f"Bearer {TOKEN}"}, 200),
        ({"metrics_allowed_networks": (ipaddress.ip_network("10.0.0.0/8"),)}, "10.1.2.3", {}, 200),
        ({"metrics_allowed_networks": (ipaddress.ip_network("10.0.0.0/8"),)}, "192.0.2.7", {}, 403),
        ({"env": "production"}, "127.0.0.1", {}, 403),
    ],
)
async def test_who_may_scrape(app_with, changes, client_host, headers, status):
    async with app_with(**changes) as app, http_client(app, address=client_host) as http:
        response = await http.get("/metrics", headers=headers)
    assert response.status_code == status
    if status == 403:
        assert response.json()["type"].endswith("/metrics_forbidden")
        assert "mgov_http" not in response.text


def test_a_bad_allowlist_stops_start_up(tmp_path):
    base = make_settings(tmp_path, "sqlite://:memory:")
    assert base.metrics_allowed_networks == () and not str(base.metrics_token)
    with pytest.raises(SettingsError, match="MGOV_METRICS_ALLOWED_IPS"):
        load_settings({"MGOV_VAR_DIR": str(tmp_path), "MGOV_METRICS_ALLOWED_IPS": "10.0.0/33"})
