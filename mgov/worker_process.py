"""The `worker` process: providers built from settings, the outbox loop, a clean SIGTERM."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
from tortoise.functions import Count

from domain.alerts.apologies import send_overdue_apologies
from domain.alerts.quiet_hours import QuietHours, release_quiet_hours_holds
from domain.alerts.reminders import enqueue_due_reminders
from domain.applications.documents import DocumentStore
from domain.applications.drafts import purge_stale_drafts
from domain.auth.app_tokens import purge_expired_logins
from domain.local_time import utc_now
from domain.stats.outbox import read_backlog
from domain.throttle import purge_old_attempts
from domain.ussd_sessions import purge_expired_ussd_sessions
from infra.database import open_database
from infra.document_store import FilesystemStore
from infra.settings import Settings
from models import OutboxMessage
from models.enums import OutboxStatus
from notifications.outage import DatabaseOutage, quiet_pool_floor_retries
from notifications.providers.africastalking import AfricasTalkingProvider
from notifications.providers.base import OUTBOUND_TIMEOUT, Provider
from notifications.providers.fcm import FcmProvider
from notifications.providers.http_sms import HttpSmsProvider
from notifications.providers.log import LogProvider
from notifications.wakeup import outbox_wakeups
from notifications.worker import OutboxWorker, WorkerConfig

logger = logging.getLogger("mgov.worker")


def build_sms_providers(settings: Settings, session: aiohttp.ClientSession) -> list[Provider]:
    """The SMS providers in priority order: the first that accepts a message sends it."""
    builders: dict[str, Callable[[], Provider]] = {
        "log": lambda: LogProvider(),
        "http": lambda: HttpSmsProvider(
            session=session, url=settings.sms_http_url, token=str(settings.sms_http_token)
        ),
        "africastalking": lambda: AfricasTalkingProvider(
            session=session,
            username=settings.at_username,
            api_key=str(settings.at_api_key),
            base_url=settings.at_base_url,
            sender_id=settings.at_sender_id,
        ),
    }
    return [builders[name]() for name in settings.sms_providers]


def build_push_provider(settings: Settings, session: aiohttp.ClientSession) -> Provider | None:
    """FCM when a service-account key is configured; without one, every message goes by SMS."""
    if not settings.fcm_service_account_file:
        return None
    with open(settings.fcm_service_account_file, encoding="utf-8") as handle:
        service_account = json.load(handle)
    return FcmProvider(session=session, service_account=service_account)


async def run_worker(settings: Settings) -> None:
    """SIGTERM or SIGINT: stop claiming, settle every claimed message, write the outcomes, exit.
    A database outage stops nothing: every loop waits for the database through one
    `DatabaseOutage`, which logs the outage once."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    outage = DatabaseOutage()
    quiet_pool_floor_retries()
    async with (
        open_database(settings),
        aiohttp.ClientSession(timeout=OUTBOUND_TIMEOUT) as http,
        outbox_wakeups(settings.database_url, outage=outage) as wake,
    ):
        quiet_hours = (
            QuietHours(*settings.quiet_hours, tz=settings.timezone)
            if settings.quiet_hours
            else None
        )
        worker = OutboxWorker(
            outage=outage,
            sms_providers=build_sms_providers(settings, http),
            push_provider=build_push_provider(settings, http),
            config=WorkerConfig(
                keep_diacritics=settings.sms_keep_diacritics,
                lease=timedelta(seconds=settings.worker_lease_seconds),
                batch_size=settings.worker_batch_size,
                concurrency=settings.worker_concurrency,
                quiet_hours=quiet_hours,
                test_number_prefix=settings.test_number_prefix,
            ),
        )
        logger.info("worker started with SMS providers %s", ", ".join(settings.sms_providers))
        released = await outage.retry(lambda: release_for_quiet_hours(quiet_hours), stop=stop)
        if released:
            logger.info("%d messages held for quiet hours now wait by MGOV_QUIET_HOURS", released)
        drafts = DraftPurge(
            FilesystemStore(settings.document_dir), timedelta(days=settings.draft_days)
        )
        await asyncio.gather(
            worker.run(stop, wake), run_scheduler(stop, outage=outage, drafts=drafts)
        )
    logger.info("worker stopped")


async def release_for_quiet_hours(quiet_hours: QuietHours | None) -> int:
    """Messages an earlier worker held for the night wait only as long as the quiet hours
    configured now: none with `MGOV_QUIET_HOURS=off`."""
    now = utc_now()
    until = (quiet_hours.resume_at(now) if quiet_hours else None) or now
    return await release_quiet_hours_holds(until=until)


@dataclass(frozen=True)
class DraftPurge:
    """Where abandoned drafts' files are, and how long a draft may lie untouched."""

    store: DocumentStore
    untouched_for: timedelta


async def run_scheduler(
    stop: asyncio.Event,
    interval: float = 60.0,
    outage: DatabaseOutage | None = None,
    drafts: DraftPurge | None = None,
) -> None:
    """Reminder and overdue scans (and old rate-limit windows dropped), once a minute. A scan
    the database's absence interrupts is run again from the start when it is back (each step
    does only what is still undone); any other failure is logged and waits for the next minute."""
    outage = outage or DatabaseOutage()
    while not stop.is_set():
        try:
            await outage.retry(lambda: _scan(drafts), stop=stop)
        except Exception:
            logger.exception("reminder scan failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
        except TimeoutError:
            pass


async def _scan(drafts: DraftPurge | None) -> None:
    queued = await enqueue_due_reminders()
    apologies = await send_overdue_apologies()
    await purge_old_attempts()
    await purge_expired_logins()
    await purge_expired_ussd_sessions()
    if queued or apologies:
        logger.info("queued %d reminders and %d overdue apologies", queued, apologies)
    if drafts is not None:
        purged = await purge_stale_drafts(store=drafts.store, untouched_for=drafts.untouched_for)
        if purged:
            logger.info(
                "deleted %d drafts untouched for %s, with their files", purged, drafts.untouched_for
            )


async def outbox_report() -> list[str]:
    """What an operator asks first: how many messages in each state, and how long the oldest
    message that is due to go has waited (one held for the morning or a retry's backoff waits
    by design; counting it would show hours of backlog every night, as the dashboard would)."""
    counts = dict(
        await OutboxMessage.annotate(count=Count("id"))
        .group_by("status")
        .values_list("status", "count")
    )
    lines = [f"{status.value:<10} {counts.get(status, 0)}" for status in OutboxStatus]
    waited = (await read_backlog()).oldest_queued_seconds
    lines.append(f"oldest due: {waited:.0f} s" if waited is not None else "oldest due: -")
    return lines
