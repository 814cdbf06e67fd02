"""The environment a `mgov` command run by a test starts from (tests/test_cli.py,
tests/test_sms_console.py)."""

from __future__ import annotations

import os


def clean_environ() -> dict[str, str]:
    """The test's environment without anything that would point mgov elsewhere."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MGOV_") and key not in ("DATABASE_URL", "PORT")
    }
