"""Counting attempts in the database, so every process and host enforces the same limits."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from consult.models import RateLimitHit


@dataclass(frozen=True)
class Limit:
    """At most `attempts` in any window of `seconds`."""

    attempts: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        """From "ATTEMPTS/SECONDS", e.g. "5/900"; ValueError when malformed."""
        attempts, seconds = (int(part) for part in text.split("/", 1))
        if attempts < 1 or seconds < 1:
            raise ValueError(f"needs positive numbers: {text!r}")
        return cls(attempts, seconds)

    def times(self, factor: int) -> Limit:
        return Limit(self.attempts * factor, self.seconds)


class RateLimited(Exception):
    """Too many attempts; `retry_after` says in how many seconds the next one is allowed."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited for {retry_after}s")
        self.retry_after = retry_after


async def check_limit(key: str, limit: Limit, *, now: datetime) -> None:
    """Raise RateLimited when `key` already has the limit's attempts in its window."""
    seconds = limit.seconds
    recent = RateLimitHit.filter(key=key, created_at__gt=now - timedelta(seconds=seconds))
    if await recent.count() < limit.attempts:
        return
    oldest = await recent.order_by("created_at").first().values_list("created_at", flat=True)
    oldest_at = oldest if isinstance(oldest, datetime) else now
    raise RateLimited(
        max(1, math.ceil((oldest_at + timedelta(seconds=seconds) - now).total_seconds()))
    )


async def record_hit(key: str, limit: Limit, *, now: datetime) -> None:
    """Count one attempt for `key`, and forget this key's hits too old to matter."""
    await RateLimitHit.filter(
        key=key, created_at__lte=now - timedelta(seconds=limit.seconds)
    ).delete()
    await RateLimitHit.create(key=key, created_at=now)


async def forget(key: str) -> None:
    await RateLimitHit.filter(key=key).delete()
