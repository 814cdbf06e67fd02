"""Opaque page cursors: the app hands back what it was given, and never builds one itself."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any, TypeVar

from domain.errors import InvalidInput

T = TypeVar("T")
MAX_ID = 2**31 - 1


def encode_cursor(*values: Any) -> str:
    raw = json.dumps([str(v) for v in values], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None, parse: Callable[..., T]) -> T | None:
    """`parse(*values)` of a cursor we made, None for the first page; anything else is a 422."""
    if cursor is None:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValueError("not a list of strings")
        if any("\x00" in v for v in values):
            raise ValueError("NUL in a cursor")
        return parse(*values)
    except (binascii.Error, ValueError, TypeError, OverflowError):
        raise InvalidInput("invalid_cursor", "not a cursor we made", field="cursor") from None


def row_id(value: str) -> int:
    """An id from a cursor, within the database's integer range."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError("id out of range")
    return number
