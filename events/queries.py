"""Read-only questions about sessions: their occurrences, upcoming sessions, who is registered."""

from __future__ import annotations

from datetime import datetime

from events.models import OccurrenceOverride, Session
from events.recurrence import Change, Occurrence, SeriesRule, occurrences


def rule_of(session: Session) -> SeriesRule:
    return SeriesRule(
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        zone=session.timezone,
        frequency=str(session.recurrence),
        count=session.recurrence_count,
        until=session.recurrence_until,
    )


def change_of(override: OccurrenceOverride) -> Change:
    return Change(override.original_start, override.cancelled, override.starts_at, override.ends_at)


async def session_occurrences(
    session: Session,
    *,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> list[Occurrence]:
    """The session's occurrences with its overrides applied (cancelled ones flagged, not dropped)."""
    overrides = await OccurrenceOverride.filter(session_id=session.id)
    return occurrences(
        rule_of(session),
        [change_of(o) for o in overrides],
        window_start=window_start,
        window_end=window_end,
    )
