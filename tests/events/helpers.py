"""Times in the capitals' zones, and plain data for the calendar code: a `SessionEntry` as
`events.ical` takes it, a session's `SessionDetails` as the organisers' form would send them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from events.ical import SessionEntry, session_uid
from events.models import Session
from events.recurrence import Change, SeriesRule
from events.sessions import SessionDetails

LONDON = "Europe/London"
NEW_YORK = "America/New_York"
MODIFIED = datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=UTC)


def at(zone: str, *fields: int) -> datetime:
    """A wall-clock time in `zone` as a UTC instant."""
    return datetime(*fields, tzinfo=ZoneInfo(zone)).astimezone(UTC)  # type: ignore[misc]


def session(
    *,
    starts: datetime | None = None,
    zone: str = LONDON,
    frequency: str = "none",
    count: int | None = None,
    until: datetime | None = None,
    changes: tuple[Change, ...] = (),
    cancelled: bool = False,
    **fields: object,
) -> SessionEntry:
    """A 90-minute session as `events.ical` takes it; `fields` replace the other defaults."""
    first = starts or at(zone, 2027, 3, 16, 15)
    defaults: dict[str, object] = {
        "uid": session_uid(7, "consult.example.gov"),
        "title": "Standards roundtable",
        "description": "Which interfaces need standards?\n\nhttps://consult.example.gov/sessions/s",
        "url": "https://consult.example.gov/sessions/s",
        "modified": MODIFIED,
        "sequence": 3,
        "location": "Online",
        "categories": ("Standards",),
    }
    return SessionEntry(
        rule=SeriesRule(first, first + timedelta(minutes=90), zone, frequency, count, until),
        changes=changes,
        cancelled=cancelled,
        **{**defaults, **fields},  # type: ignore[arg-type]
    )


def session_details(session: Session, **changes: Any) -> SessionDetails:
    """What the organisers' form would send to leave `session` as it is, but for `changes`."""
    fields = {
        "title": session.title,
        "slug": session.slug,
        "kind": session.kind,
        "topic_ids": (),
        "call_id": None,
        "description": session.description,
        "timezone": session.timezone,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "location": session.location,
        "online_url": session.online_url,
        "capacity": session.capacity,
        "visibility": session.visibility,
        "recurrence": session.recurrence,
        "recurrence_count": session.recurrence_count,
        "recurrence_until": session.recurrence_until,
    }
    return SessionDetails(**{**fields, **changes})
