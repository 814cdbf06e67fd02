"""Opening, migrating and checking the database, the same way for the app, the CLI and tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tortoise import Tortoise
from tortoise.connection import get_connection
from tortoise.migrations.api import migrate

from domain.policy import configure_policy
from infra.settings import Settings


def install_policy(settings: Settings) -> None:
    configure_policy(
        timezone=settings.timezone,
        afternoon_cutoff=settings.afternoon_cutoff,
        pii_hash_key=str(settings.pii_hash_key),
        phone_regions=settings.allowed_phone_regions,
    )


async def migrate_database(settings: Settings, *, quiet: bool = False) -> None:
    """Apply the checked-in migrations (Tortoise's own), never `generate_schemas`."""

    def progress(event: str, app_label: str, name: str) -> None:
        if not quiet and event == "apply_done":
            print(f"applied {app_label}.{name}")

    try:
        await migrate(config=settings.tortoise_config(), progress=progress)
    finally:
        await Tortoise.close_connections()


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[None]:
    """Connect the ORM for this process (the global context every request and task shares)."""
    install_policy(settings)
    await Tortoise.init(config=settings.tortoise_config(), _enable_global_fallback=True)
    try:
        yield
    finally:
        await Tortoise.close_connections()


async def database_is_ready() -> bool:
    """One round trip to the database; False instead of an exception when it is down."""
    try:
        await get_connection("default").execute_query("SELECT 1")
    except Exception:
        return False
    return True
