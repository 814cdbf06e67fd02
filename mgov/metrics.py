"""Prometheus metrics of the web process, in one registry that `/metrics` exposes.

Other doors count their own traffic here: the USSD door calls `count_ussd_hop()` once per
gateway request it answers, the SMS door `count_sms_inbound()` once per inbound message it
handles (after de-duplication). Labels take a handful of fixed values, never a phone number, a
dossier code or free text, so the number of series stays small.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

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
    registry=REGISTRY,
)
OUTBOX_OLDEST_QUEUED = Gauge(
    "mgov_outbox_oldest_queued_seconds",
    "Age of the oldest queued outbox message that is due at scrape (0 when none is); messages"
    " held for quiet hours or a retry's backoff are not counted.",
    registry=REGISTRY,
)
OUTBOX_RECENT = Gauge(
    "mgov_outbox_messages_last_hour",
    "Outbox messages created in the hour before the scrape, by channel and current status.",
    ["channel", "status"],
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
