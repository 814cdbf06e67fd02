"""Settings read from an environment mapping, and the logging filter that masks phone numbers."""

from __future__ import annotations

import io
import logging
import stat
from collections.abc import Iterator
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from starlette.datastructures import Secret

from infra.logs import MaskingFilter, request_id_var
from infra.settings import SettingsError, load_settings

SECRET_VALUE = "s3cret-value-that-must-not-show-0123456789"
PII_VALUE = "pii-value-that-must-not-show-9876543210"
PRODUCTION = {
    "MGOV_ENV": "production",
    "MGOV_SECRET_KEY": SECRET_VALUE,
    "MGOV_PII_HASH_KEY": PII_VALUE,
    "DATABASE_URL": "postgres://mgov@db.internal:5432/mgov",
    "MGOV_SMS_PROVIDERS": "http",
    "MGOV_SMS_HTTP_URL": "https://sms.example/send",
    "MGOV_SMS_HTTP_TOKEN": "sms-token-that-must-not-show-24680",
    "MGOV_GATEWAY_SECRET": "gateway-secret-that-must-not-show-13579",
}


def development(tmp_path: Path, **more: str) -> dict[str, str]:
    return {"MGOV_VAR_DIR": str(tmp_path / "var"), **more}


# Defaults


def test_defaults_are_a_development_machine(tmp_path: Path) -> None:
    settings = load_settings(development(tmp_path))
    var_dir = (tmp_path / "var").resolve()
    assert settings.env == "development"
    assert not settings.is_production
    assert settings.var_dir == var_dir
    assert settings.database_url == f"sqlite://{var_dir / 'mgov.sqlite3'}"
    assert var_dir.is_dir()  # the SQLite file can be created there
    assert settings.port == 8000
    assert settings.afternoon_cutoff == time(15, 0)
    assert settings.timezone == ZoneInfo("Asia/Ho_Chi_Minh")
    assert settings.log_level == "INFO"


def test_values_from_the_environment_win(tmp_path: Path) -> None:
    settings = load_settings(
        development(
            tmp_path,
            PORT="9001",
            MGOV_AFTERNOON_CUTOFF="16:30",
            MGOV_TIME_ZONE="Asia/Bangkok",
            MGOV_LOG_LEVEL="debug",
            DATABASE_URL="sqlite:///elsewhere/db.sqlite3",
        )
    )
    assert settings.port == 9001
    assert settings.afternoon_cutoff == time(16, 30)
    assert settings.timezone == ZoneInfo("Asia/Bangkok")
    assert settings.log_level == "DEBUG"
    assert settings.database_url == "sqlite:///elsewhere/db.sqlite3"


def test_the_tortoise_config_uses_the_database_url(tmp_path: Path) -> None:
    settings = load_settings(development(tmp_path, DATABASE_URL="sqlite:///x/y.sqlite3"))
    config = settings.tortoise_config()
    connection = config["connections"]["default"]
    assert connection["engine"] == "infra.sqlite_engine"
    assert connection["credentials"]["file_path"] == "/x/y.sqlite3"
    assert connection["credentials"]["journal_mode"] == "WAL"
    assert connection["credentials"]["busy_timeout"] == 5000
    assert config["apps"]["models"]["default_connection"] == "default"


# Secrets


def test_development_secrets_are_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_settings(development(tmp_path))
    second = load_settings(development(tmp_path))
    assert len(str(first.secret_key)) >= 32
    assert str(first.secret_key) != str(first.pii_hash_key)
    assert str(second.secret_key) == str(first.secret_key)
    assert str(second.pii_hash_key) == str(first.pii_hash_key)
    for name, value in (("secret_key", first.secret_key), ("pii_hash_key", first.pii_hash_key)):
        path = tmp_path / "var" / name
        assert path.read_text(encoding="utf-8").strip() == str(value)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_secrets_from_the_environment_are_used_and_nothing_is_written(tmp_path: Path) -> None:
    settings = load_settings(
        development(tmp_path, MGOV_SECRET_KEY=SECRET_VALUE, MGOV_PII_HASH_KEY=PII_VALUE)
    )
    assert isinstance(settings.secret_key, Secret)
    assert str(settings.secret_key) == SECRET_VALUE
    assert str(settings.pii_hash_key) == PII_VALUE
    assert not (tmp_path / "var" / "secret_key").exists()
    assert not (tmp_path / "var" / "pii_hash_key").exists()


def test_production_with_everything_set_starts(tmp_path: Path) -> None:
    settings = load_settings({**PRODUCTION, "MGOV_VAR_DIR": str(tmp_path / "var")})
    assert settings.is_production
    assert settings.database_url == PRODUCTION["DATABASE_URL"]
    assert str(settings.secret_key) == SECRET_VALUE


@pytest.mark.parametrize("missing", ["MGOV_SECRET_KEY", "MGOV_PII_HASH_KEY", "DATABASE_URL"])
@pytest.mark.parametrize("how", ["absent", "empty"])
def test_production_refuses_to_start_without(tmp_path: Path, missing: str, how: str) -> None:
    environ = {**PRODUCTION, "MGOV_VAR_DIR": str(tmp_path / "var")}
    if how == "absent":
        del environ[missing]
    else:
        environ[missing] = ""
    with pytest.raises(SettingsError, match=missing):
        load_settings(environ)
    # No development fallback: nothing was generated for the missing secret.
    assert not (tmp_path / "var" / "secret_key").exists()
    assert not (tmp_path / "var" / "pii_hash_key").exists()


def test_repr_does_not_reveal_secrets(tmp_path: Path) -> None:
    settings = load_settings({**PRODUCTION, "MGOV_VAR_DIR": str(tmp_path / "var")})
    for shown in (repr(settings), str(settings)):
        assert SECRET_VALUE not in shown
        assert PII_VALUE not in shown
        assert PRODUCTION["MGOV_SMS_HTTP_TOKEN"] not in shown
        assert "secret_key=" in shown  # the field is there, its value hidden


def test_repr_does_not_reveal_the_database_password(tmp_path: Path) -> None:
    url = "postgresql://mgov:hunter2-db-password@db.internal:5432/mgov"
    environ = {**PRODUCTION, "DATABASE_URL": url, "MGOV_VAR_DIR": str(tmp_path / "var")}
    settings = load_settings(environ)
    assert "hunter2-db-password" not in repr(settings)


# Validation


def test_sms_defaults_to_the_log_provider_in_development(tmp_path: Path) -> None:
    settings = load_settings(development(tmp_path))
    assert settings.sms_providers == ("log",)


def test_production_refuses_the_log_sms_provider(tmp_path: Path) -> None:
    environ = {**PRODUCTION, "MGOV_VAR_DIR": str(tmp_path / "var")}
    del environ["MGOV_SMS_PROVIDERS"]  # the default is "log"
    with pytest.raises(SettingsError, match="MGOV_SMS_PROVIDERS"):
        load_settings(environ)


@pytest.mark.parametrize(
    ("providers", "url", "variable"),
    [
        ("carrier-pigeon", "", "MGOV_SMS_PROVIDERS"),
        (" , ", "", "MGOV_SMS_PROVIDERS"),
        ("http", "", "MGOV_SMS_HTTP_URL"),
    ],
)
def test_bad_sms_settings_are_settings_errors(
    tmp_path: Path, providers: str, url: str, variable: str
) -> None:
    environ = development(tmp_path, MGOV_SMS_PROVIDERS=providers, MGOV_SMS_HTTP_URL=url)
    with pytest.raises(SettingsError, match=variable):
        load_settings(environ)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db:5432/mgov", "postgres://u:p@db:5432/mgov"),
        ("postgresql+asyncpg://u@db/mgov", "postgres://u@db/mgov"),
        ("postgres+asyncpg://u@db/mgov", "postgres://u@db/mgov"),
        ("postgres://u@db/mgov", "postgres://u@db/mgov"),
        ("sqlite:///data/mgov.sqlite3", "sqlite:///data/mgov.sqlite3"),
    ],
)
def test_database_urls_are_normalised(tmp_path: Path, given: str, expected: str) -> None:
    settings = load_settings(development(tmp_path, DATABASE_URL=given))
    assert settings.database_url == expected


@pytest.mark.parametrize("cutoff", ["3pm", "15", "15:00:00", "25:00", "15:75", "", "ab:cd"])
def test_a_bad_afternoon_cutoff_is_a_settings_error(tmp_path: Path, cutoff: str) -> None:
    with pytest.raises(SettingsError, match="MGOV_AFTERNOON_CUTOFF"):
        load_settings(development(tmp_path, MGOV_AFTERNOON_CUTOFF=cutoff))


@pytest.mark.parametrize("env", ["prod", "Production", "staging", ""])
def test_a_bad_environment_name_is_a_settings_error(tmp_path: Path, env: str) -> None:
    with pytest.raises(SettingsError, match="MGOV_ENV"):
        load_settings(development(tmp_path, MGOV_ENV=env))


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PORT", "eighty"), ("MGOV_TIME_ZONE", "Mars/Olympus"), ("MGOV_LOG_LEVEL", "LOUD")],
)
def test_other_bad_values_are_settings_errors(tmp_path: Path, variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings(development(tmp_path, **{variable: value}))


# Logging


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A real logger writing through MaskingFilter into a string, as configure_logging does."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    handler.setFormatter(logging.Formatter("[%(request_id)s] %(message)s"))
    logger = logging.getLogger("tests.test_settings.masking")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+84901234567", "+8490****567"),
        ("0901234567", "090****567"),
        ("+84 90 123 4567", "+8490****567"),
        ("84901234567", "8490****567"),
    ],
)
def test_masking_filter_masks_phone_numbers(
    log: tuple[logging.Logger, io.StringIO], phone: str, masked: str
) -> None:
    logger, stream = log
    logger.info("sms to %s queued", phone)
    assert stream.getvalue() == f"[-] sms to {masked} queued\n"


def test_masking_filter_leaves_codes_and_ids_alone(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    logger.info("dossier %s, outbox %d, at %s", "H29.99-261005-0001", 1234567, "2026-10-05")
    assert stream.getvalue() == "[-] dossier H29.99-261005-0001, outbox 1234567, at 2026-10-05\n"


def test_masking_filter_attaches_the_request_id(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    token = request_id_var.set("req-7f3a")
    try:
        logger.warning("OTP requested for %s", "0912345678")
    finally:
        request_id_var.reset(token)
    logger.info("after the request")
    assert stream.getvalue().splitlines() == [
        "[req-7f3a] OTP requested for 091****678",
        "[-] after the request",
    ]


def test_masking_filter_masks_phone_numbers_in_tracebacks(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = log
    try:
        raise ValueError("gateway rejected +84901234567")
    except ValueError:
        logger.exception("sending failed")
    assert "sending failed" in stream.getvalue()
    assert "+84901234567" not in stream.getvalue()


def test_production_refuses_open_gateway_doors(tmp_path: Path) -> None:
    environ = {**PRODUCTION, "MGOV_VAR_DIR": str(tmp_path / "var")}
    del environ["MGOV_GATEWAY_SECRET"]
    with pytest.raises(SettingsError, match="MGOV_GATEWAY_SECRET"):
        load_settings(environ)
    allowed = load_settings({**environ, "MGOV_GATEWAY_ALLOWED_IPS": "196.201.214.0/24"})
    assert [str(n) for n in allowed.gateway_allowed_networks] == ["196.201.214.0/24"]


def test_gateway_allowlist_must_be_addresses(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="MGOV_GATEWAY_ALLOWED_IPS"):
        load_settings(development(tmp_path, MGOV_GATEWAY_ALLOWED_IPS="gateway.example"))
