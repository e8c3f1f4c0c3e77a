"""What one change of a session does to each date its registrants hold. Pure: no I/O.

A change (one date moved or cancelled, a new place, an edited series, the session cancelled) is
seen as two snapshots of the session taken in the transaction that makes it, one before and one
after. Comparing them date by date tells, for any registration, which of its dates a message must
name and how: moved (old and new times), cancelled, added, or the same times at a new place. A
date the change did not touch, a date already past and a date already cancelled are not named, so
a cancelled date is never sent again as an invitation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from events.models import WHOLE_SERIES, Session, occurrence_key
from events.queries import rule_of
from events.recurrence import Change, Occurrence, occurrences


@dataclass(frozen=True)
class Snapshot:
    """What registrants' calendars should hold of a session at one moment."""

    cancelled: bool
    location: str
    online_url: str
    # Every date by its registration key: one-off sessions have one, under WHOLE_SERIES.
    dates: Mapping[str, Occurrence]

    @property
    def place(self) -> tuple[str, str]:
        return (self.location, self.online_url)


def snapshot(session: Session, changes: Iterable[Change]) -> Snapshot:
    """The session as it is now; `changes` are its occurrence overrides."""
    found = occurrences(rule_of(session), changes)
    if session.is_recurring:
        dates = {occurrence_key(o.original_start): o for o in found}
    else:
        dates = {WHOLE_SERIES: found[0]}
    return Snapshot(session.is_cancelled, session.location, session.online_url, dates)


class What(StrEnum):
    MOVED = "moved"
    CANCELLED = "cancelled"
    ADDED = "added"  # a date an edit of the series added (or gave back)
    PLACE = "place"  # same times, new place


@dataclass(frozen=True)
class DateNews:
    """What a change did to one date."""

    key: str
    what: What
    before: Occurrence | None  # None: the date is new
    after: Occurrence | None  # None: the series no longer has this date

    @property
    def shown(self) -> Occurrence:
        """The date as a message names it: where it is now, or where it was if it is gone."""
        if self.after is not None and self.what != What.CANCELLED:
            return self.after
        assert self.before is not None
        return self.before


@dataclass(frozen=True)
class SessionChange:
    before: Snapshot
    after: Snapshot

    @property
    def session_cancelled(self) -> bool:
        return self.after.cancelled and not self.before.cancelled

    @property
    def place_changed(self) -> bool:
        return self.before.place != self.after.place

    def news(self, key: str, now: datetime) -> list[DateNews]:
        """What the change did to the dates a registration under `key` holds: every date for
        WHOLE_SERIES, else that one date. Soonest first; only dates not yet started."""
        if key == WHOLE_SERIES:
            keys = list(dict.fromkeys([*self.before.dates, *self.after.dates]))
        else:
            keys = [key]
        found = [n for k in keys if (n := self._news_of(k, now)) is not None]
        return sorted(found, key=lambda n: (n.shown.starts_at, n.key))

    def _news_of(self, key: str, now: datetime) -> DateNews | None:
        before, after = self.before.dates.get(key), self.after.dates.get(key)
        starts = [o.starts_at for o in (before, after) if o is not None]
        if not starts or max(starts) <= now:
            return None
        was_on = before is not None and not before.cancelled and not self.before.cancelled
        is_on = after is not None and not after.cancelled and not self.after.cancelled
        if was_on and not is_on:
            return DateNews(key, What.CANCELLED, before, after)
        if is_on and not was_on:
            return DateNews(key, What.ADDED, before, after)
        if not is_on:
            return None  # cancelled before, still cancelled: told already
        assert before is not None and after is not None
        if (before.starts_at, before.ends_at) != (after.starts_at, after.ends_at):
            return DateNews(key, What.MOVED, before, after)
        if self.place_changed:
            return DateNews(key, What.PLACE, before, after)
        return None
