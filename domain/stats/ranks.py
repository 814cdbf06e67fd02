"""Percentiles in SQL: count the rows, then read the one at the nearest rank with ORDER BY …
LIMIT 1 OFFSET k, which SQLite and PostgreSQL both answer from a sort of the filtered rows only."""

from __future__ import annotations

from typing import Any

from tortoise.queryset import QuerySet


def nearest_rank_offset(*, count: int, percent: int) -> int:
    """The 0-based offset of the nearest-rank percentile: the smallest value with at least
    `percent` % of the values at or below it (the median of 4 values is the 2nd)."""
    rank = max(1, (count * percent + 99) // 100)
    return rank - 1


async def read_percentile(
    query: QuerySet[Any], *, field: str, count: int, percent: int
) -> Any | None:
    """The value of `field` at the nearest-rank percentile of `query`'s rows (None when empty).
    `count` is the number of rows with a non-null `field`, asked once by the caller."""
    if count == 0:
        return None
    offset = nearest_rank_offset(count=count, percent=percent)
    values = (
        await query.filter(**{f"{field}__isnull": False})
        .order_by(field)
        .offset(offset)
        .limit(1)
        .values_list(field, flat=True)
    )
    return values[0] if values else None
