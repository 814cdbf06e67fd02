"""Dossier statistics on a large table: one month's dashboard query against a bare count.

    .venv/bin/python bench/stats.py [--dossiers 200000] [--repeat 5]

It creates its own PostgreSQL database (on MGOV_BENCH_POSTGRES_URL, else MGOV_TEST_POSTGRES_URL,
else postgres://postgres@127.0.0.1:5432/postgres), migrates it with the checked-in migrations,
loads N dossiers received over 2026 with COPY, and drops the database at the end. It then times
`domain.stats.compute_dossier_stats` for November 2026 (city-wide and for one agency) and the
weekly flow, next to a bare `SELECT count(*)` over the month's rows and over the whole table, and
prints the median of `--repeat` runs of each.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

import asyncpg
from bench_postgres import admin_url, bench_settings, database_on
from tortoise.connection import get_connection

from domain.calendar import WorkingCalendar
from domain.dossiers.codes import code_digits_key, code_lookup_key, format_dossier_code
from domain.policy import current_policy
from domain.stats import compute_dossier_stats, count_weekly_flow, month_period, weeks_of
from infra.database import migrate_database, open_database
from infra.postgres_pool import asyncpg_dsn
from infra.settings import Settings
from models import Agency, Citizen, Office, Procedure
from models.enums import AgencyLevel, DossierStatus, Language, OnlineLevel

AGENCIES = 40
CITIZENS = 5_000
PROCEDURE_DAYS = [0, 1, 3, 3, 5, 5, 7, 10, 10, 15, 20, 30]
YEAR = 2026
NOW = datetime(YEAR, 12, 31, 17, 0, tzinfo=UTC)
COLUMNS = [
    "code",
    "lookup_key",
    "digits_key",
    "citizen_id",
    "procedure_id",
    "office_id",
    "status",
    "received_at",
    "due_at",
    "paused_at",
    "finished_at",
    "apology_sent_at",
    "promised_at",
    "status_note",
    "updated_at",
    "finished_late",
    "working_days_taken",
    "time_used_percent",
]


async def add_reference_rows() -> tuple[list[int], list[tuple[int, int]], list[int]]:
    """Agencies with one office each, procedures, citizens: (office ids, procedures, citizens)."""
    await Agency.bulk_create(
        [
            Agency(
                code=f"H29.{n:02d}",
                name_vi=f"UBND phường {n}",
                name_en=f"Ward {n} People's Committee",
                level=AgencyLevel.WARD,
            )
            for n in range(1, AGENCIES + 1)
        ]
    )
    agencies = await Agency.all().order_by("id")
    await Office.bulk_create(
        [Office(agency=a, name_vi=a.name_vi, name_en=a.name_en, address="TP.HCM") for a in agencies]
    )
    await Procedure.bulk_create(
        [
            Procedure(
                code=f"1.{n:06d}",
                name_vi=f"Thủ tục {n}",
                name_en=f"Procedure {n}",
                search_text=f"thu tuc {n}",
                agency=agencies[0],
                processing_days=days,
                online_level=OnlineLevel.PARTIAL,
            )
            for n, days in enumerate(PROCEDURE_DAYS)
        ]
    )
    await Citizen.bulk_create(
        [
            Citizen(phone=f"+8490{n:07d}", full_name=f"Công dân {n}", language=Language.VI)
            for n in range(CITIZENS)
        ]
    )
    offices = await Office.all().order_by("id").values_list("id", flat=True)
    procedures = await Procedure.all().order_by("id").values_list("id", "processing_days")
    citizens = await Citizen.all().values_list("id", flat=True)
    return list(offices), [tuple(p) for p in procedures], list(citizens)  # type: ignore[misc]


def dossier_rows(
    count: int, offices: list[int], procedures: list[tuple[int, int]], citizens: list[int]
) -> list[tuple[Any, ...]]:
    """Dossiers received over the year, in the shapes `move_dossier` leaves them: most of the
    old ones handled (one in five late), some withdrawn, the recent ones still open."""
    rng = random.Random(2026)
    tz = current_policy().timezone
    calendar = WorkingCalendar(holidays=frozenset(), tz=tz)
    agency_of = {office: f"H29.{n + 1:02d}" for n, office in enumerate(offices)}
    numbers: dict[tuple[str, date], int] = {}
    start = datetime(YEAR, 1, 1, tzinfo=tz)
    span = (NOW - start).total_seconds()
    rows = []
    # In receipt order, as a live table fills: a month's rows sit together on disk.
    moments = sorted(
        start + timedelta(seconds=rng.uniform(0, span) // 60 * 60) for _ in range(count)
    )
    for received in moments:
        office = rng.choice(offices)
        procedure, days = rng.choice(procedures)
        local_day = received.astimezone(tz).date()
        agency_code = agency_of[office]
        number = numbers[(agency_code, local_day)] = numbers.get((agency_code, local_day), 0) + 1
        code = format_dossier_code(agency_code=agency_code, day=local_day, number=number)
        due = calendar.due_at(received, days)
        status, finished, late, taken, percent = DossierStatus.IN_PROGRESS, None, None, None, None
        roll = rng.random()
        if roll < 0.03:
            status = DossierStatus.WITHDRAWN
            finished = received + timedelta(days=1)
        elif roll < 0.95:
            taken = max(0, round(days * rng.uniform(0.3, 1.0 if rng.random() < 0.8 else 1.6)))
            day = calendar.add_working_days(calendar.start_day(received), taken)
            finished = datetime.combine(day, clock(10, 0), tzinfo=tz).astimezone(UTC)
            if finished < received:
                finished = received
            late = finished > due
            percent = round(taken * 100 / days) if days else None
            status = rng.choice(
                [DossierStatus.RESULT_READY, DossierStatus.RETURNED, DossierStatus.RETURNED]
            )
            if rng.random() < 0.05:
                status = DossierStatus.REJECTED
        elif roll < 0.97:
            status = DossierStatus.NEEDS_SUPPLEMENT
        if finished is not None and finished > NOW:
            status, finished, late, taken, percent = (
                DossierStatus.IN_PROGRESS,
                None,
                None,
                None,
                None,
            )
        rows.append(
            (
                code,
                code_lookup_key(code),
                code_digits_key(code),
                rng.choice(citizens),
                procedure,
                office,
                status.value,
                received,
                due,
                received if status == DossierStatus.NEEDS_SUPPLEMENT else None,
                finished,
                None,
                None,
                "",
                finished or received,
                late if status != DossierStatus.WITHDRAWN else None,
                taken,
                percent,
            )
        )
    return rows


async def median_seconds(run: Callable[[], Awaitable[object]], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def bench(args: argparse.Namespace, settings: Settings, url: str) -> None:
    async with open_database(settings):
        offices, procedures, citizens = await add_reference_rows()
        started = time.perf_counter()
        rows = dossier_rows(args.dossiers, offices, procedures, citizens)
        generated = time.perf_counter() - started
        connection = await asyncpg.connect(url)
        try:
            started = time.perf_counter()
            await connection.copy_records_to_table("dossier", records=rows, columns=COLUMNS)
            loaded = time.perf_counter() - started
            await connection.execute("VACUUM ANALYZE dossier")
        finally:
            await connection.close()
        print(f"generated {len(rows):,} dossiers in {generated:.1f} s, COPY in {loaded:.1f} s")

        november = month_period(year=YEAR, month=11)
        agency_id = (await Agency.get(code="H29.07")).id
        db = get_connection("default")
        month_sql = "SELECT count(*) FROM dossier WHERE received_at >= $1 AND received_at < $2"
        month_rows = (await db.execute_query_dict(month_sql, [november.start, november.end]))[0]
        stats = await compute_dossier_stats(period=november, now=NOW)
        totals = stats.totals
        print(
            f"November: {month_rows['count']:,} received, {totals.finished:,} handled "
            f"({totals.on_time_rate:.1%} on time), {totals.in_progress:,} open, "
            f"{totals.overdue:,} overdue; median {stats.times.median_days} working days "
            f"(p90 {stats.times.p90_days}), {stats.times.median_percent} % of statutory time "
            f"(p90 {stats.times.p90_percent} %); {len(stats.by_agency)} agencies"
        )
        timings = {
            "SELECT count(*) over the month's rows": lambda: db.execute_query(
                month_sql, [november.start, november.end]
            ),
            "SELECT count(*) over the whole table": lambda: db.execute_query(
                "SELECT count(*) FROM dossier"
            ),
            "compute_dossier_stats, city, November": lambda: compute_dossier_stats(
                period=november, now=NOW
            ),
            "compute_dossier_stats, one agency, November": lambda: compute_dossier_stats(
                period=november, agency_id=agency_id, now=NOW
            ),
            "count_weekly_flow, city, November (5 weeks)": lambda: count_weekly_flow(
                weeks=weeks_of(november)
            ),
        }
        results = {name: await median_seconds(run, args.repeat) for name, run in timings.items()}
    bare = results["SELECT count(*) over the month's rows"]
    whole = results["SELECT count(*) over the whole table"]
    print(f"median of {args.repeat} runs:")
    for name, seconds in results.items():
        print(
            f"  {name:<46} {seconds * 1000:8.1f} ms   ×{seconds / bare:6.1f} month count"
            f"   ×{seconds / whole:5.1f} table count"
        )


async def main_async(args: argparse.Namespace, var_dir: Path) -> None:
    server = admin_url()
    name = f"mgov_bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(asyncpg_dsn(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        settings = bench_settings(database_on(server, name), var_dir)
        await migrate_database(settings, quiet=True)
        await bench(args, settings, asyncpg_dsn(database_on(server, name)))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if args.dossiers < 1 or args.repeat < 1:
        parser.error("--dossiers and --repeat must be positive")
    print(
        f"stats bench: {args.dossiers:,} dossiers, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}"
    )
    with tempfile.TemporaryDirectory(prefix="mgov-bench-") as var_dir:
        asyncio.run(main_async(args, Path(var_dir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
