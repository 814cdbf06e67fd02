"""The ORM's transactions really are transactions in this setup: a failure leaves nothing."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.transactions import in_transaction

from models import Citizen
from tests.factories import make_citizen


async def test_an_exception_rolls_the_whole_transaction_back(db):
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await make_citizen("0901234567")
            raise RuntimeError("boom")
    assert await Citizen.all().count() == 0


async def test_uncommitted_rows_are_invisible_to_other_transactions(db, backend):
    if backend == "sqlite":
        pytest.skip("SQLite serialises transactions on its one connection")
    inserted = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        async with in_transaction():
            await make_citizen("0901234567")
            inserted.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await inserted.wait()
    seen_outside = await Citizen.all().count()
    release.set()
    await task
    assert seen_outside == 0
    assert await Citizen.all().count() == 1
