"""The shared base of every provider: it times each call, logs it with a masked number, and
sorts failures into retryable (network, timeout, 5xx, 429) and permanent (the rest)."""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import aiohttp

from domain.phones import mask_phone

logger = logging.getLogger("mgov.providers")

# Every outbound call (gateways, push) shares these limits, in the web and worker processes alike.
OUTBOUND_TIMEOUT = aiohttp.ClientTimeout(total=10, connect=3)


@dataclass(frozen=True)
class OutgoingMessage:
    """What a provider needs to send one message; `id` is our stable reference for dedupe."""

    id: str
    phone: str
    body: str
    title: str = ""
    data: dict[str, str] = field(default_factory=dict)
    device_token: str = ""


@dataclass(frozen=True)
class Accepted:
    provider: str
    provider_message_id: str | None


class SendFailure(Exception):
    """A send that did not go through; `retryable` says whether trying later can help."""

    def __init__(self, reason: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta form; an HTTP date is treated as unknown)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def failure_for_status(status: int, reason: str, retry_after: str | None = None) -> SendFailure:
    retryable = status >= 500 or status in (408, 429)
    return SendFailure(
        f"http {status}: {reason}"[:300],
        retryable=retryable,
        retry_after=parse_retry_after(retry_after),
    )


class Provider(ABC):
    name: str = "provider"

    async def send(self, message: OutgoingMessage) -> Accepted:
        started = time.perf_counter()
        try:
            accepted = await self._send(message)
        except SendFailure as failure:
            self._log("failed", message, started, failure.reason, failure.retryable)
            raise
        except (TimeoutError, aiohttp.ClientError) as exc:
            reason = f"{type(exc).__name__}: {exc}"[:300] if str(exc) else type(exc).__name__
            self._log("failed", message, started, reason, True)
            raise SendFailure(reason, retryable=True) from exc
        if logger.isEnabledFor(logging.DEBUG):
            self._log("sent", message, started, accepted.provider_message_id or "", None)
        return accepted

    def _log(
        self,
        outcome: str,
        message: OutgoingMessage,
        started: float,
        detail: str,
        retryable: bool | None,
    ) -> None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        # Failures at INFO, each; a send that went through at DEBUG. At thousands of messages a
        # second a line per send was a sixth of the worker's CPU and as many lines a second in
        # the logs, while the outbox row already keeps its provider, provider id and sent time
        # and the worker logs what each outcome flush wrote (notifications/outcomes.py).
        logger.log(
            logging.DEBUG if retryable is None else logging.INFO,
            "%s %s via %s in %.0f ms %s",
            outcome,
            message.id,
            self.name,
            elapsed_ms,
            detail,
            extra={
                "message_id": message.id,
                "provider": self.name,
                "to": mask_phone(message.phone),
                "elapsed_ms": round(elapsed_ms, 1),
                "retryable": retryable,
            },
        )

    @abstractmethod
    async def _send(self, message: OutgoingMessage) -> Accepted: ...
