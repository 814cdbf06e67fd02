"""The benchmarks run, on tiny numbers, inside the suite: a script that measures nothing because
it broke is found here, not the day someone needs its figures. Their figures are not judged."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest

from tests.conftest import postgres_reachable

BENCH = Path(__file__).resolve().parent.parent / "bench"
RUNS = {
    "stats.py": (
        ["--dossiers", "300", "--repeat", "1"],
        r"compute_dossier_stats, city, \w+ +[\d.]+ ms",
    ),
    "outbox.py": (
        ["--messages", "200", "--warmup", "50", "--settings", "50x8"],
        r"ratio [\d.]+;.*duplicates 0$",
    ),
    "body_flood.py": (["--bodies", "2", "--megabytes", "1"], r"answers \{'413': 2\}$"),
    # 2 sessions x 1 round x 4 hops, every answer checked by the script: 0 errors.
    "ussd.py": (["--sessions", "2", "--rounds", "1", "--repeat", "1"], r"^ussd\s+8\s.*\s0$"),
    # 2 uploads of 1 MiB to each side, every answer checked by the script: 0 errors on both.
    "uploads.py": (
        ["--uploads", "2", "--megabytes", "1", "--rounds", "2"],
        r"^mgov\s+[\d.]+\s.*\s0\nbare\s+[\d.]+\s.*\s0$",
    ),
}


@pytest.mark.parametrize("script", sorted(RUNS))
async def test_the_benchmark_runs_to_its_figures(script):
    problem = await postgres_reachable()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL unreachable under CI=true: {problem}")
        pytest.skip(f"the benchmarks need PostgreSQL: {problem}")
    args, expected = RUNS[script]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(BENCH / script),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=180)
    text = out.decode()
    assert process.returncode == 0, text
    assert re.search(expected, text, re.MULTILINE), text
