"""What the worker must not send, or not yet: opt-outs, quiet hours, test numbers; and
delivery reports applied once and never backwards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from domain.alerts.choices import record_consent
from domain.alerts.deliveries import apply_delivery_report
from domain.alerts.enqueue import enqueue_message
from domain.alerts.quiet_hours import QuietHours
from domain.local_time import utc_now
from models import OutboxMessage
from models.enums import ConsentPurpose, OutboxStatus, Priority
from notifications.providers.http_sms import HttpSmsProvider
from notifications.worker import OutboxWorker, WorkerConfig
from tests.factories import make_citizen
from tests.fake_gateway import FakeSmsGateway

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[FakeSmsGateway, aiohttp.ClientSession, str]]:
    fake = FakeSmsGateway()
    url = await fake.start()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        yield fake, http, url
    await fake.close()


def _worker(http, url: str, quiet: QuietHours | None = None) -> OutboxWorker:
    return OutboxWorker(
        sms_providers=[HttpSmsProvider(session=http, url=url)],
        config=WorkerConfig(quiet_hours=quiet),
    )


async def _queue(phone: str = "0901234567", priority: Priority = Priority.NORMAL):
    citizen = await make_citizen(phone)
    message = await enqueue_message(
        citizen=citizen,
        template="appointment_cancelled",
        params={"id": 7, "when": "08:00 24/11/2026"},
        priority=priority,
    )
    assert message is not None
    return citizen, message


def _quiet_now() -> QuietHours:
    """Quiet hours around the present moment, whatever the clock says."""
    local = utc_now().astimezone(HCM)
    start = (local - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (local + timedelta(hours=1)).time().replace(second=0, microsecond=0)
    return QuietHours(start=start, end=end, tz=HCM)


@pytest.mark.parametrize(
    ("local", "resume"),
    [
        (datetime(2026, 11, 23, 22, 30, tzinfo=HCM), datetime(2026, 11, 24, 7, 0, tzinfo=HCM)),
        (datetime(2026, 11, 24, 3, 0, tzinfo=HCM), datetime(2026, 11, 24, 7, 0, tzinfo=HCM)),
        (datetime(2026, 11, 23, 21, 0, tzinfo=HCM), datetime(2026, 11, 24, 7, 0, tzinfo=HCM)),
        (datetime(2026, 11, 24, 7, 0, tzinfo=HCM), None),
        (datetime(2026, 11, 24, 12, 0, tzinfo=HCM), None),
        (datetime(2026, 11, 23, 20, 59, tzinfo=HCM), None),
    ],
)
def test_quiet_hours_span_midnight_in_local_time(local, resume):
    quiet = QuietHours(start=time(21, 0), end=time(7, 0), tz=HCM)
    assert quiet.resume_at(local.astimezone(UTC)) == resume


async def test_quiet_hours_defer_normal_sms_without_costing_an_attempt(db, gateway):
    fake, http, url = gateway
    _, message = await _queue()
    await _worker(http, url, _quiet_now()).run_once()
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == OutboxStatus.QUEUED and stored.attempts == 0
    assert stored.next_attempt_at > utc_now() + timedelta(minutes=30)
    assert fake.received == []


async def test_urgent_messages_ignore_quiet_hours_and_opt_out(db, gateway):
    fake, http, url = gateway
    citizen, message = await _queue(priority=Priority.URGENT)
    await record_consent(
        citizen=citizen, purpose=ConsentPurpose.SMS_ALERTS, granted=False, channel="sms"
    )
    await _worker(http, url, _quiet_now()).run_once()
    assert (await OutboxMessage.get(id=message.id)).status == OutboxStatus.SENT
    assert len(fake.received) == 1


async def test_an_opted_out_citizen_gets_no_normal_sms_until_opting_in(db, gateway):
    fake, http, url = gateway
    citizen, message = await _queue()
    await record_consent(
        citizen=citizen, purpose=ConsentPurpose.SMS_ALERTS, granted=False, channel="sms"
    )
    await _worker(http, url).run_once()
    stored = await OutboxMessage.get(id=message.id)
    assert (stored.status, stored.last_error) == (OutboxStatus.FAILED, "opted out")
    assert fake.received == []
    await record_consent(
        citizen=citizen, purpose=ConsentPurpose.SMS_ALERTS, granted=True, channel="app"
    )
    _, later = await _queue()
    await _worker(http, url).run_once()
    assert (await OutboxMessage.get(id=later.id)).status == OutboxStatus.SENT


@pytest.mark.parametrize(
    ("phone", "status", "retried"),
    [
        ("0900000001", OutboxStatus.DELIVERED, False),
        ("0900000005", OutboxStatus.QUEUED, True),
        ("0900000008", OutboxStatus.FAILED, False),
    ],
)
async def test_test_numbers_never_reach_a_gateway(db, gateway, phone, status, retried):
    fake, http, url = gateway
    _, message = await _queue(phone)
    await _worker(http, url).run_once()
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == status
    assert (stored.next_attempt_at > utc_now()) == retried
    assert fake.received == []


async def test_delivery_reports_apply_once_and_never_go_backwards(db, gateway):
    fake, http, url = gateway
    _, message = await _queue()
    await _worker(http, url).run_once()
    sent = await OutboxMessage.get(id=message.id)
    assert sent.status == OutboxStatus.SENT
    gateway_id = sent.provider_message_id

    delivered = await apply_delivery_report(
        provider=sent.provider, provider_message_id=gateway_id, status=OutboxStatus.DELIVERED
    )
    assert delivered is not None and delivered.status == OutboxStatus.DELIVERED
    first_delivery = delivered.delivered_at
    again = await apply_delivery_report(
        provider=sent.provider, provider_message_id=gateway_id, status=OutboxStatus.DELIVERED
    )
    assert again is not None and again.delivered_at == first_delivery
    for late in (OutboxStatus.SENT, OutboxStatus.FAILED):
        await apply_delivery_report(
            provider=sent.provider, provider_message_id=gateway_id, status=late
        )
        assert (await OutboxMessage.get(id=message.id)).status == OutboxStatus.DELIVERED

    assert (
        await apply_delivery_report(
            provider=sent.provider, provider_message_id="never-sent", status=OutboxStatus.DELIVERED
        )
        is None
    )


async def test_a_failure_report_records_the_gateway_reason(db, gateway):
    fake, http, url = gateway
    _, message = await _queue()
    await _worker(http, url).run_once()
    sent = await OutboxMessage.get(id=message.id)
    failed = await apply_delivery_report(
        provider=sent.provider,
        provider_message_id=sent.provider_message_id,
        status=OutboxStatus.FAILED,
        reason="UserInBlackList",
    )
    assert failed is not None
    assert (failed.status, failed.last_error) == (OutboxStatus.FAILED, "UserInBlackList")
