"""The `mgov` command run for real, in a subprocess, against a temporary SQLite database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.subprocess_env import clean_environ

TIMEOUT = 120
DEMO_DOSSIER = "H29.99-261005-0001"


def run_mgov(
    tmp_path: Path, *args: str, command: list[str] | None = None, **environ: str
) -> subprocess.CompletedProcess[str]:
    env = clean_environ()
    env["MGOV_VAR_DIR"] = str(tmp_path / "var")
    env["DATABASE_URL"] = f"sqlite://{tmp_path / 'x.sqlite3'}"
    env.update(environ)
    return subprocess.run(
        [*(command or [sys.executable, "-m", "mgov.cli"]), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def tables(path: Path) -> set[str]:
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}
    finally:
        connection.close()


def count(path: Path, table: str) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        connection.close()


def test_the_console_script_is_installed_and_lists_its_commands(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "mgov"
    result = run_mgov(tmp_path, "--help", command=[str(script)])
    assert result.returncode == 0, result.stderr
    for name in ("migrate", "seed", "web"):
        assert name in result.stdout


def test_an_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run_mgov(tmp_path, "frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_migrate_creates_the_tables_and_a_second_run_is_a_no_op(tmp_path: Path) -> None:
    database = tmp_path / "x.sqlite3"
    first = run_mgov(tmp_path, "migrate")
    assert first.returncode == 0, first.stderr
    assert "applied models." in first.stdout
    assert first.stdout.rstrip().endswith("database is up to date")
    created = tables(database)
    assert {"dossier", "citizen", "tortoise_migrations"} <= created
    applied = count(database, "tortoise_migrations")
    assert applied >= 1

    second = run_mgov(tmp_path, "migrate")
    assert second.returncode == 0, second.stderr
    assert second.stdout == "database is up to date\n"
    assert tables(database) == created
    assert count(database, "tortoise_migrations") == applied


def test_seed_loads_the_demo_city_once(tmp_path: Path) -> None:
    database = tmp_path / "x.sqlite3"
    assert run_mgov(tmp_path, "migrate").returncode == 0

    first = run_mgov(tmp_path, "seed")
    assert first.returncode == 0, first.stderr
    assert f"dossier {DEMO_DOSSIER}" in first.stdout
    assert "demo data loaded" in first.stdout
    assert "demo data already loaded" not in first.stdout
    dossiers = count(database, "dossier")
    assert dossiers >= 10

    second = run_mgov(tmp_path, "seed")
    assert second.returncode == 0, second.stderr
    assert "demo data already loaded" in second.stdout
    assert DEMO_DOSSIER not in second.stdout
    assert count(database, "dossier") == dossiers


def test_production_without_secrets_is_one_clear_line(tmp_path: Path) -> None:
    env = {"MGOV_ENV": "production", "MGOV_VAR_DIR": str(tmp_path / "var")}
    result = subprocess.run(
        [sys.executable, "-m", "mgov.cli", "migrate"],
        cwd=tmp_path,
        env={**clean_environ(), **env},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mgov: configuration error:")
    assert result.stdout == ""
    assert not (tmp_path / "var").exists()  # no development secrets were generated


def test_production_names_every_missing_setting_in_one_start(tmp_path: Path) -> None:
    result = run_mgov(tmp_path, "web", MGOV_ENV="production", DATABASE_URL="", PORT="eighty")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "mgov: configuration error: MGOV_SECRET_KEY, MGOV_PII_HASH_KEY, DATABASE_URL and"
        " MGOV_GATEWAY_SECRET or MGOV_GATEWAY_ALLOWED_IPS are required when MGOV_ENV=production;"
        " PORT has a value that is not a valid int;"
        " MGOV_SMS_PROVIDERS=log prints messages and is refused in production"
    ]
    assert not (tmp_path / "var").exists()  # no development secrets were generated


@pytest.mark.parametrize("missing", ["MGOV_SECRET_KEY", "MGOV_PII_HASH_KEY"])
def test_production_names_the_missing_secret(tmp_path: Path, missing: str) -> None:
    environ = {
        "MGOV_ENV": "production",
        "MGOV_SECRET_KEY": "dummy-secret-key-0123456789",
        "MGOV_PII_HASH_KEY": "dummy-pii-key-0123456789",
        "MGOV_SMS_PROVIDERS": "http",
        "MGOV_SMS_HTTP_URL": "https://sms.example/send",
        "MGOV_GATEWAY_SECRET": "dummy-gateway-secret-0123456789",
    }
    del environ[missing]
    result = run_mgov(tmp_path, "migrate", **environ)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"mgov: configuration error: {missing} is required when MGOV_ENV=production"
    ]
    assert not (tmp_path / "x.sqlite3").exists()


def test_seed_is_refused_in_production(tmp_path: Path) -> None:
    result = run_mgov(
        tmp_path,
        "seed",
        MGOV_ENV="production",
        MGOV_SECRET_KEY="dummy-secret-key-0123456789",
        MGOV_PII_HASH_KEY="dummy-pii-key-0123456789",
        MGOV_SMS_PROVIDERS="http",
        MGOV_SMS_HTTP_URL="https://sms.example/send",
        MGOV_GATEWAY_SECRET="dummy-gateway-secret-0123456789",
    )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mgov: configuration error:")
    assert "demo data" in lines[0]
    assert not (tmp_path / "x.sqlite3").exists()  # refused before touching the database


def test_a_bad_port_is_one_clear_line(tmp_path: Path) -> None:
    result = run_mgov(tmp_path, "migrate", PORT="eighty")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mgov: configuration error:")
    assert "PORT" in lines[0]


def test_createstaff_reads_the_password_without_a_terminal(tmp_path: Path) -> None:
    database = tmp_path / "x.sqlite3"
    assert run_mgov(tmp_path, "migrate").returncode == 0
    assert run_mgov(tmp_path, "seed").returncode == 0
    from_env = run_mgov(
        tmp_path,
        "createstaff",
        "canbo.bt",
        "--role",
        "officer",
        "--agency",
        "h29.98",
        "--name",
        "Cán bộ Bến Thành",
        MGOV_STAFF_PASSWORD="a-long-enough-password",
    )
    assert from_env.returncode == 0, from_env.stderr
    assert "canbo.bt (officer) created" in from_env.stdout
    env = clean_environ()
    env.update(MGOV_VAR_DIR=str(tmp_path / "var"), DATABASE_URL=f"sqlite://{database}")
    piped = subprocess.run(
        [sys.executable, "-m", "mgov.cli", "createstaff", "tongdai2", "--role", "agent"],
        cwd=tmp_path,
        env=env,
        input="another-long-password\n",
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert piped.returncode == 0, piped.stderr
    connection = sqlite3.connect(database)
    try:
        rows = dict(connection.execute("SELECT username, role FROM staff_user"))
        hashes = [h for (h,) in connection.execute("SELECT password_hash FROM staff_user")]
    finally:
        connection.close()
    assert rows["canbo.bt"] == "officer" and rows["tongdai2"] == "agent"
    assert all(h.startswith("$argon2") for h in hashes)
    assert not any("long-enough" in h or "another-long" in h for h in hashes)


def test_createstaff_refusals_are_one_clear_line(tmp_path: Path) -> None:
    assert run_mgov(tmp_path, "migrate").returncode == 0
    weak = run_mgov(tmp_path, "createstaff", "x", "--role", "agent", MGOV_STAFF_PASSWORD="short")
    assert weak.returncode == 1
    assert weak.stderr.strip() == "mgov: A password needs at least 10 characters."
    officer = run_mgov(
        tmp_path, "createstaff", "y", "--role", "officer", MGOV_STAFF_PASSWORD="long-password-1"
    )
    assert officer.stderr.strip() == "mgov: An officer must belong to an agency."
    unknown = run_mgov(
        tmp_path,
        "createstaff",
        "z",
        "--role",
        "officer",
        "--agency",
        "H99",
        MGOV_STAFF_PASSWORD="long-password-1",
    )
    assert unknown.stderr.strip() == "mgov: No agency has the code H99."
