"""Personal calendar feed tokens: long, random, stored hashed, revocable.

The token is an HMAC of the service's secret over the person and a random nonce. Only the nonce
and the token's SHA-256 are stored: the feed looks people up by hash, the account page can show
the URL again (it recomputes the token), and rotating the nonce kills the old URL at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from tortoise.exceptions import IntegrityError

from core.models import Person
from events.models import CalendarToken


def _derive(secret: str, person_id: int, nonce: str) -> str:
    digest = hmac.new(
        secret.encode(), f"calendar:{person_id}:{nonce}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def calendar_token_for(secret: str, person: Person) -> str:
    """The person's current token, created on first use."""
    row = await CalendarToken.get_or_none(person_id=person.id)
    if row is None:
        nonce = secrets.token_urlsafe(24)
        token = _derive(secret, person.id, nonce)
        try:
            await CalendarToken.create(person=person, nonce=nonce, token_hash=_hash(token))
        except IntegrityError:  # created by a parallel request a moment ago
            row = await CalendarToken.get(person_id=person.id)
        else:
            return token
    return _derive(secret, person.id, row.nonce)


async def rotate_calendar_token(secret: str, person: Person, *, now: datetime) -> str:
    """A new token; the old URL stops working immediately."""
    nonce = secrets.token_urlsafe(24)
    token = _derive(secret, person.id, nonce)
    updated = await CalendarToken.filter(person_id=person.id).update(
        nonce=nonce, token_hash=_hash(token), rotated_at=now
    )
    if not updated:
        await CalendarToken.create(
            person=person, nonce=nonce, token_hash=_hash(token), rotated_at=now
        )
    return token


async def person_for_calendar_token(token: str) -> Person | None:
    """The active person whose current token this is, or None (the feed then answers 404)."""
    if not token or len(token) > 100:
        return None
    row = await CalendarToken.get_or_none(token_hash=_hash(token)).select_related("person")
    if row is None or not row.person.is_active:
        return None
    return row.person
