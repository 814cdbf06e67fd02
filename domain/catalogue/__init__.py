"""User-facing text: one catalogue per language (vi, en), checked for matching keys and
placeholders when first loaded, so a missing translation fails at start-up, not in front of a
citizen."""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
_HERE = Path(__file__).parent


class CatalogueError(RuntimeError):
    pass


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@cache
def catalogues() -> dict[str, dict[str, str]]:
    loaded = {
        lang: json.loads((_HERE / f"{lang}.json").read_text(encoding="utf-8")) for lang in LANGUAGES
    }
    reference = loaded[DEFAULT_LANGUAGE]
    for lang, entries in loaded.items():
        if entries.keys() != reference.keys():
            missing = sorted(reference.keys() ^ entries.keys())
            raise CatalogueError(f"catalogue {lang} differs from {DEFAULT_LANGUAGE}: {missing}")
        for key, text in entries.items():
            if _placeholders(text) != _placeholders(reference[key]):
                raise CatalogueError(f"catalogue {lang}: placeholders of {key!r} differ")
    return loaded


def has_text(key: str) -> bool:
    return key in catalogues()[DEFAULT_LANGUAGE]


def text(key: str, language: str = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    """The text for `key` in `language` (Vietnamese when the language is unknown), filled in."""
    entries = catalogues().get(language) or catalogues()[DEFAULT_LANGUAGE]
    return entries[key].format(**params)


def error_key(code: str, *, staff: bool = False) -> str | None:
    """The key of an error code's text, None when it has none yet. Staff read `staff.error.*`
    where the citizen's wording would mislead them ("you already have..."), the shared
    `error.*` text otherwise."""
    keys = [f"staff.error.{code}", f"error.{code}"] if staff else [f"error.{code}"]
    return next((key for key in keys if has_text(key)), None)


def error_text(
    code: str,
    language: str = DEFAULT_LANGUAGE,
    params: Mapping[str, Any] | None = None,
    *,
    staff: bool = False,
) -> str:
    """What every door says for a refusal: a code added without its text yet reads as the
    generic error instead of failing the door that reports it."""
    return text(error_key(code, staff=staff) or "error.internal", language, **(params or {}))


def placeholders(key: str) -> set[str]:
    return _placeholders(catalogues()[DEFAULT_LANGUAGE][key])


def localised_name(item: Any, language: str) -> str:
    """Rows with `name_vi`/`name_en` (agencies, offices, procedures) in the reader's language."""
    return str(item.name_en if language == "en" else item.name_vi)
