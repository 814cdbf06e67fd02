"""What the PostgreSQL benchmarks share: the server they run on and a run's own database.

Imported by the scripts beside it (`bench/` is on their path when run as scripts)."""

from __future__ import annotations

import os
from pathlib import Path

from infra.settings import Settings, load_settings

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


def admin_url() -> str:
    """The server to create each run's database on: the benchmarks' own, else the tests'."""
    for name in ("MGOV_BENCH_POSTGRES_URL", "MGOV_TEST_POSTGRES_URL"):
        if os.environ.get(name):
            return os.environ[name]
    return DEFAULT_POSTGRES


def database_on(admin: str, name: str, pool: int | None = None) -> str:
    """Database `name` on the admin URL's server, with a Tortoise pool of `pool` if given."""
    base = admin.partition("?")[0].rpartition("/")[0]
    return f"{base}/{name}" + (f"?maxsize={pool}" if pool else "")


def bench_settings(database_url: str, var_dir: Path) -> Settings:
    return load_settings(
        {
            "MGOV_ENV": "development",
            "MGOV_VAR_DIR": str(var_dir),
            "DATABASE_URL": database_url,
            "MGOV_SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
            "MGOV_PII_HASH_KEY": "bench-pii-key-not-for-production-0123456789",
        }
    )
