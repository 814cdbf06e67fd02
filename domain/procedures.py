"""Finding procedures as citizens type them: any case, with or without Vietnamese diacritics."""

from __future__ import annotations

from domain.errors import NotFound
from domain.text import search_key
from models import Procedure

CODE_LENGTH = 32


async def search_procedures(
    *, query: str = "", after_code: str | None = None, limit: int = 20
) -> list[Procedure]:
    """Every word must appear in the folded name (`khai sinh`, `KHAI SINH`, `khái sinh` all find
    `Đăng ký khai sinh`); ordered by code, paged after the last code seen."""
    found = Procedure.filter(is_active=True)
    for word in search_key(query).split():
        found = found.filter(search_text__contains=word)
    if after_code is not None:
        found = found.filter(code__gt=after_code)
    return await found.order_by("code").limit(limit).prefetch_related("agency")


async def get_procedure(*, code: str) -> Procedure:
    code = code.strip()
    procedure = (
        await Procedure.get_or_none(code=code, is_active=True) if len(code) <= CODE_LENGTH else None
    )
    if procedure is None:
        raise NotFound("procedure_not_found", "no such procedure")
    await procedure.fetch_related("agency")
    return procedure
