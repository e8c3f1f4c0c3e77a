"""Rate limits counted in the database: one conditional UPDATE decides, on both databases."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from base.settings import Limit
from core.clock import FixedClock
from core.models import RateLimitCounter
from core.ratelimit import RateLimited, claim, claim_all


async def outcome(key: str, limit: Limit, now: datetime) -> int | None:
    """None when the claim went through, else the Retry-After it was refused with."""
    try:
        await claim(key, limit, now=now)
    except RateLimited as refused:
        return refused.retry_after
    return None


async def test_concurrent_claims_let_exactly_the_limit_through(db: None, clock: FixedClock) -> None:
    now = clock.now()

    outcomes = await asyncio.gather(
        *(outcome("signin:address:192.0.2.1", Limit(5, 60), now) for _ in range(50))
    )

    assert outcomes.count(None) == 5
    assert outcomes.count(60) == 45
    counter = await RateLimitCounter.get(key="signin:address:192.0.2.1")
    assert (counter.attempts, counter.seconds, counter.ends_at) == (
        5,
        60,
        now + timedelta(seconds=60),
    )


async def test_concurrent_claims_after_a_window_ends_start_one_new_window(
    db: None, clock: FixedClock
) -> None:
    limit = Limit(3, 60)
    for _ in range(3):
        await claim("comment:7", limit, now=clock.now())
    later = clock.now() + timedelta(seconds=61)

    outcomes = await asyncio.gather(*(outcome("comment:7", limit, later) for _ in range(20)))

    assert outcomes.count(None) == 3
    counter = await RateLimitCounter.get(key="comment:7")
    assert (counter.attempts, counter.ends_at) == (3, later + timedelta(seconds=60))


async def test_a_claim_refused_under_one_key_counts_under_none(db: None, clock: FixedClock) -> None:
    now = clock.now()
    await claim("api-address:192.0.2.1", Limit(1, 60), now=now)

    with pytest.raises(RateLimited):
        await claim_all(
            [("api-token:1", Limit(10, 60)), ("api-address:192.0.2.1", Limit(1, 60))], now=now
        )

    assert await RateLimitCounter.get(key="api-token:1").values_list("attempts", flat=True) == 0


def test_limits_read_an_optional_longest_window_for_backoff() -> None:
    assert Limit.parse("5/900") == Limit(5, 900)
    assert Limit.parse("30/900/86400") == Limit(30, 900, 86400)
    for malformed in ("5", "5/0", "5/900/600", "5/900/3600/7200", "five/900"):
        with pytest.raises(ValueError):
            Limit.parse(malformed)
