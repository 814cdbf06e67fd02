"""The outbox worker: claims due messages, sends them with bounded concurrency, records outcomes.

An outcome is written only while the row still carries this worker's claim token, so a worker
that outlived its lease cannot overwrite what another worker did with the row since.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import timedelta

from tortoise.queryset import QuerySet

from domain.policy import utc_now
from models import OutboxMessage
from models.enums import Channel, OutboxStatus
from notifications.claim import claim_due_messages
from notifications.providers.base import Accepted, OutgoingMessage, Provider, SendFailure
from notifications.sms_encoding import measure_sms, to_sms_text

logger = logging.getLogger("mgov.worker")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay: float = 5.0
    max_delay: float = 3600.0

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Exponential backoff with full jitter; a gateway's Retry-After is a floor."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(0, attempts - 1))
        delay = random.uniform(ceiling / 2, ceiling)
        return max(delay, retry_after or 0.0)


@dataclass
class WorkerConfig:
    batch_size: int = 100
    concurrency: int = 32
    lease: timedelta = timedelta(minutes=2)
    poll_interval: float = 1.0
    keep_diacritics: bool = False
    retry: RetryPolicy = RetryPolicy()


class OutboxWorker:
    def __init__(self, *, sms_providers: list[Provider], config: WorkerConfig | None = None):
        if not sms_providers:
            raise ValueError("at least one SMS provider is needed")
        self.sms_providers = sms_providers
        self.config = config or WorkerConfig()
        self._slots = asyncio.Semaphore(self.config.concurrency)

    async def run_once(self) -> int:
        """Claim one batch and settle every message in it; returns how many were claimed."""
        batch = await claim_due_messages(limit=self.config.batch_size, lease=self.config.lease)
        await asyncio.gather(*(self._settle(message) for message in batch))
        return len(batch)

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set: a full batch is followed at once by the next, else a short nap.
        Stopping never abandons a claimed batch: it is settled first."""
        while not stop.is_set():
            claimed = await self.run_once()
            if claimed < self.config.batch_size:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=self.config.poll_interval)
                except TimeoutError:
                    pass

    async def _settle(self, message: OutboxMessage) -> None:
        async with self._slots:
            try:
                accepted, body = await self._send(message)
            except SendFailure as failure:
                await self._record_failure(message, failure)
            else:
                await self._record_sent(message, accepted, body)

    async def _send(self, message: OutboxMessage) -> tuple[Accepted, str]:
        body = to_sms_text(message.body, keep_diacritics=self.config.keep_diacritics)
        outgoing = OutgoingMessage(id=str(message.id), phone=message.phone, body=body)
        last: SendFailure | None = None
        for provider in self.sms_providers:
            try:
                return await provider.send(outgoing), body
            except SendFailure as failure:
                if not failure.retryable:
                    raise
                last = failure
        assert last is not None
        raise last

    def _claimed(self, message: OutboxMessage) -> QuerySet[OutboxMessage]:
        return OutboxMessage.filter(id=message.id, claim_token=message.claim_token)

    async def _record_sent(self, message: OutboxMessage, accepted: Accepted, body: str) -> None:
        await self._claimed(message).update(
            status=OutboxStatus.SENT,
            sent_at=utc_now(),
            provider=accepted.provider,
            provider_message_id=accepted.provider_message_id,
            segments=measure_sms(body).segments if message.channel == Channel.SMS else 0,
            lease_until=None,
            claim_token=None,
            last_error="",
        )

    async def _record_failure(self, message: OutboxMessage, failure: SendFailure) -> None:
        retry = self.config.retry
        if failure.retryable and message.attempts < retry.max_attempts:
            delay = retry.delay(message.attempts, failure.retry_after)
            await self._claimed(message).update(
                status=OutboxStatus.QUEUED,
                next_attempt_at=utc_now() + timedelta(seconds=delay),
                lease_until=None,
                claim_token=None,
                last_error=failure.reason[:500],
            )
            return
        logger.warning("message %s failed for good: %s", message.id, failure.reason)
        await self._claimed(message).update(
            status=OutboxStatus.FAILED,
            lease_until=None,
            claim_token=None,
            last_error=failure.reason[:500],
        )
