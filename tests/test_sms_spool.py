"""The SMS spool on its own: arrival order kept (even for a message that arrives once the
database is back but while older ones still wait), a spool left by an earlier process replayed
at start, a record the database refuses set aside without holding up the rest, and two
replayers on one directory applying each record once."""

from __future__ import annotations

import asyncio
import dataclasses
import fcntl
import json
import os
import stat
from functools import partial
from pathlib import Path

from channels.sms.intake import apply_spooled
from channels.sms.spool import FAILED, LOCK, SmsSpool
from models import Citizen, InboundMessage, OutboxMessage
from tests.conftest import empty_all_tables, http_client, running_app
from tests.db_outage import WAIT, database_outage, settings_through, spool_drained

PHONE = "+84901234567"


def _inbound(message_id: str, text: str, phone: str = PHONE) -> dict[str, str]:
    return {
        "kind": "inbound",
        "gateway": "generic",
        "message_id": message_id,
        "phone": phone,
        "text": text,
        "received_at": "2026-11-23T10:00:00+00:00",
    }


async def test_a_record_is_one_private_file_whole_on_disk(tmp_path: Path) -> None:
    spool = SmsSpool(tmp_path / "spool")
    assert not spool.pending()
    await spool.append(_inbound("g-1", "TG"))
    await spool.append(_inbound("g-2", "LH"))
    files = sorted((tmp_path / "spool").iterdir())
    assert [json.loads(path.read_text())["message_id"] for path in files] == ["g-1", "g-2"]
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files)
    assert stat.S_IMODE((tmp_path / "spool").stat().st_mode) == 0o700
    assert spool.pending()


async def test_a_message_arriving_after_the_outage_queues_behind_the_spooled_ones(
    database, tmp_path
):
    """STOP during the outage, START just after it while the STOP still waits: START wins."""
    async with database_outage(database.database_url, sqlite="unlinked", tmp=tmp_path) as outage:
        async with running_app(settings_through(database, outage, tmp_path / "spool")) as app:
            await empty_all_tables()
            spool: SmsSpool = app.state.sms_spool
            # Another web process is replaying this directory: ours may not start yet.
            (tmp_path / "spool").mkdir(mode=0o700)
            held = os.open(tmp_path / "spool" / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(held, fcntl.LOCK_EX)
            async with http_client(app) as http:
                await outage.cut()
                stop = {"id": "g-stop", "from": PHONE, "text": "TU CHOI"}
                response = await http.post("/channels/sms/generic/inbound", json=stop)
                assert (response.status_code, response.text) == (200, "")
                await outage.restore()
                start = {"id": "g-start", "from": PHONE, "text": "DK"}
                response = await http.post("/channels/sms/generic/inbound", json=start)
                assert (response.status_code, response.text) == (200, "")
            assert await InboundMessage.all().count() == 0
            assert len(list((tmp_path / "spool").glob("*.json"))) == 2
            os.close(held)
            await spool_drained(app)
            assert not spool.pending()
            records = await InboundMessage.all().order_by("created_at").prefetch_related("reply")
            assert [r.gateway_message_id for r in records] == ["g-stop", "g-start"]
            assert [r.reply.template for r in records] == ["reply_stopped", "reply_started"]
            assert (await Citizen.get(phone=PHONE)).sms_opt_out is False


async def test_a_spool_left_by_an_earlier_process_is_replayed_at_start(database, tmp_path):
    leftover = SmsSpool(tmp_path / "spool")
    await leftover.append(_inbound("g-left", "TG"))
    async with running_app(dataclasses.replace(database, sms_spool_dir=tmp_path / "spool")) as app:
        await spool_drained(app)
        record = await InboundMessage.get(gateway_message_id="g-left").prefetch_related("reply")
        assert record.reply.template == "reply_help"


async def test_a_record_the_database_refuses_is_set_aside_and_the_rest_go_on(db, tmp_path):
    spool = SmsSpool(tmp_path / "spool")
    bad = {"kind": "delivery", "provider": "http", "message_id": "x", "status": "lost"}
    await spool.append(bad)
    await spool.append(_inbound("g-after", "TG"))
    (tmp_path / "spool" / "00000000000000000000-1-garbage.json").write_text("{not json")
    applied = await spool.replay(partial(apply_spooled, keep_diacritics=False))
    assert applied == 1
    assert await InboundMessage.filter(gateway_message_id="g-after").count() == 1
    assert not spool.pending()
    assert len(list((tmp_path / "spool" / FAILED).iterdir())) == 2


async def test_two_replayers_on_one_directory_apply_each_record_once(db, tmp_path):
    for number in range(20):
        await SmsSpool(tmp_path / "spool").append(_inbound(f"g-{number}", "TG"))
    first, second = SmsSpool(tmp_path / "spool"), SmsSpool(tmp_path / "spool")
    apply = partial(apply_spooled, keep_diacritics=False)
    counts = await asyncio.wait_for(asyncio.gather(first.replay(apply), second.replay(apply)), WAIT)
    assert sorted(counts) == [0, 20]
    assert await InboundMessage.all().count() == 20
    assert await OutboxMessage.all().count() == 20
