"""The one JSON parser for what callers send us: the app and staff API, the back-office webhook,
the gateways' JSON callbacks and our page cursors all read their JSON here.

Python's own parser recurses once per nesting level and converts every integer literal, so a few
hundred `[` (a RecursionError, here or in the first recursive walk of the result) or a
5,000-digit number (the int-string limit's ValueError) were 500s with a 200 kB traceback. Here
nesting is measured before parsing, without recursion, and an over-long integer literal is never
converted; both are refusals a door answers as 422, naming the field where it can.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Deeper than any body of ours (the deepest is 3 levels) and far below the recursion limit.
MAX_DEPTH = 32
# Wider than any number of ours (ids fit in 10 digits), far below Python's 4,300-digit limit.
MAX_INTEGER_DIGITS = 32

# A string literal (skipped whole, so brackets inside it do not count) or one bracket.
_STRUCTURE = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_OPENING = frozenset(b"[{")


class JsonRefused(ValueError):
    """JSON we do not read. `code` is the validation code (`json_invalid`, `json_too_deep`,
    `integer_too_long`), `fields` the dotted paths to blame (`body` for the whole)."""

    def __init__(self, code: str, fields: tuple[str, ...] = ("body",)) -> None:
        super().__init__(code)
        self.code = code
        self.fields = fields


class _LongInteger:
    """Stands in for an integer literal too long to convert, until its place is reported."""


_LONG_INTEGER = _LongInteger()


def _integer(literal: str) -> int | _LongInteger:
    if len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        return _LONG_INTEGER
    return int(literal)


def _not_json(constant: str) -> Any:
    """NaN and Infinity are Python's extension, not JSON."""
    raise JsonRefused("json_invalid")


def _depth(raw: bytes) -> int:
    deepest = depth = 0
    for token in _STRUCTURE.finditer(raw):
        first = token.group()[0]
        if first in _OPENING:
            depth += 1
            deepest = max(deepest, depth)
        elif first != ord('"'):
            depth -= 1
    return deepest


def _long_integers(data: Any) -> tuple[str, ...]:
    """Where the parsed value holds a stand-in, as `a.b.0` paths; no recursion (depth is
    bounded already, but a walk of our own needs no stack either way)."""
    found: list[str] = []
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if value is _LONG_INTEGER:
            found.append(".".join(path) or "body")
        elif isinstance(value, dict):
            stack.extend((item, (*path, str(key))) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, (*path, str(index))) for index, item in enumerate(value))
    return tuple(sorted(found))


def read_json(raw: bytes) -> Any:
    """The parsed value of a JSON text from outside, or JsonRefused."""
    if _depth(raw) > MAX_DEPTH:
        raise JsonRefused("json_too_deep")
    try:
        value = json.loads(raw, parse_int=_integer, parse_constant=_not_json)
    except JsonRefused:
        raise
    except ValueError:  # JSONDecodeError, and UnicodeDecodeError for bytes that are not UTF-8
        raise JsonRefused("json_invalid") from None
    long_integers = _long_integers(value)
    if long_integers:
        raise JsonRefused("integer_too_long", long_integers)
    return value
