"""`mgov web --workers 2`: two processes behind one port, and a scrape that reaches either of
them still counts every request both answered."""

from __future__ import annotations

import re

import httpx

from tests.web_process import running_web

REQUESTS = 40


def _health_count(exposition: str) -> float:
    pattern = r'^mgov_http_requests_total\{[^}]*route="/healthz"[^}]*status="200"[^}]*\} (\S+)$'
    found = re.search(pattern, exposition, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_every_scrape_counts_the_requests_of_every_web_process(db, tmp_path):
    with running_web(db, tmp_path, options=("--workers", "2")) as (base, _):
        for _ in range(REQUESTS):  # a new connection each: the kernel spreads them
            assert httpx.get(f"{base}/healthz").status_code == 200
        counts = [_health_count(httpx.get(f"{base}/metrics").text) for _ in range(8)]
        outbox = httpx.get(f"{base}/metrics").text
    assert counts == [REQUESTS] * 8
    # The database gauges are one series each, not one per process.
    assert len(re.findall(r'^mgov_outbox_backlog\{status="queued"', outbox, re.MULTILINE)) == 1
