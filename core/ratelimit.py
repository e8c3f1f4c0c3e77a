"""Counting attempts in the database, so every process and host enforces the same limits.

Each limited thing has a key ("signin:address:203.0.113.5") and one row in `rate_limit_counter`:
how many attempts its current window has taken and when that window ends. Claiming an attempt is
one conditional statement,

    UPDATE rate_limit_counter SET attempts = attempts + 1
    WHERE key = ? AND ends_at > now AND attempts < limit

and the attempt may go ahead only when it changed a row. The database decides, not the reader:
PostgreSQL locks the row and checks the condition again against the committed value when two
requests update it together, and SQLite writes one statement at a time, so however many requests
arrive at once, at most `limit` of them are let through in a window. Check-then-record (count the
rows, then insert one) let a burst of 30 pass a limit of 5, as all 30 counted before any recorded.

The other statements only prepare the row for that UPDATE and are safe to race: a missing row is
inserted empty with ON CONFLICT DO NOTHING (the unique key picks one), and an ended window is
restarted empty by an UPDATE that applies only while it has ended (so only the first restarts it).
Then the claim is tried again.

Windows are fixed, starting at the first attempt after the last one ended, so Retry-After is when
the current window ends. A limit with a `longest` window backs off: a window that filled up is
followed by one twice as long (up to `longest`), and one that did not by one half as long (down
to `seconds`), so an attacker who keeps the limit full waits longer each time.

Times come from the app's clock (`now`), never the wall clock.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from tortoise.expressions import F

from base.settings import Limit
from core.errors import Refused
from core.models import RateLimitCounter

# Keys name what they count and may hold an email address (254 characters): longer ones keep
# their start, for reading, and end in a digest of the whole, as the column holds 200.
KEY_MAX = 200

# A claim that keeps losing races (rows restarted or given back between its statements) stops
# here and is refused for a second, rather than spinning.
_TRIES = 5


class RateLimited(Refused):
    """Too many attempts; `retry_after` says in how many seconds the next one is allowed."""

    status_code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many attempts. Try again in {retry_after} seconds.")
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


async def claim(key: str, limit: Limit, *, now: datetime) -> None:
    """Count one attempt for `key` if its window has room, atomically; otherwise raise
    RateLimited and count nothing."""
    key = _stored(key)
    for _ in range(_TRIES):
        claimed = await RateLimitCounter.filter(
            key=key, ends_at__gt=now, attempts__lt=limit.attempts
        ).update(attempts=F("attempts") + 1)
        if claimed:
            return
        counter = await RateLimitCounter.get_or_none(key=key)
        if counter is None:
            await RateLimitCounter.bulk_create(
                [_empty_window(key, limit.seconds, now)], ignore_conflicts=True
            )
        elif counter.ends_at <= now:
            seconds = limit.next_window(counter.seconds, filled=counter.attempts >= limit.attempts)
            fresh = _empty_window(key, seconds, now)
            await RateLimitCounter.filter(key=key, ends_at__lte=now).update(
                attempts=0, seconds=seconds, ends_at=fresh.ends_at
            )
        elif counter.attempts >= limit.attempts:
            raise RateLimited(_seconds_until(counter.ends_at, now))
    raise RateLimited(1)


async def claim_all(limits: Sequence[tuple[str, Limit]], *, now: datetime) -> None:
    """Claim one attempt under every key, or under none: when one refuses, the attempts already
    claimed are given back (a refused request was not evaluated, so it does not count)."""
    claimed: list[str] = []
    try:
        for key, limit in limits:
            await claim(key, limit, now=now)
            claimed.append(key)
    except RateLimited:
        for key in claimed:
            await give_back(key, now=now)
        raise


async def give_back(key: str, *, now: datetime) -> None:
    """Uncount one attempt claimed in the current window (it succeeded, or was not made)."""
    await RateLimitCounter.filter(key=_stored(key), ends_at__gt=now, attempts__gt=0).update(
        attempts=F("attempts") - 1
    )


async def forget(key: str) -> None:
    """Start `key` afresh: no attempts and no backoff."""
    await RateLimitCounter.filter(key=_stored(key)).delete()


def _stored(key: str) -> str:
    if len(key) <= KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{key[: KEY_MAX - len(digest) - 1]}#{digest}"


def _empty_window(key: str, seconds: int, now: datetime) -> RateLimitCounter:
    return RateLimitCounter(
        key=key, attempts=0, seconds=seconds, ends_at=now + timedelta(seconds=seconds)
    )


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))
