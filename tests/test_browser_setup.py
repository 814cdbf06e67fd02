"""The browser tests on a machine without Chromium: skipped locally with what to install, a
failure under CI=true (where a skip would pass a run that never looked at the console)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 180


def run_browser_tests(tmp_path: Path, **environ: str) -> subprocess.CompletedProcess[str]:
    """The console's browser test, on SQLite, in a pytest of its own with no Chromium to find."""
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env.update(MGOV_TEST_CHROMIUM=str(tmp_path / "no-chromium-here"), **environ)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/test_console_browser.py",
            "-k",
            "sqlite",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "--basetemp",
            str(tmp_path / "inner"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.mark.parametrize("ci", [False, True], ids=["locally", "under CI"])
def test_without_chromium_the_browser_tests_say_what_to_install(tmp_path: Path, ci: bool):
    result = run_browser_tests(tmp_path, **({"CI": "true"} if ci else {}))
    output = result.stdout + result.stderr
    assert "apt-get install chromium" in output, output
    if ci:
        assert result.returncode != 0, output
        assert "under CI=true the browser test must run" in output
        assert "skipped" not in output.splitlines()[-1]
    else:
        assert result.returncode == 0, output
        summary = output.splitlines()[-1]
        assert re.match(r"\d+ skipped, \d+ deselected in ", summary), summary
