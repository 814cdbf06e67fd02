"""The channel and the SMS choice are stamped on each outbox row by `domain.alerts.choices`,
when it is queued and whenever the citizen changes a choice, so the worker reads only the row.
These check the stamps themselves, and that a database migrated from before the stamps gives
waiting messages the choices their citizens hold."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tortoise import Tortoise
from tortoise.migrations.api import migrate

from domain.alerts.choices import change_sms_alerts, record_consent
from domain.alerts.enqueue import enqueue_message
from infra.settings import load_settings
from models import OutboxMessage
from models.enums import Channel, ConsentPurpose, Priority
from tests.factories import make_citizen


async def _queue(citizen, priority: Priority = Priority.NORMAL) -> OutboxMessage:
    message = await enqueue_message(
        citizen=citizen, template="otp", params={"code": "123456"}, priority=priority
    )
    assert message is not None
    return message


async def _stamps(message: OutboxMessage) -> tuple[Channel, bool]:
    stored = await OutboxMessage.get(id=message.id)
    return stored.channel, stored.sms_allowed


async def test_stop_and_start_restamp_the_waiting_non_urgent_messages(db):
    citizen = await make_citizen(phone="0901234567")
    normal, urgent = await _queue(citizen), await _queue(citizen, Priority.URGENT)
    assert await change_sms_alerts(citizen=citizen, granted=False, channel="sms")
    assert await _stamps(normal) == (Channel.SMS, False)
    assert await _stamps(urgent) == (Channel.SMS, True)
    later = await _queue(citizen)
    assert await _stamps(later) == (Channel.SMS, False)
    assert await change_sms_alerts(citizen=citizen, granted=True, channel="app")
    assert [await _stamps(m) for m in (normal, urgent, later)] == [(Channel.SMS, True)] * 3


async def test_push_turned_off_moves_waiting_pushes_to_sms_and_on_moves_nothing(db):
    citizen = await make_citizen(phone="0901234567")
    await citizen.devices.create(platform="android", token="token-1")
    pushed = await _queue(citizen)
    assert await _stamps(pushed) == (Channel.PUSH, True)
    await record_consent(
        citizen=citizen, purpose=ConsentPurpose.PUSH_ALERTS, granted=False, channel="app"
    )
    assert await _stamps(pushed) == (Channel.SMS, True)
    texted = await _queue(citizen)
    await record_consent(
        citizen=citizen, purpose=ConsentPurpose.PUSH_ALERTS, granted=True, channel="app"
    )
    assert [await _stamps(m) for m in (pushed, texted)] == [(Channel.SMS, True)] * 2
    assert await _stamps(await _queue(citizen)) == (Channel.PUSH, True)


async def test_migrating_a_database_with_waiting_messages_stamps_their_choices(tmp_path: Path):
    settings = load_settings(
        {
            "MGOV_ENV": "development",
            "MGOV_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite://{tmp_path / 'old.sqlite3'}",
            "MGOV_SECRET_KEY": "test-secret-key-not-for-production-0123456789",
            "MGOV_PII_HASH_KEY": "test-pii-key-not-for-production-0123456789",
        }
    )
    config = settings.tortoise_config()
    try:
        await migrate(config=config, target="models.0012_inbound_sms_outcome")
    finally:
        await Tortoise.close_connections()
    with sqlite3.connect(tmp_path / "old.sqlite3") as old:
        old.executescript(
            """
            INSERT INTO citizen (id, phone, full_name, language, sms_opt_out, created_at,
                updated_at)
            VALUES (1, '+84901234567', '', 'vi', 1, '2026-01-01', '2026-01-01'),
                   (2, '+84901234568', '', 'vi', 0, '2026-01-01', '2026-01-01');
            INSERT INTO consent_record (citizen_id, purpose, granted, channel, recorded_at)
            VALUES (2, 'push_alerts', 1, 'app', '2026-01-01'),
                   (2, 'push_alerts', 0, 'app', '2026-01-02');
            """
        )
        for number, (citizen, channel, priority, status) in enumerate(
            [
                (1, "sms", "normal", "queued"),
                (1, "sms", "urgent", "queued"),
                (1, "sms", "normal", "sent"),
                (2, "push", "normal", "queued"),
                (2, "push", "normal", "sent"),
            ]
        ):
            old.execute(
                "INSERT INTO outbox_message (id, citizen_id, phone, channel, template, params,"
                " language, body, priority, status, attempts, next_attempt_at, provider,"
                " segments, last_error, created_at)"
                " VALUES (?, ?, '+84901234567', ?, 'otp', '{}', 'vi', '', ?, ?, 0,"
                " '2026-01-01', '', 0, '', '2026-01-01')",
                (f"{number:032x}", citizen, channel, priority, status),
            )
    try:
        await migrate(config=config)
    finally:
        await Tortoise.close_connections()
    with sqlite3.connect(tmp_path / "old.sqlite3") as new:
        rows = new.execute("SELECT channel, sms_allowed FROM outbox_message ORDER BY id").fetchall()
    assert rows == [("sms", 0), ("sms", 1), ("sms", 1), ("sms", 1), ("push", 1)]
