"""Registration for sessions: who may take a place, capacity, the waitlist and its promotion.

A session, or one date of a series, holds at most `capacity` REGISTERED people; a registration for
the whole series takes a place at every date. Beyond that people join the waitlist, and a freed
place goes to the people waiting in the order they joined. Counting and inserting happen inside one
transaction that first locks the session's row (PostgreSQL: SELECT … FOR UPDATE; SQLite lets one
writer in at a time), so two people can never both take the last place.

Services never import Starlette. A person's request that cannot be granted raises
`RegistrationRefused`, whose message is written for that person.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from core.errors import Refused
from core.models import Person
from core.notifications.compose import Site
from core.permissions import Action, may
from core.timezones import daylight_saving_disagrees
from events.invitation_mail import write_for_places
from events.models import (
    WHOLE_SERIES,
    OccurrenceOverride,
    Recurrence,
    Registration,
    RegistrationStatus,
    Session,
    SessionStatus,
    Visibility,
    occurrence_key,
)
from events.queries import change_of, rule_of, session_occurrences
from events.recurrence import Change, Occurrence, occurrences

ACTIVE = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)


class Barrier(StrEnum):
    """Why someone may not register for a session at all just now."""

    SIGN_IN = "sign_in"
    VERIFY = "verify"
    CANCELLED = "cancelled"
    INVITATION = "invitation"
    OVER = "over"

    @property
    def message(self) -> str:
        return {
            "sign_in": "Sign in to register for this session.",
            "verify": "Confirm your email address before you register: use the link we emailed you.",
            "cancelled": "This session has been cancelled, so you cannot register for it.",
            "invitation": "This session is by invitation only.",
            "over": "This session has already taken place.",
        }[self.value]


class RegistrationRefused(Refused):
    """The person may not register for this session or date; `message` says why, in plain words."""

    status_code = 409


class AlreadyRegistered(RegistrationRefused):
    """The person already holds a place or a waitlist place for this session or date."""


def key_of(session: Session, occurrence: Occurrence) -> str:
    """The occurrence key a registration for this date carries (a single session has only one)."""
    return occurrence_key(occurrence.original_start) if session.is_recurring else WHOLE_SERIES


def open_keys(session: Session, dates: Iterable[Occurrence], now: datetime) -> tuple[str, ...]:
    """Keys of the dates people can still register for: not cancelled and not yet started."""
    return tuple(key_of(session, o) for o in dates if not o.cancelled and o.starts_at > now)


def registration_barrier(
    session: Session,
    person: Person | None,
    *,
    on_team: bool,
    dates: Sequence[Occurrence],
    now: datetime,
) -> Barrier | None:
    """None when `person` may register for some date of `session`, else the first reason not."""
    if person is None or not person.is_active:
        return Barrier.SIGN_IN
    if not person.is_verified:
        return Barrier.VERIFY
    if session.is_cancelled:
        return Barrier.CANCELLED
    if not session.is_public() and not on_team:
        return Barrier.INVITATION
    if not open_keys(session, dates, now):
        return Barrier.OVER
    return None


@dataclass
class Occupancy:
    """REGISTERED places by occurrence key, and what they leave under the capacity.

    A date's places are taken by registrations for that date and by those for the whole series;
    a whole-series registration needs a place at every date still open.
    """

    capacity: int | None
    recurring: bool
    open_keys: tuple[str, ...]
    registered: Counter[str] = field(default_factory=Counter)

    def taken(self, key: str, *, leaving: Collection[str] = ()) -> int:
        """Places taken at `key`; `leaving`: single dates whose places a whole-series one replaces."""
        whole = self.registered[WHOLE_SERIES]
        if not self.recurring:
            return whole
        if key:
            return whole + self.registered[key]
        return whole + max(
            (self.registered[k] - (1 if k in leaving else 0) for k in self.open_keys), default=0
        )

    def fits(self, key: str, *, leaving: Collection[str] = ()) -> bool:
        return self.capacity is None or self.taken(key, leaving=leaving) < self.capacity

    def places_left(self, key: str) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.taken(key))

    def take(self, key: str, *, leaving: Collection[str] = ()) -> None:
        self.registered[key] += 1
        for k in leaving:
            self.registered[k] -= 1


async def _registered_counts(session_ids: Collection[int]) -> dict[int, Counter[str]]:
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    if not session_ids:
        return counts
    rows = (
        await Registration.filter(
            session_id__in=list(session_ids), status=RegistrationStatus.REGISTERED
        )
        .annotate(places=Count("id"))
        .group_by("session_id", "occurrence_key")
        .values_list("session_id", "occurrence_key", "places")
    )
    for session_id, key, places in rows:
        counts[int(session_id)][str(key)] = int(places)
    return counts


async def _occupancy(session: Session, dates: Sequence[Occurrence], now: datetime) -> Occupancy:
    counts = await _registered_counts([session.id])
    return Occupancy(
        session.capacity, session.is_recurring, open_keys(session, dates, now), counts[session.id]
    )


async def _lock(session_id: int) -> Session:
    """The session's row, fresh, locked against other registrations until the transaction ends."""
    return await Session.filter(id=session_id).select_for_update().get()


def _check_date(session: Session, key: str, dates: Sequence[Occurrence], now: datetime) -> None:
    if not key:
        return
    date = (
        next((o for o in dates if key_of(session, o) == key), None)
        if session.is_recurring
        else None
    )
    if date is None:
        raise RegistrationRefused("That date is not part of this session.")
    if date.cancelled:
        raise RegistrationRefused("This date has been cancelled, so you cannot register for it.")
    if date.starts_at <= now:
        raise RegistrationRefused("This date has already taken place.")


def _check_not_holding(mine: dict[str, Registration], key: str) -> None:
    held = mine.get(key)
    if held is not None and held.status in ACTIVE:
        if held.status == RegistrationStatus.WAITLISTED:
            raise AlreadyRegistered("You are already on the waitlist.")
        raise AlreadyRegistered("You are already registered.")
    whole = mine.get(WHOLE_SERIES)
    if key and whole is not None and whole.status == RegistrationStatus.REGISTERED:
        raise AlreadyRegistered("You are already registered for every date of this series.")


async def _release_single_dates(
    session: Session, person_id: int, keys: Collection[str], now: datetime
) -> list[int]:
    """Cancel the person's entries for single open dates: their whole-series place covers them.

    Callers have counted the single places as passing to the whole-series one (`leaving`).
    """
    entries = await Registration.filter(
        session_id=session.id, person_id=person_id, status__in=ACTIVE
    ).exclude(occurrence_key=WHOLE_SERIES)
    released = []
    for entry in entries:
        if entry.occurrence_key not in keys:
            continue  # a date already past stays on record as it was
        entry.status = RegistrationStatus.CANCELLED
        entry.cancelled_at = now
        await entry.save()
        released.append(entry.id)
    return released


async def register(
    session: Session,
    person: Person,
    key: str = WHOLE_SERIES,
    *,
    now: datetime,
    site: Site | None = None,
) -> Registration:
    """A place for `person` (REGISTERED) when one is free, else a WAITLISTED entry.

    `key` is WHOLE_SERIES (the session, or every date of a series) or one date's occurrence key.
    Never leaves more REGISTERED people than the capacity, however many register at once.
    """
    on_team = await may(person, Action.SEE_ATTENDEES, session)
    try:
        async with in_transaction():
            locked = await _lock(session.id)
            dates = await session_occurrences(locked)
            barrier = registration_barrier(locked, person, on_team=on_team, dates=dates, now=now)
            if barrier is not None:
                raise RegistrationRefused(barrier.message)
            _check_date(locked, key, dates, now)
            mine = {
                r.occurrence_key: r
                for r in await Registration.filter(session_id=locked.id, person_id=person.id)
            }
            _check_not_holding(mine, key)
            previous = mine.get(key)
            if previous is not None:
                # Cancelled earlier: a new entry, so a waitlist place is at the back of the queue.
                await previous.delete()
            occupancy = await _occupancy(locked, dates, now)
            leaving = (
                set()
                if key
                else {k for k, r in mine.items() if k and r.status == RegistrationStatus.REGISTERED}
            )
            fits = occupancy.fits(key, leaving=leaving)
            registration = Registration(
                session=locked,
                person=person,
                occurrence_key=key,
                status=RegistrationStatus.REGISTERED if fits else RegistrationStatus.WAITLISTED,
            )
            await registration.save()
            released = []
            if fits and not key and locked.is_recurring:
                released = await _release_single_dates(locked, person.id, occupancy.open_keys, now)
            # The invitation (and a CANCEL for dates the series place now covers) commit with it.
            await write_for_places(site, locked.id, [registration.id, *released], now=now)
    except IntegrityError:  # the same person's parallel request got there first
        raise AlreadyRegistered("You are already registered.") from None
    return registration


@dataclass(frozen=True)
class Cancellation:
    registration: Registration | None  # None: there was nothing to cancel
    freed_place: bool = False  # False: it was a waitlist entry
    promoted: list[Registration] = field(default_factory=list)  # into the freed place, in order


async def cancel_registration(
    session: Session,
    person: Person,
    key: str = WHOLE_SERIES,
    *,
    now: datetime,
    site: Site | None = None,
) -> Cancellation:
    """Cancel the person's place or waitlist entry; a freed place goes to the waitlist in order."""
    async with in_transaction():
        locked = await _lock(session.id)
        registration = await Registration.get_or_none(
            session_id=locked.id, person_id=person.id, occurrence_key=key, status__in=ACTIVE
        )
        if registration is None:
            return Cancellation(None)
        freed = registration.status == RegistrationStatus.REGISTERED
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        await registration.save()
        promoted = await _fill(locked, now) if freed else []
        # The CANCEL, and the promoted people's invitations and notes, commit with it.
        await write_for_places(
            site, locked.id, [registration.id, *(p.id for p in promoted)], now=now
        )
    return Cancellation(registration, freed, promoted)


async def fill_free_places(
    session: Session, *, now: datetime, site: Site | None = None
) -> list[Registration]:
    """Give free places (after a cancellation or a larger capacity) to the waitlist, in order;
    their invitations and "you have a place" messages commit with them."""
    async with in_transaction():
        promoted = await _fill(await _lock(session.id), now)
        await write_for_places(site, session.id, [p.id for p in promoted], now=now)
    return promoted


async def _fill(session: Session, now: datetime) -> list[Registration]:
    """Promote waiting people, earliest first, while their date has a free place.

    Each promoted entry gets `promoted_at = now`, which is what the waitlist mail is sent from.
    Someone further back may be promoted past an earlier entry that still does not fit (a
    whole-series entry needs a place at every date).
    """
    if session.is_cancelled:
        return []
    dates = await session_occurrences(session)
    occupancy = await _occupancy(session, dates, now)
    waiting = await Registration.filter(
        session_id=session.id, status=RegistrationStatus.WAITLISTED
    ).order_by("created_at", "id")
    single_places: dict[int, set[str]] = defaultdict(set)
    for person_id, key in await Registration.filter(
        session_id=session.id, status=RegistrationStatus.REGISTERED
    ).values_list("person_id", "occurrence_key"):
        if key:
            single_places[int(person_id)].add(str(key))
    covered: set[int] = set()  # people whose whole-series entry was promoted in this pass
    promoted: list[Registration] = []
    for entry in waiting:
        key = entry.occurrence_key
        if (key and (key not in occupancy.open_keys or entry.person_id in covered)) or (
            not key and not occupancy.open_keys
        ):
            continue
        leaving = set() if key else single_places[entry.person_id] & set(occupancy.open_keys)
        if not occupancy.fits(key, leaving=leaving):
            continue
        entry.status = RegistrationStatus.REGISTERED
        entry.promoted_at = now
        await entry.save()
        occupancy.take(key, leaving=leaving)
        if key:
            single_places[entry.person_id].add(key)
        elif session.is_recurring:
            await _release_single_dates(session, entry.person_id, occupancy.open_keys, now)
            covered.add(entry.person_id)
            # Single dates promoted a moment ago are covered now: only the series place counts.
            promoted = [p for p in promoted if p.person_id != entry.person_id]
        promoted.append(entry)
    return promoted


async def registered_for_date(session: Session, key: str) -> int:
    """How many people hold a place at one date: for the whole series or for that date."""
    people = await Registration.filter(
        session_id=session.id,
        status=RegistrationStatus.REGISTERED,
        occurrence_key__in=[WHOLE_SERIES, key],
    ).values_list("person_id", flat=True)
    return len(set(people))


# ---------------------------------------------------------------- Reading, for the pages


def place_of(session: Session) -> str:
    """Where the session happens, in words; the online link itself is never part of it."""
    if session.location and session.online_url:
        return f"{session.location}, and online"
    return session.location or ("Online" if session.online_url else "")


async def visible_session(slug: str, person: Person | None) -> Session | None:
    """The session with this slug when `person` may see it; None otherwise (the page is a 404)."""
    session = await Session.get_or_none(slug=slug).select_related("call").prefetch_related("topics")
    if session is None or not await may_view_session(session, person):
        return None
    return session


async def may_view_session(session: Session, person: Person | None) -> bool:
    """Public sessions are for everyone; invitation-only ones for their team and their invitees.

    Anyone holding a registration row (even a cancelled one) was invited, so they keep seeing the
    page that says where they stand.
    """
    if session.is_public():
        return True
    if person is None:
        return False
    if await may(person, Action.SEE_ATTENDEES, session):
        return True
    return await Registration.filter(session_id=session.id, person_id=person.id).exists()


async def _changes_by_session(session_ids: Collection[int]) -> dict[int, list[Change]]:
    changes: dict[int, list[Change]] = defaultdict(list)
    if session_ids:
        for override in await OccurrenceOverride.filter(session_id__in=list(session_ids)):
            changes[override.session_id].append(change_of(override))
    return changes


@dataclass(frozen=True)
class ListedDate:
    """One upcoming date of a session, as lists show it."""

    session: Session
    occurrence: Occurrence
    places_left: int | None  # None: no limit

    @property
    def key(self) -> str:
        return key_of(self.session, self.occurrence)

    @property
    def full(self) -> bool:
        return self.places_left == 0

    @property
    def place(self) -> str:
        return place_of(self.session)


async def upcoming_dates(
    now: datetime, *, until: datetime, topic_id: int | None = None, limit: int | None = None
) -> list[ListedDate]:
    """Dates of public, scheduled sessions starting after `now` and before `until`, soonest first.

    Series are expanded; cancelled dates are left out and moved ones listed at their new time.
    """
    query = (
        Session.filter(
            status=SessionStatus.SCHEDULED, visibility=Visibility.PUBLIC, starts_at__lt=until
        )
        .filter(Q(starts_at__gt=now) | ~Q(recurrence=Recurrence.NONE))
        .prefetch_related("topics")
    )
    if topic_id is not None:
        query = query.filter(topics__id=topic_id).distinct()
    sessions = await query
    ids = [s.id for s in sessions]
    changes = await _changes_by_session(ids)
    counts = await _registered_counts(ids)
    listed: list[ListedDate] = []
    for session in sessions:
        occupancy = Occupancy(session.capacity, session.is_recurring, (), counts[session.id])
        for occurrence in occurrences(
            rule_of(session), changes[session.id], window_start=now, window_end=until
        ):
            if occurrence.cancelled or occurrence.starts_at <= now:
                continue
            places = occupancy.places_left(key_of(session, occurrence))
            listed.append(ListedDate(session, occurrence, places))
    listed.sort(key=lambda d: (d.occurrence.starts_at, d.session.title, d.session.id))
    return listed[:limit] if limit is not None else listed


@dataclass(frozen=True)
class DateRow:
    """One date on a session's page, with what it means for the person looking."""

    occurrence: Occurrence
    key: str
    places_left: int | None
    mine: Registration | None  # the person's active entry for this date
    clocks_disagree: bool
    now: datetime

    @property
    def is_open(self) -> bool:
        return not self.occurrence.cancelled and self.occurrence.starts_at > self.now


@dataclass(frozen=True)
class SessionView:
    """Everything a session's page shows about the session and the person's place at it."""

    session: Session
    dates: list[DateRow]  # the dates not yet over (a single session: its one date, always)
    earlier: int  # dates of a series already over, not listed
    later: int  # dates beyond those listed
    whole: DateRow | None  # a single session's date; None for a series
    whole_places_left: int | None
    mine_whole: Registration | None
    holds_place: bool  # REGISTERED for the session or some date of it
    on_team: bool
    barrier: Barrier | None
    next_date: Occurrence | None  # the next date that will take place

    @property
    def place(self) -> str:
        return place_of(self.session)

    @property
    def online_link(self) -> str | None:
        """The online meeting's address, only for its team and people holding a place."""
        url = self.session.online_url
        if not (self.on_team or self.holds_place) or not url.startswith(("https://", "http://")):
            return None
        return url


def _clocks_disagree(instant: datetime, zone: str) -> bool:
    return daylight_saving_disagrees(instant.astimezone(ZoneInfo(zone)).date())


async def session_view(
    session: Session, person: Person | None, *, now: datetime, most: int = 52
) -> SessionView:
    """The session's dates, places left and the person's registrations, for its page."""
    dates = await session_occurrences(session)
    occupancy = await _occupancy(session, dates, now)
    entries = (
        await Registration.filter(session_id=session.id, person_id=person.id)
        if person is not None
        else []
    )
    mine = {r.occurrence_key: r for r in entries if r.status in ACTIVE}
    on_team = await may(person, Action.SEE_ATTENDEES, session)
    rows = [
        DateRow(
            o,
            key_of(session, o),
            occupancy.places_left(key_of(session, o)),
            mine.get(key_of(session, o)) if session.is_recurring else None,
            not o.cancelled
            and o.starts_at > now
            and _clocks_disagree(o.starts_at, session.timezone),
            now,
        )
        for o in dates
    ]
    current = rows if not session.is_recurring else [r for r in rows if r.occurrence.ends_at > now]
    upcoming = [o for o in dates if not o.cancelled and o.starts_at > now]
    return SessionView(
        session=session,
        dates=current[:most],
        earlier=len(rows) - len(current),
        later=max(0, len(current) - most),
        whole=None if session.is_recurring else rows[0],
        whole_places_left=occupancy.places_left(WHOLE_SERIES),
        mine_whole=mine.get(WHOLE_SERIES),
        holds_place=any(r.status == RegistrationStatus.REGISTERED for r in mine.values()),
        on_team=on_team,
        barrier=registration_barrier(session, person, on_team=on_team, dates=dates, now=now),
        next_date=upcoming[0] if upcoming and not session.is_cancelled else None,
    )


@dataclass(frozen=True)
class MyRegistration:
    registration: Registration
    session: Session
    occurrence: Occurrence  # the date registered for; for a whole series, the next one

    @property
    def whole_series(self) -> bool:
        return self.session.is_recurring and not self.registration.occurrence_key


async def registrations_of(person: Person, *, now: datetime) -> list[MyRegistration]:
    """The person's registrations and waitlist entries for dates still to come, soonest first."""
    entries = await Registration.filter(person_id=person.id, status__in=ACTIVE).select_related(
        "session"
    )
    changes = await _changes_by_session({e.session_id for e in entries})
    found: list[MyRegistration] = []
    for entry in entries:
        session = entry.session
        dates = occurrences(rule_of(session), changes[session.id])
        if entry.occurrence_key:
            date = next((o for o in dates if key_of(session, o) == entry.occurrence_key), None)
        else:
            date = next((o for o in dates if not o.cancelled and o.starts_at > now), None)
        if date is not None and date.starts_at > now:
            found.append(MyRegistration(entry, session, date))
    found.sort(key=lambda m: (m.occurrence.starts_at, m.session.id))
    return found
