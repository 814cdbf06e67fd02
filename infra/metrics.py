"""Prometheus metrics of the web process, in one registry that `/metrics` exposes.

Other doors count their own traffic here: the USSD door calls `count_ussd_hop()` once per
gateway request it answers, the SMS door `count_sms_inbound()` once per inbound message it
handles (after de-duplication). Labels take a handful of fixed values, never a phone number, a
dossier code or free text, so the number of series stays small.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

# prometheus-client's own switch: set, every metric below keeps its values in files in that
# folder, shared by the web processes that `mgov web --workers N` starts behind one port.
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "mgov_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "mgov_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
USSD_HOPS = Counter(
    "mgov_ussd_hops",
    "USSD gateway requests answered: `continue` screens (CON) and `end` screens (END).",
    ["screen"],
    registry=REGISTRY,
)
SMS_INBOUND = Counter(
    "mgov_sms_inbound",
    "Inbound SMS handled, by the keyword they matched (`unknown` for help replies).",
    ["keyword"],
    registry=REGISTRY,
)
OUTBOX_BACKLOG = Gauge(
    "mgov_outbox_backlog",
    "Outbox messages waiting to be sent (queued) or in a worker's hands (sending), at scrape.",
    ["status"],
    multiprocess_mode="mostrecent",  # read from the database at each scrape
    registry=REGISTRY,
)
OUTBOX_OLDEST_QUEUED = Gauge(
    "mgov_outbox_oldest_queued_seconds",
    "Age of the oldest queued outbox message that is due at scrape (0 when none is); messages"
    " held for quiet hours or a retry's backoff are not counted.",
    multiprocess_mode="mostrecent",  # read from the database at each scrape
    registry=REGISTRY,
)
OUTBOX_RECENT = Gauge(
    "mgov_outbox_messages_last_hour",
    "Outbox messages created in the hour before the scrape, by channel and current status.",
    ["channel", "status"],
    multiprocess_mode="mostrecent",  # read from the database at each scrape
    registry=REGISTRY,
)

_SMS_KEYWORD_LENGTH = 24


def count_ussd_hop(*, ended: bool) -> None:
    """One USSD request answered: call it with the screen sent back (END or CON)."""
    USSD_HOPS.labels(screen="end" if ended else "continue").inc()


def count_sms_inbound(*, keyword: str) -> None:
    """One inbound SMS handled: pass the grammar's name for the command it matched
    (`status`, `appointments`, `cancel`, `help`, `stop`…; `unknown` for the help reply), never
    the message text."""
    label = keyword.strip().lower()[:_SMS_KEYWORD_LENGTH] or "unknown"
    SMS_INBOUND.labels(keyword=label).inc()


def share_metrics_between_processes(*, var_dir: Path) -> None:
    """Before several web processes start behind one port: a scrape reaches one of them, so
    they keep their counts in shared files and each answers with the sum of all. A folder the
    operator chose (the variable already set) is theirs to manage; ours starts empty."""
    if os.environ.get(MULTIPROCESS_ENV):
        return
    folder = var_dir / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ[MULTIPROCESS_ENV] = str(folder)


def exposition() -> bytes:
    """The text a scrape gets: this process's registry, or every web process's when shared."""
    folder = os.environ.get(MULTIPROCESS_ENV)
    if not folder:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=folder)
    return generate_latest(registry)
