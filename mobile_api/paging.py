"""Opaque page cursors: the app hands back what it was given, and never builds one itself."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from starlette.convertors import Convertor, register_url_convertor

from domain.errors import InvalidInput
from infra.json_input import read_json

T = TypeVar("T")
MAX_ID = 2**31 - 1
# Path ids (`{name:row_id}`) have at most 9 digits: a longer one is no row of ours (404), never a
# number the database cannot hold nor one Python refuses to convert (Starlette's `int` takes
# any length: 5,000 digits were a 500).
MAX_PATH_ID = 10**9 - 1


class RowIdConvertor(Convertor[int]):
    regex = "[0-9]{1,9}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("row_id", RowIdConvertor())


def encode_cursor(*values: Any) -> str:
    raw = json.dumps([str(v) for v in values], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None, parse: Callable[..., T]) -> T | None:
    """`parse(*values)` of a cursor we made, None for the first page; anything else is a 422."""
    if cursor is None:
        return None
    try:
        values = read_json(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValueError("not a list of strings")
        if any("\x00" in v for v in values):
            raise ValueError("NUL in a cursor")
        return parse(*values)
    except (binascii.Error, ValueError, TypeError, OverflowError):
        raise InvalidInput("invalid_cursor", "not a cursor we made", field="cursor") from None


async def read_page(
    read: Callable[..., Awaitable[Sequence[T]]],
    limit: int,
    position: Callable[[T], Sequence[Any]],
) -> tuple[list[T], str | None]:
    """A page of `read(limit=...)` and the cursor to the next one. One row more than the page
    holds is read, so knowing whether a next page exists costs no count query; `position` is
    what the next page's query starts after."""
    found = await read(limit=limit + 1)
    page = list(found[:limit])
    if len(found) <= limit or not page:
        return page, None
    return page, encode_cursor(*position(page[-1]))


def row_id(value: str) -> int:
    """An id from a cursor, within the database's integer range."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError("id out of range")
    return number
