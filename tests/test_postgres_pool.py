"""Pooled connections go back without asyncpg's reset query, yet leave nothing open behind."""

from __future__ import annotations

import pytest
from tortoise.connection import get_connection

from infra.postgres_pool import asyncpg_dsn, postgres_connection, skip_session_reset
from models import Citizen


def test_postgres_urls_get_the_cheap_release() -> None:
    config = postgres_connection("postgres://mgov:pw@db:5432/mgov?maxsize=20")
    assert config["engine"] == "tortoise.backends.asyncpg"
    assert config["credentials"]["reset"] is skip_session_reset
    assert config["credentials"]["maxsize"] == "20"


@pytest.mark.parametrize(
    "url",
    [
        "postgres://mgov:pw@db:5432/mgov?maxsize=20",
        "postgres://mgov:pw@db:5432/mgov",
        "postgresql://mgov:pw@db:5432/mgov?minsize=1&maxsize=5",
    ],
)
def test_asyncpg_gets_the_url_without_tortoise_pool_options(url: str) -> None:
    assert asyncpg_dsn(url) == "postgresql://mgov:pw@db:5432/mgov"


async def test_a_released_connection_sends_no_reset_and_keeps_no_transaction(db, backend) -> None:
    if backend != "postgres":
        pytest.skip("asyncpg pools only")
    client = get_connection("default")
    sent: list[str] = []
    async with client.acquire_connection() as connection:
        connection.add_query_logger(lambda record: sent.append(record.query))
        await connection.execute("BEGIN")
        await connection.execute(
            "INSERT INTO citizen (phone, full_name, language, sms_opt_out, created_at,"
            " updated_at) VALUES ('+84901234567', '', 'vi', false, now(), now())"
        )
    assert not any("RESET ALL" in query for query in sent)
    assert sent[-1] == "ROLLBACK"  # the transaction left open was rolled back on release
    assert await Citizen.all().count() == 0
    async with client.acquire_connection() as connection:
        assert not connection.is_in_transaction()
