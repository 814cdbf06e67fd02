"""What becomes of a gateway's callback: kept in the database now, or in the spool while the
database is away (and answered once the spool is replayed). Only what is kept is acknowledged:
a callback that fits in neither is refused with 503, so the gateway sends it again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from functools import partial

from channels.sms.handlers import answer
from channels.sms.keywords import parse_command
from channels.sms.records import DeliveryReport, InboundSms
from channels.sms.spool import Record, SmsSpool
from domain.alerts.deliveries import apply_delivery_report
from domain.inbound_sms import receive_inbound_sms
from domain.local_time import utc_now
from infra.metrics import count_sms_inbound
from infra.outages import (
    DATABASE_ERRORS,
    DatabaseUnavailable,
    is_database_unavailable,
    note_database_outage,
)
from models.enums import OutboxStatus

logger = logging.getLogger("mgov.sms")


async def record_inbound(sms: InboundSms, *, keep_diacritics: bool) -> None:
    """Record the message and queue its reply (one transaction, once per gateway id)."""
    # The gateway's id goes with the command: a request made by this text is keyed by it.
    command = replace(parse_command(sms.text), source=f"{sms.gateway}:{sms.message_id}")
    _, fresh = await receive_inbound_sms(
        gateway=sms.gateway,
        gateway_message_id=sms.message_id,
        phone=sms.phone,
        text=sms.text,
        received_at=sms.received_at,
        language=command.language,
        respond=lambda citizen: answer(command, citizen, keep_diacritics=keep_diacritics),
    )
    if fresh:  # a gateway's retry is the same text, counted once
        count_sms_inbound(keyword=command.action.value)


async def take_inbound(sms: InboundSms, *, spool: SmsSpool, keep_diacritics: bool) -> None:
    """A message: recorded with its reply now, or into the spool."""
    await _keep(
        partial(record_inbound, sms, keep_diacritics=keep_diacritics),
        spool,
        {
            "kind": "inbound",
            "gateway": sms.gateway,
            "message_id": sms.message_id,
            "phone": sms.phone,
            "text": sms.text,
            # The moment it reached us, not the moment the database came back.
            "received_at": (sms.received_at or utc_now()).isoformat(),
        },
        where="SMS inbound",
    )


async def take_delivery(report: DeliveryReport, *, provider: str, spool: SmsSpool) -> None:
    """A report with something to apply: into the outbox now, or into the spool."""
    assert report.status is not None
    await _keep(
        partial(
            apply_delivery_report,
            provider=provider,
            provider_message_id=report.message_id,
            status=report.status,
            reason=report.reason,
        ),
        spool,
        {
            "kind": "delivery",
            "provider": provider,
            "message_id": report.message_id,
            "status": report.status.value,
            "reason": report.reason,
        },
        where="SMS delivery report",
    )


async def _keep(
    write: Callable[[], Awaitable[object]], spool: SmsSpool, record: Record, *, where: str
) -> None:
    """Into the database, or into the spool while it is away or while older records still wait
    there (a STOP then a START must not arrive the other way round)."""
    if not spool.pending():
        try:
            await write()
            return
        except DATABASE_ERRORS as exc:
            if not is_database_unavailable(exc):
                raise
            note_database_outage(exc, where=where)
    await _spool(spool, record)


async def _spool(spool: SmsSpool, record: Record) -> None:
    try:
        await spool.append(record)
    except OSError as exc:
        logger.error("SMS spool %s cannot take a record: %s", spool.directory, exc)
        raise DatabaseUnavailable("neither the database nor the SMS spool can keep it") from exc
    logger.info("SMS %s %s spooled", record["kind"], record["message_id"])


async def apply_spooled(record: Record, *, keep_diacritics: bool) -> None:
    """One spooled record, as its door would have applied it."""
    if record["kind"] == "delivery":
        await apply_delivery_report(
            provider=record["provider"],
            provider_message_id=record["message_id"],
            status=OutboxStatus(record["status"]),
            reason=record["reason"],
        )
        return
    sms = InboundSms(
        gateway=record["gateway"],
        message_id=record["message_id"],
        phone=record["phone"],
        text=record["text"],
        received_at=datetime.fromisoformat(record["received_at"]),
    )
    await record_inbound(sms, keep_diacritics=keep_diacritics)


@asynccontextmanager
async def replaying(spool: SmsSpool, *, keep_diacritics: bool) -> AsyncIterator[None]:
    """The web process replays its machine's spool for as long as it runs (the spool is on
    this machine's disk, where a worker elsewhere cannot see it)."""
    stop = asyncio.Event()
    task = asyncio.create_task(
        spool.run(partial(apply_spooled, keep_diacritics=keep_diacritics), stop)
    )
    try:
        yield
    finally:
        stop.set()
        await task
