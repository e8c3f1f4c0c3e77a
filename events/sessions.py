"""Rules of scheduling sessions in the workspace: create, edit and cancel sessions; cancel or move
one occurrence of a series.

Services never import Starlette. Problems an organiser can fix come back as `FieldProblem`s naming
the form field. Every change writes an audit entry in the same transaction as the change.

Calendars follow these rows: every change of time, place or status raises the session's iCalendar
SEQUENCE by one in the same transaction, and every change saves the session through `.save()` so
`updated_at` moves (the feeds' cache is keyed on it). A session keeps its slug for life, because
its web address and its calendar UID are built from it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from consult.calls.models import Call
from consult.calls.services import SLUG_PATTERN, SLUG_TAKEN
from core.audit import record_action
from core.errors import FieldProblem, Refused
from core.models import Person, Topic
from core.notifications.compose import Site
from core.timezones import daylight_saving_disagrees, zone_choices
from events.changes import Snapshot
from events.invitation_mail import session_snapshot, write_change
from events.models import (
    OccurrenceOverride,
    Recurrence,
    RegistrationStatus,
    Session,
    SessionKind,
    SessionStatus,
    Visibility,
    occurrence_key,
)
from events.queries import change_of, rule_of, session_occurrences
from events.recurrence import Occurrence, SeriesRule, occurrences, series_starts
from events.registrations import fill_free_places

# Paths under /organise/sessions/ that a session's slug would hide.
RESERVED_SLUGS = frozenset({"new"})
MIN_SERIES = 2
MAX_SERIES = 104
MAX_CAPACITY = 100_000
WEB_LINK_SCHEMES = ("https://", "http://")
KEY_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# Changing any of these changes when the session happens or where: calendars must replace it.
TIME_FIELDS = frozenset(
    {"timezone", "starts_at", "ends_at", "recurrence", "recurrence_count", "recurrence_until"}
)
PLACE_FIELDS = frozenset({"location", "online_url"})


class SessionIsCancelled(Refused):
    """The session was cancelled: it, and its occurrences, can no longer change."""

    status_code = 409
    default_message = "This session was cancelled; it can no longer change."


class NoSuchOccurrence(Refused):
    """The session's rule gives no occurrence at that start (any more)."""

    status_code = 404
    default_message = "That date is not part of this session."


@dataclass(frozen=True)
class SessionDetails:
    """What an organiser types about a session; times are aware and in UTC."""

    title: str
    slug: str
    kind: SessionKind
    topic_ids: tuple[int, ...]
    call_id: int | None
    description: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    location: str
    online_url: str
    capacity: int | None
    visibility: Visibility
    recurrence: Recurrence
    recurrence_count: int | None
    recurrence_until: datetime | None  # the last occurrence's start at the latest

    @property
    def rule(self) -> SeriesRule:
        return SeriesRule(
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            zone=self.timezone,
            frequency=str(self.recurrence),
            count=self.recurrence_count,
            until=self.recurrence_until,
        )


@dataclass(frozen=True)
class SessionSummary:
    """One line of the workspace's list of sessions."""

    session: Session
    next_start: datetime | None  # the next occurrence not cancelled; None when none is left
    registered: int
    waitlisted: int

    @property
    def state(self) -> str:
        if self.session.is_cancelled:
            return "Cancelled"
        return "Scheduled" if self.next_start else "Finished"


def is_web_link(text: str) -> bool:
    """True for an http(s) address with a host and no spaces: the only links we show registrants."""
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return False
    return (
        text.lower().startswith(WEB_LINK_SCHEMES)
        and bool(host)
        and not any(ch.isspace() for ch in text)
    )


def parse_occurrence_key(key: str) -> datetime | None:
    """The UTC start an `occurrence_key` names, or None if `key` is not one in its exact form."""
    try:
        start = datetime.strptime(key, KEY_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
    return start if occurrence_key(start) == key else None


# ---------------------------------------------------------------- Queries


async def sessions_editable_by(person: Person, *, now: datetime) -> list[SessionSummary]:
    """The sessions `person` may edit (admins: all) with registration counts, soonest first.

    Counts come from one aggregate query and overrides from one more, whatever the number of rows.
    """
    query = Session.all() if person.is_admin else Session.filter(team__id=person.id)
    sessions = (
        await query.annotate(
            registered_count=Count(
                "registrations",
                _filter=_registration_is(RegistrationStatus.REGISTERED),
                distinct=True,
            ),
            waitlist_count=Count(
                "registrations",
                _filter=_registration_is(RegistrationStatus.WAITLISTED),
                distinct=True,
            ),
        )
        .group_by("id")
        .order_by("starts_at", "id")
    )
    changes = defaultdict(list)
    for override in await OccurrenceOverride.filter(session_id__in=[s.id for s in sessions]):
        changes[override.session_id].append(change_of(override))
    rows = []
    for session in sessions:
        upcoming = [
            o
            for o in occurrences(rule_of(session), changes[session.id], window_start=now)
            if not o.cancelled
        ]
        next_start = upcoming[0].starts_at if upcoming and not session.is_cancelled else None
        rows.append(
            SessionSummary(
                session,
                next_start,
                session.registered_count,  # type: ignore[attr-defined]
                session.waitlist_count,  # type: ignore[attr-defined]
            )
        )
    # Coming sessions first, soonest at the top; then the rest, most recent first.
    coming = sorted((r for r in rows if r.next_start), key=lambda r: (r.next_start, r.session.id))
    rest = sorted(
        (r for r in rows if not r.next_start), key=lambda r: (r.session.starts_at, r.session.id)
    )
    return coming + rest[::-1]


def _registration_is(status: RegistrationStatus) -> Q:
    return Q(registrations__status=status)


async def occurrence_by_key(session: Session, key: str) -> Occurrence | None:
    """The series occurrence `key` names, overrides applied; None if the rule gives no such start."""
    if not session.is_recurring:
        return None
    original_start = parse_occurrence_key(key)
    if original_start is None:
        return None
    found = [o for o in await session_occurrences(session) if o.original_start == original_start]
    return found[0] if found else None


def occurrence_dates_disagree(rule: SeriesRule) -> bool:
    """True when any start the rule gives falls when Washington and London are 4 hours apart."""
    return dates_disagree(series_starts(rule), rule.zone)


def dates_disagree(starts: Iterable[datetime], zone: str) -> bool:
    """True when any start, by its date in `zone`, is in a week when US and UK clocks disagree."""
    tz = ZoneInfo(zone)
    return any(daylight_saving_disagrees(start.astimezone(tz).date()) for start in starts)


async def linkable_calls() -> list[Call]:
    """The calls a session may be linked to, newest first."""
    return await Call.all().order_by("-opens_at", "-id")


# ---------------------------------------------------------------- Sessions


async def create_session(actor: Person, details: SessionDetails, *, now: datetime) -> Session:
    """A new scheduled session under the rules below, its creator in its team, SEQUENCE 0."""
    await _check_session(details, current=None, now=now)
    try:
        async with in_transaction():
            session = await Session.create(
                **_session_fields(details), status=SessionStatus.SCHEDULED, created_by=actor
            )
            topics = await Topic.filter(id__in=details.topic_ids)
            if topics:
                await session.topics.add(*topics)
            await session.team.add(actor)
            await record_action(actor, "session.created", session, {"slug": session.slug})
    except IntegrityError:
        # Two organisers chose the same slug at the same moment: the unique index decides.
        raise FieldProblem("slug", SLUG_TAKEN) from None
    return session


async def update_session(
    actor: Person,
    session: Session,
    details: SessionDetails,
    *,
    now: datetime,
    site: Site | None = None,
) -> list[str]:
    """Save the session's fields under the creation rules; returns the names of changed fields.

    A change of time or place raises SEQUENCE by one. Overrides of occurrences the new rule no
    longer gives are removed with it, as calendars would otherwise keep stray exceptions.
    """
    if session.is_cancelled:
        raise SessionIsCancelled
    if details.slug != session.slug:
        raise FieldProblem("slug", "A session keeps its web address, so its slug cannot change")
    await _check_session(details, current=session, now=now)
    wanted = _session_fields(details)
    changed = [name for name, value in wanted.items() if getattr(session, name) != value]
    topics_before = set(await session.topics.all().values_list("id", flat=True))
    topics_changed = topics_before != set(details.topic_ids)
    if not changed and not topics_changed:
        return []
    reschedules = bool(TIME_FIELDS.union(PLACE_FIELDS).intersection(changed))
    async with in_transaction():
        if (await _lock(session)).is_cancelled:
            raise SessionIsCancelled
        before = await session_snapshot(session.id)
        for name in changed:
            setattr(session, name, wanted[name])
        await session.save(update_fields=[*changed, "updated_at"])
        if topics_changed:
            await session.topics.clear()
            topics = await Topic.filter(id__in=details.topic_ids)
            if topics:
                await session.topics.add(*topics)
        dropped = await _drop_stray_overrides(session) if TIME_FIELDS.intersection(changed) else 0
        if reschedules:
            await _raise_sequence(session, before, site, now)
        names = [*changed, "topics"] if topics_changed else changed
        detail: dict[str, Any] = {"changed": names, "sequence": session.sequence}
        if dropped:
            detail["overrides_removed"] = dropped
        await record_action(actor, "session.updated", session, detail)
    if "capacity" in changed:
        # More places (or none limiting): the waitlist moves up, in order.
        await fill_free_places(session, now=now, site=site)
    return names


async def cancel_session(
    actor: Person, session: Session, *, now: datetime, site: Site | None = None
) -> bool:
    """Mark the session cancelled at `now` and raise SEQUENCE; False if it already was."""
    async with in_transaction():
        await _lock(session)
        before = await session_snapshot(session.id)
        # Compare-and-set, so two clicks cancel (and audit) once.
        cancelled = await Session.filter(id=session.id, status=SessionStatus.SCHEDULED).update(
            status=SessionStatus.CANCELLED, cancelled_at=now
        )
        if not cancelled:
            return False
        session.status, session.cancelled_at = SessionStatus.CANCELLED, now
        await session.save(update_fields=["updated_at"])
        await _raise_sequence(session, before, site, now)
        await record_action(
            actor,
            "session.cancelled",
            session,
            {"slug": session.slug, "sequence": session.sequence},
        )
    return True


# ---------------------------------------------------------------- Occurrences


async def cancel_occurrence(
    actor: Person,
    session: Session,
    original_start: datetime,
    *,
    now: datetime,
    site: Site | None = None,
) -> bool:
    """Cancel one coming occurrence of a series and raise SEQUENCE; False if it already was."""
    key = occurrence_key(original_start)
    async with in_transaction():
        occurrence = await _changeable_occurrence(session, original_start, now=now)
        if occurrence.cancelled:
            return False
        before = await session_snapshot(session.id)
        await OccurrenceOverride.filter(
            session_id=session.id, original_start=original_start
        ).delete()
        await OccurrenceOverride.create(
            session=session, original_start=original_start, cancelled=True
        )
        await session.save(update_fields=["updated_at"])
        await _raise_sequence(session, before, site, now)
        await record_action(
            actor,
            "occurrence.cancelled",
            session,
            {"occurrence": key, "sequence": session.sequence},
        )
    return True


async def move_occurrence(
    actor: Person,
    session: Session,
    original_start: datetime,
    starts_at: datetime,
    *,
    now: datetime,
    site: Site | None = None,
) -> bool:
    """Move one coming occurrence to a future start, keeping its length; False if already there.

    Moving it back to the time the rule gives removes the override.
    """
    key = occurrence_key(original_start)
    async with in_transaction():
        occurrence = await _changeable_occurrence(session, original_start, now=now)
        if occurrence.cancelled:
            raise FieldProblem("date", "This occurrence is cancelled, so it cannot be moved")
        if starts_at <= now:
            raise FieldProblem("date", "Choose a date and time in the future")
        if starts_at == occurrence.starts_at:
            return False
        before = await session_snapshot(session.id)
        ends_at = starts_at + (occurrence.ends_at - occurrence.starts_at)
        await OccurrenceOverride.filter(
            session_id=session.id, original_start=original_start
        ).delete()
        if starts_at != original_start:
            await OccurrenceOverride.create(
                session=session, original_start=original_start, starts_at=starts_at, ends_at=ends_at
            )
        await session.save(update_fields=["updated_at"])
        await _raise_sequence(session, before, site, now)
        await record_action(
            actor,
            "occurrence.moved",
            session,
            {
                "occurrence": key,
                "from": occurrence_key(occurrence.starts_at),
                "to": occurrence_key(starts_at),
                "sequence": session.sequence,
            },
        )
    return True


async def _changeable_occurrence(
    session: Session, original_start: datetime, *, now: datetime
) -> Occurrence:
    """The occurrence, read again under the session's lock; it must still be ahead of us."""
    locked = await _lock(session)
    if locked.is_cancelled:
        raise SessionIsCancelled
    found = [o for o in await session_occurrences(locked) if o.original_start == original_start]
    if not found:
        raise NoSuchOccurrence
    occurrence = found[0]
    if occurrence.starts_at <= now:
        raise FieldProblem("occurrence", "This occurrence has already started, so it cannot change")
    return occurrence


# ---------------------------------------------------------------- Helpers


async def _lock(session: Session) -> Session:
    """The session's row, locked until the transaction ends (PostgreSQL; SQLite locks on write)."""
    return await Session.select_for_update().get(id=session.id)


async def _raise_sequence(
    session: Session, before: Snapshot, site: Site | None, now: datetime
) -> None:
    """One change of time, place or status: SEQUENCE goes up and, in the same transaction, each
    registered person's message about what it did to their dates is written to the outbox."""
    # In the database, not from the copy in memory, so two changes at once both count.
    await Session.filter(id=session.id).update(sequence=F("sequence") + 1)
    await session.refresh_from_db(fields=["sequence"])
    await write_change(site, before, session.id, now=now)


async def _drop_stray_overrides(session: Session) -> int:
    starts = set(series_starts(rule_of(session))) if session.is_recurring else set()
    stray = [
        o.id
        for o in await OccurrenceOverride.filter(session_id=session.id)
        if o.original_start not in starts
    ]
    if stray:
        await OccurrenceOverride.filter(id__in=stray).delete()
    return len(stray)


async def _check_session(
    details: SessionDetails, *, current: Session | None, now: datetime
) -> None:
    if not SLUG_PATTERN.match(details.slug):
        raise FieldProblem("slug", "Use only lowercase letters, digits and hyphens")
    taken = Session.filter(slug=details.slug)
    if current is not None:
        taken = taken.exclude(id=current.id)
    if details.slug in RESERVED_SLUGS or await taken.exists():
        raise FieldProblem("slug", SLUG_TAKEN)
    if await Topic.filter(id__in=details.topic_ids).count() != len(set(details.topic_ids)):
        raise FieldProblem("topics", "Choose topics from the list")
    if details.call_id is not None and not await Call.exists(id=details.call_id):
        raise FieldProblem("call", "Choose a call from the list")
    if details.timezone not in zone_choices():
        raise FieldProblem("timezone", "Choose a time zone from the list")
    if details.starts_at.tzinfo is None or details.ends_at.tzinfo is None:
        raise ValueError("session times must be aware datetimes")
    if details.ends_at <= details.starts_at:
        raise FieldProblem("end", "The end time must be after the start time")
    start_changed = current is None or current.starts_at != details.starts_at
    if start_changed and details.starts_at <= now:
        raise FieldProblem("date", "Choose a date and time in the future")
    if not details.location and not details.online_url:
        raise FieldProblem("location", "Enter a location, an online link, or both")
    if details.online_url and not is_web_link(details.online_url):
        raise FieldProblem(
            "online_url", "Enter the online link starting with https:// (or http://)"
        )
    if details.capacity is not None and not 1 <= details.capacity <= MAX_CAPACITY:
        raise FieldProblem(
            "capacity", f"Enter the number of places as a whole number from 1 to {MAX_CAPACITY:,}"
        )
    _check_recurrence(details)


def _check_recurrence(details: SessionDetails) -> None:
    if details.recurrence == Recurrence.NONE:
        return
    count, until = details.recurrence_count, details.recurrence_until
    if count is None and until is None:
        raise FieldProblem(
            "recurrence_count", "Enter how many times the session happens, or the last date"
        )
    if count is not None and until is not None:
        raise FieldProblem(
            "recurrence_count",
            "Enter how many times the session happens or the last date, not both",
        )
    if count is not None and not MIN_SERIES <= count <= MAX_SERIES:
        raise FieldProblem(
            "recurrence_count",
            f"Enter how many times the session happens as a whole number from {MIN_SERIES} to {MAX_SERIES}",
        )
    if until is not None:
        # series_starts stops at MAX_OCCURRENCES, so one over MAX_SERIES is enough to tell.
        starts = series_starts(replace(details.rule, count=None))
        if len(starts) < MIN_SERIES:
            raise FieldProblem(
                "recurrence_until", "Choose a last date that leaves at least two occurrences"
            )
        if len(starts) > MAX_SERIES:
            raise FieldProblem(
                "recurrence_until",
                f"A series has at most {MAX_SERIES} occurrences; choose an earlier last date",
            )


def _session_fields(details: SessionDetails) -> dict[str, Any]:
    series = details.recurrence != Recurrence.NONE
    return {
        "title": details.title,
        "slug": details.slug,
        "kind": details.kind,
        "call_id": details.call_id,
        "description": details.description,
        "timezone": details.timezone,
        "starts_at": details.starts_at,
        "ends_at": details.ends_at,
        "location": details.location,
        "online_url": details.online_url,
        "capacity": details.capacity,
        "visibility": details.visibility,
        "recurrence": details.recurrence,
        "recurrence_count": details.recurrence_count if series else None,
        "recurrence_until": details.recurrence_until if series else None,
    }
