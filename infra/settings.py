"""One settings module: every process reads its configuration here, from the environment."""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from starlette.config import Config, Environ
from starlette.datastructures import Secret

from infra.postgres_pool import postgres_connection
from infra.sqlite_engine import sqlite_connection

MODEL_MODULES = ["models"]
MIGRATIONS_MODULE = "models.migrations"
T = TypeVar("T")
F = TypeVar("F")
# Request-body ceilings in bytes by route class (mobile_api/request_body.py), each read from
# MGOV_BODY_LIMIT_<CLASS>; a class added here (uploads) gets its own variable.
# Uploads have their own class: one document, up to the largest a procedure accepts (15 MiB
# drawings), plus the multipart framing.
BODY_LIMITS = {"api": 64 * 1024, "upload": 16 * 1024 * 1024}


class SettingsError(RuntimeError):
    """A configuration problem that must stop start-up with one clear line."""


def _var_dir(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("MGOV_VAR_DIR", "var")).resolve()


def default_database_url(var_dir: Path) -> str:
    """The embedded default: an SQLite file under ./var/, so a new machine installs nothing."""
    return f"sqlite://{var_dir / 'mgov.sqlite3'}"


def _dev_secret(var_dir: Path, name: str) -> Secret:
    """Development secrets are generated once, kept under ./var/, so restarts keep tokens valid."""
    path = var_dir / name
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        # Created owner-only from the first byte, never briefly readable by others.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48))
    return Secret(path.read_text(encoding="utf-8").strip())


def _checked(config: Config, name: str, cast: type, default: str) -> Any:
    """A typed variable; a value of the wrong type is a SettingsError naming it, not a traceback."""
    try:
        return config(name, cast=cast, default=default)
    except ValueError:
        raise SettingsError(f"{name} has a value that is not a valid {cast.__name__}") from None


def _positive(config: Config, name: str, default: int) -> int:
    value = _checked(config, name, int, str(default))
    if value < 1:
        raise SettingsError(f"{name} must be a positive whole number, got {value}")
    return int(value)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"MGOV_TIME_ZONE {name!r} is not a known time zone") from None


def _log_level(name: str) -> str:
    level = name.strip().upper()
    if level not in logging.getLevelNamesMapping():
        raise SettingsError(f"MGOV_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {name!r}")
    return level


def _quiet_hours(value: str) -> tuple[time, time] | None:
    """`21:00-07:00`, or `off` for none."""
    if value.strip().lower() in ("", "off", "none"):
        return None
    start, _, end = value.partition("-")
    if not end:
        raise SettingsError(f"MGOV_QUIET_HOURS must look like 21:00-07:00 or off, got {value!r}")
    return _parse_clock(start.strip()), _parse_clock(end.strip())


def _parse_clock(value: str) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise SettingsError(f"MGOV_AFTERNOON_CUTOFF must look like 15:00, got {value!r}") from None


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str = field(repr=False)
    var_dir: Path
    secret_key: Secret
    pii_hash_key: Secret
    timezone: ZoneInfo
    afternoon_cutoff: time
    port: int
    body_limits: dict[str, int]
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    log_level: str
    sms_providers: tuple[str, ...]
    sms_http_url: str
    sms_http_token: Secret
    sms_keep_diacritics: bool
    worker_lease_seconds: int
    worker_batch_size: int
    worker_concurrency: int
    at_username: str
    at_api_key: Secret
    at_sender_id: str
    at_base_url: str
    fcm_service_account_file: str
    quiet_hours: tuple[time, time] | None
    test_number_prefix: str
    gateway_secret: Secret
    gateway_allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    metrics_token: Secret
    metrics_allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    backoffice_secret: Secret
    staff_token_minutes: int
    sms_spool_dir: Path
    document_dir: Path
    # Working hours a submitted application may wait for an officer before the dashboard shows it.
    review_wait_hours: int = 8
    draft_days: int = 30
    allowed_phone_regions: tuple[str, ...] = ("VN",)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def tortoise_config(self) -> dict[str, Any]:
        """The Tortoise config that the app, the CLI and the tests share."""
        return tortoise_config(self.database_url)


def tortoise_config(database_url: str) -> dict[str, Any]:
    if database_url.startswith("postgres://"):
        connection: str | dict[str, Any] = postgres_connection(database_url)
    elif database_url.startswith("sqlite://"):
        connection = sqlite_connection(database_url)
    else:
        connection = database_url
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


class _Problems:
    """Every configuration problem found in one pass, so one start names them all (six starts
    to learn six missing settings is an operator's afternoon)."""

    def __init__(self) -> None:
        self.required: list[str] = []  # settings production cannot do without
        self.other: list[str] = []

    def read(self, read: Callable[[], T], fallback: F) -> T | F:
        """What `read` gives, or `fallback` with its problem noted."""
        try:
            return read()
        except SettingsError as exc:
            self.other.append(str(exc))
            return fallback

    def raise_any(self) -> None:
        problems = list(self.other)
        if self.required:
            names = self.required
            listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
            verb = "is" if len(names) == 1 else "are"
            problems.insert(0, f"{listed} {verb} required when MGOV_ENV=production")
        if problems:
            raise SettingsError("; ".join(problems))


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read settings from the environment; in production a missing secret is a refusal to start.
    Every problem is collected first and named in one SettingsError."""
    source = Environ(environ) if environ is not None else Environ()
    config = Config(environ=source)
    env = config("MGOV_ENV", default="development")
    if env not in ("development", "production"):
        raise SettingsError(f"MGOV_ENV must be development or production, got {env!r}")
    var_dir = _var_dir(source)
    production = env == "production"
    problems = _Problems()

    def secret(name: str) -> Secret:
        variable = f"MGOV_{name.upper()}"
        value = config(variable, cast=Secret, default=None)
        if value is not None and str(value):
            return value
        if production:
            problems.required.append(variable)
            return Secret("")
        return _dev_secret(var_dir, name)

    secret_key, pii_hash_key = secret("secret_key"), secret("pii_hash_key")
    database_url = config("DATABASE_URL", default="") or ""
    if not database_url:
        if production:
            problems.required.append("DATABASE_URL")
        else:
            var_dir.mkdir(parents=True, exist_ok=True)
            database_url = default_database_url(var_dir)
    database_url = normalise_database_url(database_url)
    read = problems.read
    midnight = time(0, 0)
    values: dict[str, Any] = dict(
        timezone=read(
            lambda: _zone(config("MGOV_TIME_ZONE", default="Asia/Ho_Chi_Minh")), ZoneInfo("UTC")
        ),
        afternoon_cutoff=read(
            lambda: _parse_clock(config("MGOV_AFTERNOON_CUTOFF", default="15:00")), midnight
        ),
        port=read(lambda: _checked(config, "PORT", int, "8000"), 0),
        body_limits=read(lambda: _body_limits(config), dict(BODY_LIMITS)),
        trusted_proxies=read(
            lambda: _trusted_proxies(config("MGOV_TRUSTED_PROXIES", default="")), ()
        ),
        log_level=read(lambda: _log_level(config("MGOV_LOG_LEVEL", default="INFO")), "INFO"),
        worker_lease_seconds=read(lambda: _positive(config, "MGOV_WORKER_LEASE_SECONDS", 120), 1),
        worker_batch_size=read(lambda: _positive(config, "MGOV_WORKER_BATCH_SIZE", 200), 1),
        worker_concurrency=read(lambda: _positive(config, "MGOV_WORKER_CONCURRENCY", 64), 1),
        quiet_hours=read(
            lambda: _quiet_hours(config("MGOV_QUIET_HOURS", default="21:00-07:00")), None
        ),
        staff_token_minutes=read(lambda: _positive(config, "MGOV_STAFF_TOKEN_MINUTES", 480), 1),
        review_wait_hours=read(lambda: _positive(config, "MGOV_REVIEW_WAIT_HOURS", 8), 8),
        draft_days=read(lambda: _positive(config, "MGOV_DRAFT_DAYS", 30), 30),
        allowed_phone_regions=read(
            lambda: _phone_regions(config("MGOV_ALLOWED_PHONE_REGIONS", default="VN")), ("VN",)
        ),
        **_sms_settings(config, production, problems),
        **_gateway_settings(config, production, problems),
        **read(lambda: _metrics_settings(config), {}),
    )
    problems.raise_any()
    return Settings(
        env=env,
        database_url=database_url,
        var_dir=var_dir,
        secret_key=secret_key,
        pii_hash_key=pii_hash_key,
        test_number_prefix=config("MGOV_TEST_NUMBER_PREFIX", default="+8490000000").strip(),
        backoffice_secret=Secret(config("MGOV_BACKOFFICE_SECRET", default="")),
        sms_spool_dir=Path(config("MGOV_SMS_SPOOL_DIR", default=str(var_dir / "sms-spool"))),
        document_dir=Path(config("MGOV_DOCUMENT_DIR", default=str(var_dir / "documents"))),
        **values,
    )


def _phone_regions(value: str) -> tuple[str, ...]:
    """`VN` or `VN,KH`: the regions whose mobiles we text (an SMS abroad costs many local ones)."""
    regions = tuple(part.strip().upper() for part in value.split(",") if part.strip())
    unknown = [region for region in regions if region not in phonenumbers.SUPPORTED_REGIONS]
    if not regions or unknown:
        raise SettingsError(
            f"MGOV_ALLOWED_PHONE_REGIONS must list region codes such as VN, got {value!r}"
        )
    return regions


def _networks(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(
            ipaddress.ip_network(part.strip(), strict=False)
            for part in value.split(",")
            if part.strip()
        )
    except ValueError:
        raise SettingsError(
            f"MGOV_GATEWAY_ALLOWED_IPS must list addresses or CIDR ranges, got {value!r}"
        ) from None


def _gateway_settings(config: Config, production: bool, problems: _Problems) -> dict[str, Any]:
    """How USSD and SMS gateways prove who they are. Open doors are for development only."""
    secret = Secret(config("MGOV_GATEWAY_SECRET", default=""))
    networks = problems.read(lambda: _networks(config("MGOV_GATEWAY_ALLOWED_IPS", default="")), ())
    if production and not (str(secret) or networks):
        problems.required.append("MGOV_GATEWAY_SECRET or MGOV_GATEWAY_ALLOWED_IPS")
    return {"gateway_secret": secret, "gateway_allowed_networks": networks}


def _metrics_settings(config: Config) -> dict[str, Any]:
    """Who may scrape /metrics: a bearer token, an address allowlist, or both. With neither,
    development serves it to anyone and production to no one."""
    value = config("MGOV_METRICS_ALLOWED_IPS", default="")
    try:
        networks = _networks(value)
    except SettingsError:
        raise SettingsError(
            f"MGOV_METRICS_ALLOWED_IPS must list addresses or CIDR ranges, got {value!r}"
        ) from None
    return {
        "metrics_token": config("MGOV_METRICS_TOKEN", cast=Secret, default=""),
        "metrics_allowed_networks": networks,
    }


def _body_limits(config: Config) -> dict[str, int]:
    return {
        name: _positive(config, f"MGOV_BODY_LIMIT_{name.upper()}", default)
        for name, default in BODY_LIMITS.items()
    }


def _trusted_proxies(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return _networks(value)
    except SettingsError:
        raise SettingsError(
            f"MGOV_TRUSTED_PROXIES must list addresses or CIDR ranges, got {value!r}"
        ) from None


SMS_PROVIDER_NAMES = ("log", "http", "africastalking")


def _sms_settings(config: Config, production: bool, problems: _Problems) -> dict[str, Any]:
    names = tuple(
        name.strip()
        for name in config("MGOV_SMS_PROVIDERS", default="log").split(",")
        if name.strip()
    )
    unknown = [name for name in names if name not in SMS_PROVIDER_NAMES]
    if not names or unknown:
        problems.other.append(
            f"MGOV_SMS_PROVIDERS must list some of {', '.join(SMS_PROVIDER_NAMES)}, got {unknown}"
        )
    if production and "log" in names:
        problems.other.append("MGOV_SMS_PROVIDERS=log prints messages and is refused in production")
    url = config("MGOV_SMS_HTTP_URL", default="")
    if "http" in names and not url:
        problems.other.append("MGOV_SMS_HTTP_URL is required when MGOV_SMS_PROVIDERS lists http")
    at_username = config("MGOV_AT_USERNAME", default="")
    at_api_key = config("MGOV_AT_API_KEY", cast=Secret, default="")
    if "africastalking" in names and not (at_username and str(at_api_key)):
        problems.other.append(
            "MGOV_AT_USERNAME and MGOV_AT_API_KEY are required when MGOV_SMS_PROVIDERS lists"
            " africastalking"
        )
    fcm_file = config("MGOV_FCM_SERVICE_ACCOUNT_FILE", default="")
    if fcm_file and not Path(fcm_file).is_file():
        problems.other.append(f"MGOV_FCM_SERVICE_ACCOUNT_FILE {fcm_file!r} is not a readable file")
    return {
        "at_username": at_username,
        "at_api_key": at_api_key,
        "at_sender_id": config("MGOV_AT_SENDER_ID", default=""),
        "at_base_url": config("MGOV_AT_BASE_URL", default="https://api.africastalking.com"),
        "fcm_service_account_file": fcm_file,
        "sms_providers": names,
        "sms_http_url": url,
        "sms_http_token": config("MGOV_SMS_HTTP_TOKEN", cast=Secret, default=""),
        "sms_keep_diacritics": problems.read(
            lambda: _checked(config, "MGOV_SMS_KEEP_DIACRITICS", bool, "false"), False
        ),
    }


def normalise_database_url(url: str) -> str:
    """Accept the URL forms platforms hand out (postgresql://) as well as Tortoise's own."""
    for prefix in ("postgresql://", "postgresql+asyncpg://", "postgres+asyncpg://"):
        if url.startswith(prefix):
            return "postgres://" + url[len(prefix) :]
    return url


def _module_level_config() -> dict[str, Any]:
    """For `tortoise makemigrations`: the same database the running service would use."""
    url = os.environ.get("DATABASE_URL") or default_database_url(_var_dir(os.environ))
    return tortoise_config(normalise_database_url(url))


TORTOISE_ORM = _module_level_config()
