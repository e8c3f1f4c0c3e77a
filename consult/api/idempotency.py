"""Idempotency-Key for API writes (draft-ietf-httpapi-idempotency-key-header).

A key is claimed before the work starts. The same key with the same request returns the first
answer; with a different request it is refused; while the first is still running a repeat is told
to wait. The answer is stored in the same transaction as the work (`remember`), and a request that
fails lets go of its key (`release`) so the client can correct it and try again. Keys are kept
for `KEPT_FOR`, then forgotten by the retention job.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from consult.api.models import IdempotentRequest

KEPT_FOR = timedelta(hours=24)
# A claim older than this with no answer belongs to a request that died: a retry may take it over.
ABANDONED_AFTER = timedelta(minutes=2)
KEY_MAX = 255


class KeyReused(Exception):
    """The key was used for a different request."""


class KeyInFlight(Exception):
    """The first request with this key has not finished yet."""


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: Mapping[str, Any]
    location: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


async def claim(
    person_id: int, key: str, print_: str, *, now: datetime
) -> tuple[IdempotentRequest, StoredAnswer | None]:
    """Claim `key` for this request: (claim, None) to go ahead, or (claim, answer) to replay."""
    for _attempt in range(3):
        try:
            return (
                await IdempotentRequest.create(
                    person_id=person_id, key=key, fingerprint=print_, claimed_at=now, created_at=now
                ),
                None,
            )
        except IntegrityError:
            pass
        found = await IdempotentRequest.get_or_none(person_id=person_id, key=key)
        if found is None:
            continue  # released or expired between our insert and our read: try again
        if found.created_at <= now - KEPT_FOR:
            await IdempotentRequest.filter(id=found.id).delete()
            continue
        if found.fingerprint != print_:
            raise KeyReused
        if found.status_code is not None:
            return found, StoredAnswer(found.status_code, found.body, found.location)
        if found.claimed_at > now - ABANDONED_AFTER:
            raise KeyInFlight
        taken = await IdempotentRequest.filter(
            id=found.id, claimed_at=found.claimed_at, status_code__isnull=True
        ).update(claimed_at=now)
        if taken:
            found.claimed_at = now
            return found, None
    raise KeyInFlight


async def remember(claimed: IdempotentRequest, answer: StoredAnswer) -> None:
    """Store the answer; call inside the transaction that did the work."""
    await IdempotentRequest.filter(id=claimed.id).update(
        status_code=answer.status_code, body=answer.body, location=answer.location
    )


async def release(claimed: IdempotentRequest) -> None:
    await IdempotentRequest.filter(id=claimed.id, status_code__isnull=True).delete()


async def forget_expired(now: datetime) -> int:
    return await IdempotentRequest.filter(created_at__lte=now - KEPT_FOR).delete()
