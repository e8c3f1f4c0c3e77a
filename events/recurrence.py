"""Expanding a session into its occurrences. Pure: plain data in, plain data out, no I/O.

A series repeats at the same wall-clock time in the session's own zone, so a 10:00 London
meeting stays at 10:00 London when the clocks change, and its UTC instant moves by an hour.
That is what iCalendar's RRULE with a TZID means, and what every calendar client computes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule

MAX_OCCURRENCES = 520  # ten years of weekly meetings: a bound on any one series


@dataclass(frozen=True)
class SeriesRule:
    """When a session happens: its first occurrence and, for a series, how it repeats."""

    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    zone: str
    frequency: str = "none"  # "none", "weekly" or "monthly"
    count: int | None = None
    until: datetime | None = None  # UTC, inclusive

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at


@dataclass(frozen=True)
class Change:
    """An override of one occurrence, keyed by the start the rule gave it."""

    original_start: datetime  # UTC
    cancelled: bool = False
    starts_at: datetime | None = None  # UTC, when moved
    ends_at: datetime | None = None


@dataclass(frozen=True)
class Occurrence:
    original_start: datetime  # UTC: the occurrence's identity (iCalendar RECURRENCE-ID)
    starts_at: datetime  # UTC, after any move
    ends_at: datetime
    cancelled: bool = False
    moved: bool = False


def series_starts(rule: SeriesRule) -> list[datetime]:
    """Every start the rule gives, in UTC, at most MAX_OCCURRENCES of them."""
    if rule.frequency == "none":
        return [rule.starts_at]
    zone = ZoneInfo(rule.zone)
    local_first = rule.starts_at.astimezone(zone).replace(tzinfo=None)
    until = rule.until.astimezone(zone).replace(tzinfo=None) if rule.until else None
    count = min(rule.count, MAX_OCCURRENCES) if rule.count else None
    if count is None and until is None:
        count = MAX_OCCURRENCES
    frequency = WEEKLY if rule.frequency == "weekly" else MONTHLY
    local_starts = rrule(frequency, dtstart=local_first, count=count, until=until)
    return [
        start.replace(tzinfo=zone).astimezone(UTC) for start in list(local_starts)[:MAX_OCCURRENCES]
    ]


def occurrences(
    rule: SeriesRule,
    changes: Iterable[Change] = (),
    *,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> list[Occurrence]:
    """The occurrences with changes applied, in start order, overlapping the window if one is given.

    Cancelled occurrences are included (flagged) so feeds can write EXDATE and pages can say so.
    A moved occurrence is placed at its new time; a change for a start the rule never gives is ignored.
    """
    by_start = {change.original_start: change for change in changes}
    found: list[Occurrence] = []
    for start in series_starts(rule):
        change = by_start.get(start)
        if change is None:
            found.append(Occurrence(start, start, start + rule.duration))
        elif change.cancelled:
            found.append(Occurrence(start, start, start + rule.duration, cancelled=True))
        else:
            new_start = change.starts_at or start
            new_end = change.ends_at or new_start + rule.duration
            found.append(Occurrence(start, new_start, new_end, moved=new_start != start))
    if window_start is not None:
        found = [o for o in found if o.ends_at > window_start]
    if window_end is not None:
        found = [o for o in found if o.starts_at < window_end]
    return sorted(found, key=lambda o: (o.starts_at, o.original_start))
