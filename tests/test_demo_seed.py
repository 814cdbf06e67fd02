"""A fresh demo tells the truth: `mgov seed` run for real (SQLite and PostgreSQL), then read
through the console, the app API and the dashboard as a newcomer would on a fresh `make run`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from domain.alerts.apologies import send_overdue_apologies
from domain.dossiers.records import is_overdue
from domain.local_time import utc_now
from domain.policy import current_policy
from infra.settings import Settings
from mgov.demo import load_demo_data
from mgov.demo_data import HOLIDAYS
from models import Agency, Dossier, Office, OutboxMessage
from tests.console_forms import csrf_of

DEMO_DOC = Path(__file__).resolve().parent.parent / "docs" / "demo.md"
SEED_TIMEOUT = 120


def run_seed(settings: Settings, var_dir: Path) -> str:
    """`mgov seed` in its own process on the test's database; its output."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MGOV_") and key not in ("DATABASE_URL", "PORT")
    }
    environ.update(
        DATABASE_URL=settings.database_url,
        MGOV_VAR_DIR=str(var_dir),
        MGOV_SECRET_KEY=str(settings.secret_key),
        MGOV_PII_HASH_KEY=str(settings.pii_hash_key),
    )
    done = subprocess.run(
        [sys.executable, "-m", "mgov.cli", "seed"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=SEED_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def console_as(client, username: str, password: str) -> None:
    page = await client.get("/console/login")
    signed = await client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf": csrf_of(page)},
    )
    assert signed.status_code == 303, signed.text


async def test_every_step_of_a_timeline_carries_its_own_date(client, database, tmp_path):
    run_seed(database, tmp_path)
    await console_as(client, "tongdai1", "demo-agent-2026")
    home = await client.get("/console")
    found = await client.post(
        "/console/search", data={"phone": "0901234567", "csrf": csrf_of(home)}
    )
    page = (await client.get(found.headers["location"])).text
    timeline = re.search(
        r"H29\.15-260914-0001</strong>.*?<ol class=\"timeline\">(.*?)</ol>", page, re.S
    )
    assert timeline, page
    steps = re.findall(r"<li>(\d\d:\d\d \d\d/\d\d/\d{4}) · ([^<(]+?)\s*<", timeline.group(1))
    assert steps == [("10:00 14/09/2026", "Mới tiếp nhận"), ("10:00 15/09/2026", "Đang xử lý")]
    # The alert each step sent is dated with it, in the messages the agent reads.
    assert '<td class="muted">10:00 14/09/2026</td>' in page


async def test_no_step_is_dated_before_its_dossier_or_after_the_seed(client, database, tmp_path):
    run_seed(database, tmp_path)
    after = utc_now()
    for dossier in await Dossier.all().prefetch_related("events"):
        moments = [event.created_at for event in sorted(dossier.events, key=lambda e: e.id)]
        assert moments[0] == dossier.received_at, dossier.code
        assert moments == sorted(moments) and moments[-1] <= after, dossier.code
    sent = await OutboxMessage.filter(sent_at__isnull=False).count()
    assert sent == await OutboxMessage.all().count()


async def test_a_dossier_seeded_today_is_not_overdue(client, database, tmp_path):
    output = run_seed(database, tmp_path)
    today = utc_now().astimezone(current_policy().timezone).strftime("%y%m%d")
    fresh = re.findall(rf"dossier (\S+-{today}-\d{{4}})  \(received recently\)", output)
    assert fresh, output
    for code in fresh:
        dossier = await Dossier.get(code=code)
        assert not is_overdue(dossier), (code, dossier.due_at)
    await send_overdue_apologies()
    assert not await Dossier.filter(code__in=fresh, apology_sent_at__isnull=False).exists()
    await console_as(client, "giamsat", "demo-supervisor-2026")
    board = (await client.get("/console/dashboard")).text
    overdue = re.search(r'<section id="most-overdue">(.*?)</section>', board, re.S)
    assert overdue and not any(code in overdue.group(1) for code in fresh)


async def test_demo_doc_and_seed_agree_on_agencies_and_their_offices(client, database, tmp_path):
    run_seed(database, tmp_path)
    section = DEMO_DOC.read_text(encoding="utf-8").split("\n## ")[0]
    promised = set(
        re.findall(r"\(`(H29[.\d]*)`\)", section.split("each with a one-stop office")[0])
    )
    assert len(promised) == 6
    assert set(await Agency.all().values_list("code", flat=True)) == promised
    offices = (await client.get("/v1/offices")).json()
    listed = offices["items"] if isinstance(offices, dict) else offices
    assert {office["agency"]["code"] for office in listed} == promised
    assert await Office.all().count() == len(promised)


async def test_the_dashboards_default_period_has_figures(client, database, tmp_path):
    run_seed(database, tmp_path)
    await console_as(client, "giamsat", "demo-supervisor-2026")
    board = (await client.get("/console/dashboard")).text

    tiles = dict(re.findall(r'<div class="tile[^"]*"><span>([^<]+)</span><b>([^<]+)</b>', board))
    assert tiles["Tỷ lệ đúng hạn"] != "—", tiles
    assert int(tiles["Đúng hạn"]) >= 1 and int(tiles["Trễ hạn"]) >= 1, tiles
    processing = re.search(r'<section id="processing-time">(.*?)</section>', board, re.S)
    assert processing and "—" not in processing.group(1)
    outbox = re.search(r'<section id="outbox">(.*?)</section>', board, re.S)
    assert outbox and "Chưa có số liệu trong kỳ này." not in outbox.group(1)
    to_send = re.search(
        r"Thời gian trung vị từ lúc xếp hàng đến lúc gửi</td><td class=\"num\">([^<]+)<", board
    )
    assert to_send and to_send.group(1) != "—"


def _working(day: date) -> bool:
    return day.weekday() < 5 and day not in {holiday for holiday, _, _ in HOLIDAYS}


def _next_working(day: date) -> date:
    day += timedelta(days=1)
    while not _working(day):
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        ("working 09:00", "same day"),  # before the cut-off: due that day at 17:00
        ("working 15:30", "next working day"),  # at or after the cut-off
        ("working 22:43", "next working day"),  # the evening seed
        ("saturday 10:00", "next working day"),  # an office closed that day
    ],
)
async def test_the_seed_days_dossier_counts_by_the_cut_off(db, moment, due):
    tz = current_policy().timezone
    kind, clock = moment.split()
    day = utc_now().astimezone(tz).date() + timedelta(days=1)
    while not (_working(day) if kind == "working" else day.weekday() == 5):
        day += timedelta(days=1)
    now = datetime.combine(day, time.fromisoformat(clock), tzinfo=tz)
    await load_demo_data(out=lambda line: None, now=now)
    dossier = await Dossier.get(citizen__phone="+84901234567", procedure__code="1.001193")
    assert dossier.received_at == now
    due_day = day if due == "same day" else _next_working(day)
    assert dossier.due_at == datetime.combine(due_day, time(17, 0), tzinfo=tz)
    assert not is_overdue(dossier, now=now)
    assert await send_overdue_apologies(now=now) >= 1  # the story's overdue dossiers do get one
    assert (await Dossier.get(id=dossier.id)).apology_sent_at is None
