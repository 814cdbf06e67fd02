"""What hand-written SQL needs to run on both backends."""

from __future__ import annotations


def placeholders(dialect: str, count: int) -> list[str]:
    """Numbered parameter marks, `$1…` for asyncpg and `?1…` for SQLite: numbered on both, so a
    statement may use a parameter twice or out of order and still bind alike."""
    mark = "$" if dialect == "postgres" else "?"
    return [f"{mark}{n}" for n in range(1, count + 1)]
