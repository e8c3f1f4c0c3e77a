"""When each demonstration session happens: working days, and a weekly series placed across the
next weeks in which US and UK clocks disagree, found in the zone database rather than written down.

Pure: the same `now` always gives the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from consult.demo.session_specs import SessionSpec
from core.timezones import daylight_saving_disagrees
from events.models import Recurrence
from events.recurrence import Change, SeriesRule, series_starts

# A series that crosses a change starts at most this long before the clocks first disagree, so its
# ninth meeting (position 8) already falls after they agree again: under today's rules that is at
# most 23 days after they first disagree, in March, and 7 days in the autumn.
LEAD = timedelta(days=28)
SEARCH_DAYS = 2 * 366
CREATED_BEFORE = timedelta(days=42)  # sessions are announced six weeks ahead…
CREATED_AT_LATEST = timedelta(days=7)  # …and none was created in the last week


@dataclass(frozen=True)
class Disagreement:
    """Days on which the US–UK gap is not five hours: `first` up to, not including, `agree_again`."""

    first: date
    agree_again: date


@dataclass(frozen=True)
class PlannedSession:
    spec: SessionSpec
    starts_at: datetime  # UTC, the first occurrence
    ends_at: datetime
    starts: tuple[datetime, ...]  # every start the rule gives (UTC)
    changes: tuple[Change, ...]
    created_at: datetime
    cancelled_at: datetime | None
    sequence: int
    disagreement: Disagreement | None = None  # the one a crossing series spans

    @property
    def rule(self) -> SeriesRule:
        return _rule(self.spec, self.starts_at)

    @property
    def cancelled_starts(self) -> frozenset[datetime]:
        return frozenset(c.original_start for c in self.changes if c.cancelled)

    @property
    def closes_registration(self) -> datetime:
        """When the last registration could have been made: the first start, or the cancellation."""
        return min(self.starts_at, self.cancelled_at or self.starts_at)


def plan_sessions(specs: tuple[SessionSpec, ...], *, now: datetime) -> list[PlannedSession]:
    """Every session placed relative to `now`, in the order of `specs`."""
    return [plan_session(spec, now=now) for spec in specs]


def plan_session(spec: SessionSpec, *, now: datetime) -> PlannedSession:
    """The session's times, changed occurrences and SEQUENCE; its first meeting on a working day."""
    disagreement = None
    if spec.crosses_daylight_saving:
        starts_at, disagreement = _start_across_disagreement(spec, now)
    else:
        starts_at = _best_start(spec, _today(now, spec.zone) + timedelta(days=spec.days))
    starts = tuple(series_starts(_rule(spec, starts_at)))
    changes = tuple(_changes(spec, starts))
    cancelled_at = None
    if spec.cancelled_days_ago is not None:
        cancelled_at = now - timedelta(days=spec.cancelled_days_ago)
    return PlannedSession(
        spec=spec,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=spec.minutes),
        starts=starts,
        changes=changes,
        created_at=min(now - CREATED_AT_LATEST, starts_at - CREATED_BEFORE),
        cancelled_at=cancelled_at,
        # SEQUENCE rises with every change of time or status (RFC 5545 §3.8.7.4).
        sequence=len(changes) + (cancelled_at is not None),
        disagreement=disagreement,
    )


def next_disagreement(after: date) -> Disagreement:
    """The first run of days, starting on or after `after`, when US and UK clocks disagree."""
    day = after
    end = after + timedelta(days=SEARCH_DAYS)
    while daylight_saving_disagrees(day):  # already inside one: it does not count
        day += timedelta(days=1)
    while not daylight_saving_disagrees(day):
        day += timedelta(days=1)
        if day > end:
            raise ValueError(f"US and UK clocks agree for two years after {after}")
    first = day
    while daylight_saving_disagrees(day):
        day += timedelta(days=1)
    return Disagreement(first, day)


def is_working_day(day: date) -> bool:
    """A weekday outside the days from Christmas Eve to New Year's Day."""
    holidays = (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1)
    return day.weekday() < 5 and not holidays


def crossing_summary(session: PlannedSession) -> str:
    """One line saying when a series meets and on which of its days the clocks disagree."""
    zone = ZoneInfo(session.spec.zone)
    first, last = (
        start.astimezone(zone).date() for start in (session.starts[0], session.starts[-1])
    )
    text = f"Daylight saving: “{session.spec.title}” meets from {_day(first)} to {_day(last)}"
    if session.disagreement is None:
        return text + "."
    disagree = session.disagreement
    return (
        f"{text}; US and UK clocks disagree from {_day(disagree.first)} to "
        f"{_day(disagree.agree_again - timedelta(days=1))}."
    )


def _rule(spec: SessionSpec, starts_at: datetime) -> SeriesRule:
    return SeriesRule(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=spec.minutes),
        zone=spec.zone,
        frequency=str(spec.recurrence),
        count=spec.count,
    )


def _today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def _start_on(day: date, spec: SessionSpec) -> datetime:
    return datetime.combine(day, spec.at, tzinfo=ZoneInfo(spec.zone)).astimezone(UTC)


def _awkward(day: date, spec: SessionSpec) -> int | None:
    """How many occurrences from `day` fall on days off; None when `day` cannot be the first.

    The first must be a working day (on the series' weekday, if it has one); a monthly series also
    needs a date that every month has.
    """
    if not is_working_day(day) or spec.weekday not in (None, day.weekday()):
        return None
    if spec.recurrence == Recurrence.MONTHLY and day.day > 28:
        return None
    zone = ZoneInfo(spec.zone)
    starts = series_starts(_rule(spec, _start_on(day, spec)))
    return sum(not is_working_day(start.astimezone(zone).date()) for start in starts)


def _best_start(spec: SessionSpec, day: date) -> datetime:
    """The start within four weeks of `day` with the fewest meetings on days off, then the soonest.

    A monthly series keeps its date every month, so a meeting may still fall on a weekend; a weekly
    one may meet in the holidays: `_changes` moves or cancels those.
    """
    best = _least_awkward(spec, day, day + timedelta(days=28))
    if best is None:
        raise ValueError(f"no working day found for {spec.slug} after {day}")
    return _start_on(best, spec)


def _least_awkward(spec: SessionSpec, first: date, before: date) -> date | None:
    candidates = [
        (awkward, offset)
        for offset in range((before - first).days)
        if (awkward := _awkward(first + timedelta(days=offset), spec)) is not None
    ]
    if not candidates:
        return None
    _, offset = min(candidates)
    return first + timedelta(days=offset)


def _start_across_disagreement(spec: SessionSpec, now: datetime) -> tuple[datetime, Disagreement]:
    """The first start from tomorrow that puts meetings before, during and after a disagreement.

    The series starts while the clocks still agree, at most LEAD before they disagree; only when
    no day fits before the next disagreement (it is days away) is the one after it used.
    """
    after = _today(now, spec.zone) + timedelta(days=1)
    for _ in range(4):
        disagreement = next_disagreement(after)
        first = max(after, disagreement.first - LEAD)
        best = _least_awkward(spec, first, disagreement.first)
        if best is not None:
            return _start_on(best, spec), disagreement
        after = disagreement.agree_again
    raise ValueError(f"no start found for {spec.slug} across a daylight-saving change")


def _changes(spec: SessionSpec, starts: tuple[datetime, ...]) -> list[Change]:
    """The spec's cancelled and moved occurrences (a move lands on a working day), and the meetings
    that fall on a day off: a weekly one is cancelled, a monthly one moved to the next working day.
    A moved occurrence keeps its wall-clock time."""
    zone = ZoneInfo(spec.zone)
    duration = timedelta(minutes=spec.minutes)
    changes = {
        starts[position]: Change(starts[position], cancelled=True)
        for position in spec.cancelled_occurrences
    }
    moves = dict(spec.moved_occurrences)
    for position, start in enumerate(starts):
        local = start.astimezone(zone)
        day = local.date() + timedelta(days=moves.get(position, 0))
        if start in changes or (day == local.date() and is_working_day(day)):
            continue
        if position not in moves and spec.recurrence == Recurrence.WEEKLY:
            changes[start] = Change(start, cancelled=True)  # no meeting that week
            continue
        while not is_working_day(day):
            day += timedelta(days=1)
        moved = datetime.combine(day, local.time(), tzinfo=zone).astimezone(UTC)
        changes[start] = Change(start, starts_at=moved, ends_at=moved + duration)
    return sorted(changes.values(), key=lambda change: change.original_start)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
