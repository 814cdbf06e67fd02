"""The few settings domain rules depend on, installed once per process by whoever starts it.

Kept apart from `infra.settings` so `domain/` reads no environment and tests can state them.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Policy:
    timezone: ZoneInfo
    afternoon_cutoff: time
    pii_hash_key: bytes
    phone_regions: frozenset[str] = frozenset({"VN"})


_policy: Policy | None = None


def configure_policy(
    *,
    timezone: ZoneInfo,
    afternoon_cutoff: time,
    pii_hash_key: str,
    phone_regions: Iterable[str] = ("VN",),
) -> None:
    """Called by the app lifespan, the CLI and the test setup before any domain function runs."""
    global _policy
    _policy = Policy(
        timezone, afternoon_cutoff, pii_hash_key.encode("utf-8"), frozenset(phone_regions)
    )


def current_policy() -> Policy:
    if _policy is None:
        raise RuntimeError("domain policy not configured: call configure_policy() at start-up")
    return _policy


def keyed_hash(value: str) -> str:
    """A keyed hash (HMAC-SHA256) for personal identifiers we must match but never store."""
    return hmac.new(
        current_policy().pii_hash_key, value.encode("utf-8"), hashlib.sha256
    ).hexdigest()
