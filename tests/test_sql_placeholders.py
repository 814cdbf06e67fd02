"""Hand-written SQL binds its parameters by number on both backends."""

from __future__ import annotations

from tortoise.connection import get_connection

from models.sql import placeholders


async def test_a_parameter_binds_by_its_number_on_both_backends(db) -> None:
    connection = get_connection("default")
    first, second = placeholders(connection.capabilities.dialect, 2)
    rows = await connection.execute_query_dict(
        f"SELECT {second} AS b, {first} AS a, {second} AS again", ["one", "two"]
    )
    assert rows == [{"b": "two", "a": "one", "again": "two"}]
