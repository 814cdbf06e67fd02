"""The outbox worker: claims due messages, sends them with bounded concurrency, records outcomes.

An outcome is written only while the row still carries this worker's claim token, so a worker
that outlived its lease cannot overwrite what another worker did with the row since.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.alerts.quiet_hours import HELD_FOR_QUIET_HOURS, QuietHours
from domain.catalogue import text
from domain.phones import can_text
from domain.sms_text import measure_sms, to_sms_text
from infra.outages import is_database_unavailable
from models import Device
from models.enums import Channel, OutboxStatus, Priority
from notifications.claim import ClaimedMessage, claim_due_messages
from notifications.clock import Clock, SystemClock
from notifications.outage import DatabaseOutage
from notifications.outcomes import Outcome, OutcomeWriter
from notifications.providers.base import Accepted, OutgoingMessage, Provider, SendFailure
from notifications.providers.fcm import DeadDeviceToken
from notifications.test_numbers import TestNumberProvider, is_test_number

logger = logging.getLogger("mgov.worker")
NOT_TEXTED = "not an SMS number"  # a landline or a number outside MGOV_ALLOWED_PHONE_REGIONS


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

    def allows_retry(self, failure: SendFailure, attempts: int) -> bool:
        return failure.retryable and attempts < self.max_attempts


@dataclass
class WorkerConfig:
    batch_size: int = 200
    concurrency: int = 64
    lease: timedelta = timedelta(minutes=2)
    poll_interval: float = 1.0
    flush_interval: float = 0.05  # the longest an outcome waits to be written with others
    keep_diacritics: bool = False
    retry: RetryPolicy = RetryPolicy()
    quiet_hours: QuietHours | None = QuietHours()
    test_number_prefix: str = "+8490000000"


class OutboxWorker:
    def __init__(
        self,
        *,
        sms_providers: list[Provider],
        push_provider: Provider | None = None,
        config: WorkerConfig | None = None,
        outage: DatabaseOutage | None = None,
        clock: Clock | None = None,
    ):
        if not sms_providers:
            raise ValueError("at least one SMS provider is needed")
        self.sms_providers = sms_providers
        self.push_provider = push_provider
        self.config = config or WorkerConfig()
        self.outage = outage or DatabaseOutage()
        self.clock = clock or SystemClock()
        self._test_numbers = TestNumberProvider()

    async def run_once(self) -> int:
        """Claim one batch, settle every message in it and write the outcomes; returns how
        many were claimed."""
        return await self._pump(batches=1)

    async def drain(self) -> int:
        """Settle everything due now, batch after batch with the send slots kept full, until a
        claim comes back short; returns how many were claimed."""
        return await self._pump()

    async def run(self, stop: asyncio.Event, wake: asyncio.Event | None = None) -> None:
        """Until `stop` is set: claim while there is work, otherwise wait for a wake-up (a
        NOTIFY on PostgreSQL) or the poll interval. Stopping never abandons a claimed message:
        the sends under way finish, the messages no lane has started go back to the queue
        unsent (so a stop takes one send's time, not a queue's), and every outcome is written
        before it returns (after an outage, once the database is back). A database outage only
        pauses the claims and the writes (`notifications.outage`); sends already claimed go on."""
        await self._pump(stop=stop, wake=wake)

    async def _pump(
        self,
        *,
        stop: asyncio.Event | None = None,
        wake: asyncio.Event | None = None,
        batches: int | None = None,
    ) -> int:
        """Claims feed a queue that `concurrency` lanes drain, and outcomes go to a writer that
        flushes them in bulk. The next claim goes out while the queue still holds a batch (or
        the lanes' worth, if more): a claim takes several milliseconds, in which lanes sending
        to a fast gateway empty a queue of only their own worth, so waiting for that left them
        idle a fifth of the time (docs/benchmarks.md). Without `stop`, it ends after `batches`
        claims or at a short claim."""
        config = self.config
        reserve = max(config.batch_size, config.concurrency)  # queued messages that call a claim
        queue: asyncio.Queue[ClaimedMessage | None] = asyncio.Queue()
        hungry = asyncio.Event()
        settled = asyncio.Event()
        writer = OutcomeWriter(
            flush_size=config.batch_size,
            interval=config.flush_interval,
            outage=self.outage,
            clock=self.clock,
        )
        claimed = rounds = 0
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(writer.run_flusher(settled))
            lanes = [
                tasks.create_task(self._lane(queue, writer, hungry, reserve))
                for _ in range(config.concurrency)
            ]
            try:
                while stop is None or not stop.is_set():
                    if wake is not None:
                        wake.clear()  # before claiming: a NOTIFY during the claim still wakes
                    batch = (
                        await self.outage.retry(lambda: self._claim(writer, stop), stop=stop) or []
                    )
                    claimed, rounds = claimed + len(batch), rounds + 1
                    for message in batch:
                        queue.put_nowait(message)
                    hungry.clear()  # a lane sets it again once the queue is down to the reserve
                    if batches is not None and rounds >= batches:
                        break
                    if len(batch) < config.batch_size:
                        if stop is None:
                            break
                        await self.clock.wait(stop, wake, timeout=config.poll_interval)
                    elif queue.qsize() > reserve:
                        await self.clock.wait(hungry, stop)
                if stop is not None and stop.is_set():
                    while not queue.empty():
                        if (waiting := queue.get_nowait()) is not None:
                            writer.add(self._give_back(waiting))
            finally:
                for _ in lanes:
                    queue.put_nowait(None)
            await asyncio.gather(*lanes)
            settled.set()
        return claimed

    async def _claim(
        self, writer: OutcomeWriter, stop: asyncio.Event | None
    ) -> list[ClaimedMessage]:
        """The next batch, once the outcomes held through an outage are written (their rows'
        leases may have run out: claimed first, they would be sent twice); none if `stop`
        comes first."""
        if not writer.caught_up.is_set():
            await self.clock.wait(writer.caught_up, stop)
            if not writer.caught_up.is_set():
                return []
        return await claim_due_messages(
            limit=self.config.batch_size, lease=self.config.lease, now=self.clock.now()
        )

    async def _lane(
        self,
        queue: asyncio.Queue[ClaimedMessage | None],
        writer: OutcomeWriter,
        hungry: asyncio.Event,
        reserve: int,
    ) -> None:
        """One send at a time, message after message, until the pump says there are no more.
        A message whose settling needed the database (a push reads the citizen's devices) while
        it was away goes back unsent: its lease runs on, so waiting for the database here
        could start the send too late. Nothing has been sent when such a read fails."""
        while (message := await queue.get()) is not None:
            if queue.qsize() <= reserve:
                hungry.set()
            try:
                outcome = await self._settle(message)
            except Exception as exc:
                if not is_database_unavailable(exc):
                    raise
                self.outage.noticed(exc)
                outcome = self._give_back(message)
            writer.add(outcome)

    async def _settle(self, message: ClaimedMessage) -> Outcome:
        now = self.clock.now()
        if now > message.lease_until - self.config.lease / 2:
            # Half its lease spent waiting for a lane (a slow gateway): a send begun now could
            # outlast the lease, and another worker could claim and send the row meanwhile.
            return self._give_back(message)
        if message.channel == Channel.PUSH:
            pushed = await self._try_push(message)
            if pushed is not None:
                return pushed
            message.channel = Channel.SMS
        if not can_text(message.phone) and not is_test_number(
            message.phone, self.config.test_number_prefix
        ):
            # Every SMS passes here, whichever door queued it (a USSD caller from abroad books).
            return self._failure(message, SendFailure(NOT_TEXTED, retryable=False))
        if not message.sms_allowed:
            return self._failure(message, SendFailure("opted out", retryable=False))
        urgent = message.priority == Priority.URGENT
        resume_at = (
            None
            if urgent or not self.config.quiet_hours
            else (self.config.quiet_hours.resume_at(now))
        )
        if resume_at is not None:
            return self._deferral(message, resume_at, reason=HELD_FOR_QUIET_HOURS)
        try:
            accepted, body = await self._send(message)
        except SendFailure as failure:
            return self._failure(message, failure)
        return self._sent(message, accepted, body)

    async def _try_push(self, message: ClaimedMessage) -> Outcome | None:
        """Push to the citizen's devices, newest first. An outcome when settled (sent, or a
        retry booked); None sends it by SMS instead: no push service, no live device, a
        permanent refusal, or retries used up."""
        if self.push_provider is None or message.citizen_id is None:
            return None
        devices = await Device.filter(citizen_id=message.citizen_id).order_by("-last_seen_at")
        title = text("push.title", message.language)
        for device in devices:
            outgoing = OutgoingMessage(
                id=str(message.id),
                phone=message.phone,
                body=message.body,
                title=title,
                data={"template": message.template, "message_id": str(message.id)},
                device_token=device.token,
            )
            try:
                accepted = await self.push_provider.send(outgoing)
            except DeadDeviceToken:
                await Device.filter(id=device.id).delete()
                continue
            except SendFailure as failure:
                if self.config.retry.allows_retry(failure, message.attempts):
                    return self._failure(message, failure)
                return None
            return self._sent(message, accepted, message.body)
        return None

    def _providers_for(self, phone: str) -> list[Provider]:
        if is_test_number(phone, self.config.test_number_prefix):
            return [self._test_numbers]
        return self.sms_providers

    async def _send(self, message: ClaimedMessage) -> tuple[Accepted, str]:
        body = to_sms_text(message.body, keep_diacritics=self.config.keep_diacritics)
        outgoing = OutgoingMessage(id=str(message.id), phone=message.phone, body=body)
        last: SendFailure | None = None
        for provider in self._providers_for(message.phone):
            try:
                return await provider.send(outgoing), body
            except SendFailure as failure:
                if not failure.retryable:
                    raise
                last = failure
        assert last is not None
        raise last

    @staticmethod
    def _outcome(message: ClaimedMessage, status: OutboxStatus, **fields: Any) -> Outcome:
        """The outcome that gives up this worker's claim on the row."""
        return Outcome(
            id=message.id,
            claim_token=message.claim_token,
            status=status,
            channel=message.channel,
            **fields,
        )

    def _deferral(
        self, message: ClaimedMessage, until: datetime, *, reason: str | None = None
    ) -> Outcome:
        """Back to the queue for later; a deferral is not a failed attempt. A reason given is
        kept as the row's `last_error`, so the wait can be explained (and found again)."""
        return self._outcome(
            message,
            OutboxStatus.QUEUED,
            next_attempt_at=until,
            attempts_delta=-1,
            last_error=reason,
        )

    def _give_back(self, message: ClaimedMessage) -> Outcome:
        """Back to the queue unsent, in the place it had: the next claim takes it first."""
        return self._deferral(message, message.next_attempt_at)

    def _sent(self, message: ClaimedMessage, accepted: Accepted, body: str) -> Outcome:
        now = self.clock.now()
        simulated = accepted.provider == TestNumberProvider.name
        return self._outcome(
            message,
            OutboxStatus.DELIVERED if simulated else OutboxStatus.SENT,
            sent_at=now,
            delivered_at=now if simulated else None,
            provider=accepted.provider,
            provider_message_id=accepted.provider_message_id,
            segments=measure_sms(body).segments if message.channel == Channel.SMS else 0,
            last_error="",
        )

    def _failure(self, message: ClaimedMessage, failure: SendFailure) -> Outcome:
        retry = self.config.retry
        if retry.allows_retry(failure, message.attempts):
            delay = retry.delay(message.attempts, failure.retry_after)
            return self._outcome(
                message,
                OutboxStatus.QUEUED,
                next_attempt_at=self.clock.now() + timedelta(seconds=delay),
                last_error=failure.reason[:500],
            )
        logger.warning("message %s failed for good: %s", message.id, failure.reason)
        return self._outcome(message, OutboxStatus.FAILED, last_error=failure.reason[:500])
