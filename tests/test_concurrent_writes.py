"""Two processes writing one database at once, as `make run` has them (web and worker, or several
web processes): every request waits its turn for the write lock instead of failing.

SQLite allows one writer at a time. A transaction that read before it wrote could not wait for a
writer in another process: SQLite refused it at once (`database is locked`: its snapshot was
stale by then), and the request answered 500 (18 of these 80 did). Both backends run it;
PostgreSQL, which locks rows rather than the file, passed before too.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

from models import OtpCode
from tests.db_outage import orm_through_outage
from tests.web_process import running_web

IN_PROCESS = 30  # from 30 addresses: one address may ask for 20 codes an hour
OTHER_PROCESS = 20  # all from 127.0.0.1, the per-address limit
ROUNDS = 2


def _client(app: Starlette, address: str) -> httpx.AsyncClient:
    """Like conftest's `http_client`, but a 500 is an answer to count, not an exception."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://mgov.test")


def _phone(n: int) -> str:
    return f"09{n:08d}"


async def test_concurrent_writes_from_two_processes_all_succeed(
    app, database, tmp_path: Path
) -> None:
    """Login codes asked for at once in this process and in a separate `mgov web`: each request
    reads the number's open codes, then writes a new one and its SMS in one transaction."""
    statuses: Counter[int] = Counter()
    problems: list[str] = []

    async def ask(http: httpx.AsyncClient, url: str, n: int) -> None:
        response = await http.post(url, json={"phone": _phone(n)})
        statuses[response.status_code] += 1
        if response.status_code != 202:
            problems.append(f"{response.status_code} {response.text[:200]}")

    with running_web(database, tmp_path) as (base, _):
        async with httpx.AsyncClient(base_url=base, timeout=30) as other:
            clients = [_client(app, f"10.0.0.{n + 1}") for n in range(IN_PROCESS)]
            try:
                for round_ in range(ROUNDS):
                    first = round_ * (IN_PROCESS + OTHER_PROCESS)
                    await asyncio.gather(
                        *(ask(c, "/v1/auth/otp", first + n) for n, c in enumerate(clients)),
                        *(
                            ask(other, "/v1/auth/otp", first + IN_PROCESS + n)
                            for n in range(OTHER_PROCESS // ROUNDS)
                        ),
                    )
            finally:
                for client in clients:
                    await client.aclose()
    expected = ROUNDS * (IN_PROCESS + OTHER_PROCESS // ROUNDS)
    assert statuses == {202: expected}, problems[:5]
    assert await OtpCode.all().count() == expected


async def test_a_transaction_refused_the_write_lock_fails_alone(database, backend) -> None:
    """A `BEGIN IMMEDIATE` that waited out its busy timeout used to keep Tortoise's connection
    lock, and every later query of the process waited for it forever."""
    if backend != "sqlite":
        pytest.skip("the write lock of a file is SQLite's")
    async with orm_through_outage(database) as outage:
        await outage.cut()  # another process holds the write lock past the busy timeout
        with pytest.raises(OperationalError, match="database is locked"):
            async with in_transaction():
                await OtpCode.all().count()
        await outage.restore()
        async with asyncio.timeout(5):
            async with in_transaction():
                assert await OtpCode.all().count() == 0
