"""The calendar messages sessions send registrants, written to the outbox in the transaction of
the change they report.

- A place holds one invitation (METHOD:REQUEST) from the moment it is given, and one CANCEL if
  the person gives it up; a promotion off the waitlist also holds one "you have a place" note.
  Their keys name the place, so the scheduler's jobs, which derive them again on every run as a
  safety net, never write one twice (`write_for_places`, `write_invitations`).
- A change of the session (a date moved or cancelled, a new place, an edited series, the session
  cancelled) gives each registered person one message naming what it did to their own dates
  (`write_change`, from `events.changes`); dates it did not touch are not sent again. Its key
  names the session, the SEQUENCE the change gave it and the person. A cancelled date is sent as
  METHOD:CANCEL with its RECURRENCE-ID (RFC 5546 §3.2.5), or with its own UID to those registered
  for that date alone, and never again as a REQUEST.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.models import Person
from core.notifications.compose import Site, write
from core.notifications.models import Notification
from core.notifications.preferences import wants
from core.timezones import LocalTime, day_text, times_in_capitals
from events.changes import DateNews, SessionChange, Snapshot, What, snapshot
from events.feeds import date_entry, series_entry
from events.ical import Attendee, SessionEntry
from events.itip import calendar_attachment, cancelled, dates_cancelled, message, organizer_for
from events.models import (
    WHOLE_SERIES,
    OccurrenceOverride,
    Registration,
    RegistrationStatus,
    Session,
)
from events.queries import change_of
from events.recurrence import Occurrence

INVITED = "session_invitation"
GIVEN_UP = "place_given_up"  # the CANCEL of a place its holder gave up
CHANGED = "session_changed"
CANCELLED = "session_cancelled"
# How far back the scheduler's safety net looks for places whose message is missing.
SAFETY_NET = timedelta(days=2)


def invitation_key(place: Registration) -> str:
    """The outbox key of the invitation (or, once given up, the CANCEL) of a place."""
    if place.status == RegistrationStatus.CANCELLED:
        return f"cancellation:registration-{place.id}"
    return f"invitation:registration-{place.id}"


def promotion_key(place: Registration) -> str:
    assert place.promoted_at is not None
    return f"promoted:registration-{place.id}:{place.promoted_at.isoformat()}"


def change_key(session: Session, person_id: int, method: str) -> str:
    """One message per person for each change: the SEQUENCE names the change."""
    return f"session-{session.id}:seq{session.sequence}:person-{person_id}:{method.lower()}"


# ---------------------------------------------------------------- What a message says


@dataclass(frozen=True)
class DateLine:
    """One date a message names, in the person's own zone first and in both capitals."""

    day: str  # "Wednesday 10 March 2027"
    what: What
    was: list[LocalTime]  # where it was (empty for an added date)
    now: list[LocalTime]  # where it is now (empty for a cancelled date)


def date_line(news: DateNews, zone: str) -> DateLine:
    # A new place keeps the times: they are shown once, as "When".
    told_before = news.before is not None and news.what in (What.MOVED, What.CANCELLED)
    was = _times(news.before, zone) if told_before and news.before is not None else []
    now = [] if news.what == What.CANCELLED or news.after is None else _times(news.after, zone)
    return DateLine(day_text(news.shown.starts_at, zone), news.what, was, now)


def _times(occurrence: Occurrence, zone: str) -> list[LocalTime]:
    return times_in_capitals(occurrence.starts_at, zone)


def _subject(prefix: str, title: str, days: Sequence[str], whole_session: bool) -> str:
    """ "Cancelled: {title}", or with the one date it is about, or how many dates."""
    if whole_session or not days:
        return f"{prefix}: {title}"
    if len(days) == 1:
        return f"{prefix}: {title}, {days[0]}"
    return f"{prefix}: {title}, {len(days)} dates"


# ---------------------------------------------------------------- Places


async def write_invitations(
    site: Site, places: Sequence[Registration], sessions: dict[int, Session], *, now: datetime
) -> int:
    """The invitation of each registered place and the CANCEL of each given-up place that was
    invited, unless written already; how many were written.

    `places` come with `person` loaded; `sessions` have `overrides` and `topics`.
    """
    if not places:
        return 0
    keys = {p.id: invitation_key(p) for p in places}
    existing = set(
        await Notification.filter(key__in=list(keys.values())).values_list("key", flat=True)
    )
    invited = await _invited({p for p in places if p.status == RegistrationStatus.CANCELLED})
    written = 0
    for place in places:
        session = sessions[place.session_id]
        if keys[place.id] in existing or session.is_cancelled:
            continue  # a cancelled session's CANCEL went out with its cancellation
        given_up = place.status == RegistrationStatus.CANCELLED
        if given_up and place.id not in invited:
            continue  # a waitlist entry, or a place never invited: no calendar holds it
        kind = GIVEN_UP if given_up else INVITED
        if not wants(place.person.mail_opt_outs, kind):
            continue
        written += (
            await _write_place(site, place, session, kind=kind, key=keys[place.id], now=now)
            is not None
        )
    return written


async def _invited(places: Collection[Registration]) -> set[int]:
    """Which of these places were sent an invitation (under today's key or an older one)."""
    if not places:
        return set()
    sent = await Notification.filter(
        kind=INVITED, person_id__in={p.person_id for p in places}
    ).values_list("key", flat=True)
    prefixes = {f"invitation:registration-{p.id}": p.id for p in places}
    return {
        place_id
        for key in sent
        for prefix, place_id in prefixes.items()
        if key == prefix or str(key).startswith(prefix + ":")
    }


async def _write_place(
    site: Site, place: Registration, session: Session, *, kind: str, key: str, now: datetime
) -> Notification | None:
    """The invitation (or CANCEL) of one place; None if its date no longer exists."""
    entry, occurrence = _place_entry(site, place, session)
    if entry is None or occurrence is None:
        return None
    person = place.person
    given_up = kind == GIVEN_UP
    single = place.occurrence_key != WHOLE_SERIES
    day = day_text(occurrence.starts_at, person.time_zone)
    organizer = organizer_for(site.settings.mail_from)
    attendee = Attendee(person.email, person.display_name)
    if given_up:
        body = message("CANCEL", (cancelled(entry),), organizer, attendee)
    else:
        body = message("REQUEST", (entry,), organizer, attendee)
    prefix = "Cancelled" if given_up else "Invitation"
    return await write(
        site,
        kind,
        person,
        key=key,
        due_at=now,
        attachments=(calendar_attachment(body),),
        headline=_subject(prefix, session.title, [day] if single else [], not single),
        session=session,
        place_cancelled=given_up,
        single_date=single,
        day=day,
        times=_times(occurrence, person.time_zone),
        series=session.is_recurring and not single,
        link=site.link("sessions:detail", slug=session.slug),
    )


def _place_entry(
    site: Site, place: Registration, session: Session
) -> tuple[SessionEntry | None, Occurrence | None]:
    now_state = snapshot(session, [change_of(o) for o in session.overrides])
    if place.occurrence_key == WHOLE_SERIES:
        dates = [o for o in now_state.dates.values() if not o.cancelled] or list(
            now_state.dates.values()
        )
        return series_entry(session, site.settings), dates[0]
    occurrence = now_state.dates.get(place.occurrence_key)
    if occurrence is None:
        return None, None
    return date_entry(session, site.settings, occurrence), occurrence


async def write_promotions(site: Site, places: Sequence[Registration], *, now: datetime) -> int:
    """A "you have a place" message for each place promoted off the waitlist; how many."""
    written = 0
    for place in places:
        promoted = await write(
            site,
            "waitlist_promoted",
            place.person,
            key=promotion_key(place),
            due_at=now,
            session=place.session,
            link=site.link("sessions:detail", slug=place.session.slug),
        )
        written += promoted is not None
    return written


async def write_for_places(
    site: Site | None, session_id: int, place_ids: Collection[int], *, now: datetime
) -> int:
    """Inside the transaction that changed these places: their invitations, cancellations and
    promotion messages. `site` None (a caller without mail, such as demo data) writes nothing:
    the scheduler's jobs write them on their next run."""
    if site is None or not place_ids:
        return 0
    places = await Registration.filter(
        id__in=list(place_ids),
        status__in=(RegistrationStatus.REGISTERED, RegistrationStatus.CANCELLED),
    ).select_related("session", "person")
    if not places:
        return 0
    sessions = {
        s.id: s for s in await Session.filter(id=session_id).prefetch_related("overrides", "topics")
    }
    written = await write_invitations(site, places, sessions, now=now)
    promoted = [
        p for p in places if p.promoted_at == now and p.status == RegistrationStatus.REGISTERED
    ]
    return written + await write_promotions(site, promoted, now=now)


# ---------------------------------------------------------------- Changes of a session


async def session_snapshot(session_id: int) -> Snapshot:
    """The session as it is in the database now (take it under the session's lock)."""
    session = await Session.get(id=session_id)
    overrides = await OccurrenceOverride.filter(session_id=session_id)
    return snapshot(session, [change_of(o) for o in overrides])


@dataclass(frozen=True)
class PlaceNews:
    """What a change means for one place: the calendar to send and the dates to name."""

    method: str  # REQUEST or CANCEL
    entry: SessionEntry
    news: list[DateNews]
    whole: bool  # the place is for the whole session or series


def place_news(
    change: SessionChange, place: Registration, session: Session, site: Site, now: datetime
) -> PlaceNews | None:
    """None when the change touched none of the place's dates."""
    news = change.news(place.occurrence_key, now)
    if not news:
        return None
    if place.occurrence_key == WHOLE_SERIES:
        series = series_entry(session, site.settings)
        if change.session_cancelled:
            return PlaceNews("CANCEL", cancelled(series), news, True)
        only_cancelled = all(n.what == What.CANCELLED and n.after is not None for n in news)
        if session.is_recurring and only_cancelled:
            starts = [n.shown.original_start for n in news]
            return PlaceNews("CANCEL", dates_cancelled(series, starts), news, True)
        return PlaceNews("REQUEST", series, news, True)
    [date] = news
    if date.what == What.CANCELLED:
        return PlaceNews(
            "CANCEL", cancelled(date_entry(session, site.settings, date.shown)), news, False
        )
    return PlaceNews("REQUEST", date_entry(session, site.settings, date.shown), news, False)


async def write_change(
    site: Site | None, before: Snapshot, session_id: int, *, now: datetime
) -> int:
    """Inside the transaction that changed a session's time, place or status (after its
    SEQUENCE was raised): one message per registered person and calendar method, naming what
    the change did to their dates. `site` None writes nothing. How many were written."""
    if site is None:
        return 0
    session = await Session.get(id=session_id).prefetch_related("overrides", "topics")
    change = SessionChange(before, snapshot(session, [change_of(o) for o in session.overrides]))
    places = await Registration.filter(
        session_id=session_id, status=RegistrationStatus.REGISTERED
    ).select_related("person")
    by_person: dict[int, list[PlaceNews]] = defaultdict(list)
    people = {}
    for place in places:
        news = place_news(change, place, session, site, now)
        if news is not None:
            by_person[place.person_id].append(news)
            people[place.person_id] = place.person
    written = 0
    for person_id, told in by_person.items():
        # One message per person; two only when a change both cancels some of their dates and
        # moves others (an edit of the series), as one iTIP message has one METHOD.
        for method in ("CANCEL", "REQUEST"):
            parts = [t for t in told if t.method == method]
            if parts:
                written += await _write_update(
                    site, session, people[person_id], change, method, parts, now
                )
    return written


async def _write_update(
    site: Site,
    session: Session,
    person: Person,
    change: SessionChange,
    method: str,
    parts: list[PlaceNews],
    now: datetime,
) -> bool:
    kind = CANCELLED if method == "CANCEL" else CHANGED
    if not wants(person.mail_opt_outs, kind):
        return False
    whole = any(p.whole for p in parts)
    news = sorted((n for p in parts for n in p.news), key=lambda n: (n.shown.starts_at, n.key))
    lines = [date_line(n, person.time_zone) for n in news]
    whole_session = whole and (
        change.session_cancelled or not session.is_recurring or _every_date(news, change)
    )
    subject = _subject(
        "Cancelled" if method == "CANCEL" else "Updated",
        session.title,
        [line.day for line in lines],
        whole_session,
    )
    body = message(
        method,
        [p.entry for p in parts],
        organizer_for(site.settings.mail_from),
        Attendee(person.email, person.display_name),
    )
    written = await write(
        site,
        kind,
        person,
        key=change_key(session, person.id, method),
        due_at=now,
        attachments=(calendar_attachment(body),),
        headline=subject,
        session=session,
        lines=lines,
        whole=whole,
        series=session.is_recurring,
        session_cancelled=change.session_cancelled,
        place_changed=change.place_changed and method == "REQUEST",
        place_before=change.before.place,
        place_after=change.after.place,
        link=site.link("sessions:detail", slug=session.slug),
    )
    return written is not None


def _every_date(news: Sequence[DateNews], change: SessionChange) -> bool:
    """The change touched every coming date alike (a new place, an edited series)."""
    return change.place_changed or len(news) > 1
