"""Signed-in sessions kept in the database, so that ending one takes effect at once everywhere.

The browser's cookie holds a random token; the table holds its SHA-256 (the token has 256 bits,
so a fast hash is enough, as for recovery codes). A session is active while its row exists, it was
seen within the idle limit and it began within the absolute limit, all judged by the app's clock.
Ending a session deletes its row; the daily retention job deletes the rows that ran out.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from core.models import Person, SignInSession

# last_seen_at is written when a request comes at least this long after the last write, so a busy
# session costs one UPDATE a minute, not one per request. The idle limit may thus end a session
# up to this much early.
SEEN_EVERY = timedelta(minutes=1)
USER_AGENT_CHARS = 200


@dataclass(frozen=True)
class Limits:
    """SESSION_IDLE_MINUTES and SESSION_MAX_HOURS."""

    idle: timedelta
    lifetime: timedelta

    @classmethod
    def of(cls, *, idle_minutes: int, max_hours: int) -> Limits:
        return cls(timedelta(minutes=idle_minutes), timedelta(hours=max_hours))

    def expired(self, now: datetime) -> Q:
        """Rows of sessions that ran out by `now`."""
        return Q(last_seen_at__lte=now - self.idle) | Q(created_at__lte=now - self.lifetime)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(
    person: Person, *, two_step: bool, user_agent: str, data: dict[str, Any], now: datetime
) -> tuple[str, SignInSession]:
    """A new session for `person`; returns the token for the cookie (stored only as its hash)."""
    token = secrets.token_urlsafe(32)
    row = await SignInSession.create(
        token_hash=token_hash(token),
        person=person,
        two_step=two_step,
        user_agent=user_agent[:USER_AGENT_CHARS],
        data=data,
        created_at=now,
        last_seen_at=now,
    )
    return token, row


async def active_session(token: str, limits: Limits, *, now: datetime) -> SignInSession | None:
    """The session this token opened, with its person, while it lasts; None once it has ended,
    run out (its row is then deleted) or never existed. Marks it seen if SEEN_EVERY has passed."""
    row = await SignInSession.get_or_none(token_hash=token_hash(token)).select_related("person")
    if row is None:
        return None
    if not (row.created_at <= now < row.created_at + limits.lifetime) or (
        now >= row.last_seen_at + limits.idle
    ):
        await SignInSession.filter(id=row.id).delete()
        return None
    if now - row.last_seen_at >= SEEN_EVERY:
        row.last_seen_at = now
        await SignInSession.filter(id=row.id).update(last_seen_at=now)
    return row


async def save_data(row: SignInSession, data: dict[str, Any]) -> None:
    """Keep what the pages stored in the session (nothing happens if it has ended meanwhile)."""
    await SignInSession.filter(id=row.id).update(data=data)


async def end_session(session_id: int) -> None:
    await SignInSession.filter(id=session_id).delete()


async def end_sessions(person: Person, *, keep: int | None = None) -> int:
    """End every session of `person` but the one with id `keep`; returns how many ended."""
    others = SignInSession.filter(person_id=person.id)
    if keep is not None:
        others = others.exclude(id=keep)
    return await others.delete()


async def sessions_of(person: Person, limits: Limits, *, now: datetime) -> list[SignInSession]:
    """The person's active sessions, the most recently seen first."""
    return (
        await SignInSession.filter(person_id=person.id)
        .exclude(limits.expired(now))
        .order_by("-last_seen_at", "-id")
    )


async def forget_expired_sessions(limits: Limits, *, now: datetime) -> int:
    """Delete the rows of sessions that ran out (for the daily retention job)."""
    return await SignInSession.filter(limits.expired(now)).delete()


_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"\b(?:Chrome|CriOS)/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*\bSafari/")),
)
_SYSTEMS = (
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)


def browser_of(user_agent: str) -> str:
    """The browser in plain words ("Firefox on Windows"), or the raw string cut to 80 characters
    when it names no browser we know."""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), None)
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), None)
    if browser is None:
        return user_agent[:80] or "Unknown browser"
    return f"{browser} on {system}" if system else browser
