"""What each calendar feed holds, gathered in a handful of queries, and the fingerprint of its data.

A feed is found first (`all_feed`, `topic_feed`, `session_feed`, `personal_feed`): one query that
says whether it exists and returns its fingerprint, the counts and newest change times of every
table the feed is drawn from. Rendered bytes can be cached under that fingerprint: any edit, in any
process, changes it. The feed's content also depends on the clock in two ways, and the fingerprint
counts those too: a cancelled session leaves the feeds 30 days after its cancellation, and a
personal feed lists a draft's deadline only while the call is open.

Only on a cache miss does `feed_calendar` gather the rows (sessions with their topics and
overrides prefetched, calls with their topic) and turn them into the plain data `events.ical`
renders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count, Max
from tortoise.queryset import QuerySet

from base.settings import Settings
from consult.calls.models import Call, CallPhase
from consult.calls.queries import in_phase, public_calls
from consult.responses.models import Response, ResponseStatus
from core.models import Person, Topic
from events.ical import (
    CalendarFeed,
    MomentEntry,
    Organizer,
    SessionEntry,
    call_uid,
    session_uid,
)
from events.models import (
    WHOLE_SERIES,
    OccurrenceOverride,
    Registration,
    RegistrationStatus,
    Session,
    SessionStatus,
    Visibility,
)
from events.queries import change_of, rule_of
from events.recurrence import Occurrence, SeriesRule, occurrences

# A cancelled session stays in feeds this long, marked CANCELLED, so clients remove it.
CANCELLED_KEPT = timedelta(days=30)
SITE = "QIST Consult"


@dataclass(frozen=True)
class Fingerprint:
    key: tuple[str, ...]  # opaque: equal while nothing the feed is drawn from has changed
    last_modified: datetime | None  # the newest change among them (None: no rows at all)


@dataclass(frozen=True)
class FeedSource:
    """A feed that exists: which one, and the fingerprint of its data."""

    kind: str  # "all", "topic", "session" or "personal"
    subject_id: int  # the topic, session or person (0 for "all")
    fingerprint: Fingerprint

    @property
    def identity(self) -> tuple[str, int]:
        return (self.kind, self.subject_id)


async def all_feed(now: datetime) -> FeedSource:
    stats = _public_stats(now)
    # An aggregate over the topic table gives exactly one row to carry the subqueries.
    rows = await Topic.all().annotate(rows=Count("id"), **stats).values("rows", *stats)
    return FeedSource("all", 0, _fingerprint(rows[0]))


async def topic_feed(slug: str, now: datetime) -> FeedSource | None:
    stats = _public_stats(now)
    rows = await Topic.filter(slug=slug).annotate(**stats).values("id", *stats)
    return FeedSource("topic", rows[0]["id"], _fingerprint(rows[0])) if rows else None


async def session_feed(slug: str, now: datetime) -> FeedSource | None:
    """A public session (cancelled or not); None for unknown and invitation-only ones."""
    stats = _public_stats(now)
    rows = (
        await Session.filter(slug=slug, visibility=Visibility.PUBLIC)
        .annotate(**stats)
        .values("id", *stats)
    )
    return FeedSource("session", rows[0]["id"], _fingerprint(rows[0])) if rows else None


async def personal_feed(person: Person, now: datetime) -> FeedSource:
    def drafts() -> Subquery:
        return Subquery(
            Response.filter(respondent_id=person.id, status=ResponseStatus.DRAFT).values("call_id")
        )

    stats = {
        **_public_stats(now),
        **_stats("registration", lambda: Registration.filter(person_id=person.id)),
        **_stats("response", lambda: Response.filter(respondent_id=person.id)),
        # Deadlines of drafts appear when a call opens and leave when it closes.
        **_stats("opened", lambda: Call.filter(opens_at__lte=now, id__in=drafts()), "opens_at"),
        **_stats("closed", lambda: Call.filter(closes_at__lte=now, id__in=drafts()), "closes_at"),
    }
    rows = await Person.filter(id=person.id).annotate(**stats).values(*stats)
    return FeedSource("personal", person.id, _fingerprint(rows[0]))


def _stats(
    name: str, rows: Callable[[], QuerySet[Any]], field: str = "updated_at"
) -> dict[str, Subquery]:
    return {
        f"{name}_latest": Subquery(rows().annotate(value=Max(field)).values("value")),
        f"{name}_rows": Subquery(rows().annotate(value=Count("id")).values("value")),
    }


def _public_stats(now: datetime) -> dict[str, Subquery]:
    # Whole tables: an edit to any session, override, call or topic changes every public feed's
    # fingerprint. Re-rendering a feed is cheap; serving a stale one is not.
    return {
        **_stats("session", Session.all),
        **_stats("override", OccurrenceOverride.all),
        **_stats("call", Call.all),
        **_stats("topic", Topic.all),
        **_stats(
            "expired",
            lambda: Session.filter(
                status=SessionStatus.CANCELLED, cancelled_at__lte=now - CANCELLED_KEPT
            ),
            "cancelled_at",
        ),
    }


def _fingerprint(row: dict[str, Any]) -> Fingerprint:
    values = {name: value for name, value in row.items() if name.endswith(("_latest", "_rows"))}
    key = tuple(f"{name}={_text(value)}" for name, value in sorted(values.items()))
    # The feed last changed at the newest edit, or when the clock took something out of it: a
    # cancelled session 30 days on, a draft's deadline when its call closed.
    changes: list[datetime] = []
    for name, value in values.items():
        moment = _instant(value) if name.endswith("_latest") else None
        if moment is None or name == "opened_latest":  # a deadline appears with its draft
            continue
        changes.append(moment + CANCELLED_KEPT if name == "expired_latest" else moment)
    return Fingerprint(key, max(changes, default=None))


def _instant(value: Any) -> datetime | None:
    """A time from an aggregate: PostgreSQL gives datetimes, SQLite the stored text."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _text(value: Any) -> str:
    moment = _instant(value) if not isinstance(value, int) else None
    return moment.isoformat() if moment is not None else str(value)


async def feed_calendar(source: FeedSource, settings: Settings, now: datetime) -> CalendarFeed:
    """Everything the feed shows, as plain data for `events.ical`."""
    links = _Links(settings)
    if source.kind == "all":
        sessions = await _sessions(_shown(now) & Q(visibility=Visibility.PUBLIC))
        calls = await public_calls().order_by("opens_at", "id")
        return links.feed(
            f"{SITE}: Sessions and calls",
            "Public sessions of QIST Consult, the US–UK partnership on quantum information "
            "science, with the opening and closing of every call for input.",
            [links.session(s, personal=False) for s in sessions],
            [moment for call in calls for moment in links.call_dates(call)],
        )
    if source.kind == "topic":
        topic = await Topic.get(id=source.subject_id)
        sessions = await _sessions(
            _shown(now) & Q(visibility=Visibility.PUBLIC, topics__id=topic.id)
        )
        calls = await public_calls().filter(topic_id=topic.id).order_by("opens_at", "id")
        return links.feed(
            f"{SITE}: {topic.name}",
            f"Public sessions and calls for input on {topic.name}, from QIST Consult.",
            [links.session(s, personal=False) for s in sessions],
            [moment for call in calls for moment in links.call_dates(call)],
        )
    if source.kind == "session":
        (session,) = await _sessions(Q(id=source.subject_id))
        return links.feed(
            f"{SITE}: {session.title}",
            f"{session.title}, a session of QIST Consult.",
            [links.session(session, personal=False)],
            [],
        )
    return await _personal_calendar(source.subject_id, links, now)


async def _personal_calendar(person_id: int, links: _Links, now: datetime) -> CalendarFeed:
    registrations = await Registration.filter(
        person_id=person_id, status=RegistrationStatus.REGISTERED
    ).values_list("session_id", "occurrence_key")
    session_ids = sorted({session_id for session_id, _ in registrations})
    sessions = await _sessions(_shown(now) & Q(id__in=session_ids)) if session_ids else []
    whole = {session_id for session_id, key in registrations if key == WHOLE_SERIES}
    entries: list[SessionEntry] = []
    for session in sessions:
        if session.id in whole:
            entries.append(links.session(session, personal=True))
            continue
        keys = sorted(key for session_id, key in registrations if session_id == session.id)
        entries += links.occurrences(session, [_from_key(key) for key in keys])
    drafts = Response.filter(respondent_id=person_id, status=ResponseStatus.DRAFT)
    calls = (
        await public_calls()
        .filter(in_phase(CallPhase.OPEN, now), id__in=Subquery(drafts.values("call_id")))
        .order_by("closes_at", "id")
    )
    return links.feed(
        f"{SITE}: My sessions and deadlines",
        "The QIST Consult sessions you registered for, and the closing time of each open call "
        "where your response is still a draft.",
        entries,
        [links.draft_deadline(call) for call in calls],
    )


def _shown(now: datetime) -> Q:
    """Sessions a feed lists: scheduled, or cancelled less than 30 days ago."""
    return (
        Q(status=SessionStatus.SCHEDULED)
        | Q(cancelled_at__isnull=True)
        | Q(cancelled_at__gt=now - CANCELLED_KEPT)
    )


async def _sessions(condition: Q) -> list[Session]:
    return (
        await Session.filter(condition)
        .prefetch_related("topics", "overrides")
        .order_by("starts_at", "id")
    )


def _from_key(key: str) -> datetime:
    return datetime.strptime(key, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


class _Links:
    """Turns rows into calendar entries with this site's URLs, UIDs and organiser."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.host = urlsplit(settings.base_url).hostname or "localhost"
        address = parseaddr(settings.mail_from)[1] or f"no-reply@{self.host}"
        self.organizer = Organizer(address, SITE)

    def feed(
        self,
        name: str,
        description: str,
        sessions: list[SessionEntry],
        moments: list[MomentEntry],
    ) -> CalendarFeed:
        return CalendarFeed(name, description, self.organizer, tuple(sessions), tuple(moments))

    def session(self, session: Session, *, personal: bool) -> SessionEntry:
        return SessionEntry(
            uid=session_uid(session.id, self.host),
            title=session.title,
            description=self._description(session, personal=personal),
            url=self._session_url(session),
            rule=rule_of(session),
            modified=session.updated_at,
            sequence=session.sequence,
            changes=tuple(
                change_of(o) for o in sorted(session.overrides, key=lambda o: o.original_start)
            ),
            location=session.location or ("Online" if session.online_url else ""),
            categories=_topic_names(session),
            cancelled=session.is_cancelled,
        )

    def occurrences(self, session: Session, starts: list[datetime]) -> list[SessionEntry]:
        """Single occurrences of a series, each a VEVENT of its own (registrations for one date)."""
        series = self.session(session, personal=True)
        wanted = set(starts)
        return [
            self.single_date(session.id, series, occurrence)
            for occurrence in occurrences(series.rule, series.changes)
            if occurrence.original_start in wanted
        ]

    def single_date(
        self, session_id: int, series: SessionEntry, occurrence: Occurrence
    ) -> SessionEntry:
        """One date of a series as a session of its own, with the UID its original start gives."""
        return SessionEntry(
            uid=session_uid(session_id, self.host, occurrence.original_start),
            title=series.title,
            description=series.description,
            url=series.url,
            rule=SeriesRule(occurrence.starts_at, occurrence.ends_at, series.rule.zone),
            modified=series.modified,
            sequence=series.sequence,
            location=series.location,
            categories=series.categories,
            cancelled=series.cancelled or occurrence.cancelled,
        )

    def call_dates(self, call: Call) -> list[MomentEntry]:
        url = self._call_url(call)
        description = f"{call.summary}\n\n{url}"
        return [
            self._moment(call, "opens", f"Call opens: {call.title}", description, call.opens_at),
            self._moment(call, "closes", f"Call closes: {call.title}", description, call.closes_at),
        ]

    def draft_deadline(self, call: Call) -> MomentEntry:
        respond = self.settings.url_for_path(f"/calls/{call.slug}/respond")
        description = (
            f"Your response to this call is still a draft. Submit it before the call closes: "
            f"{respond}\n\n{call.summary}"
        )
        return self._moment(
            call, "closes", f"Call closes: {call.title}", description, call.closes_at
        )

    def _moment(
        self, call: Call, moment: str, summary: str, description: str, at: datetime
    ) -> MomentEntry:
        return MomentEntry(
            uid=call_uid(call.id, moment, self.host),
            summary=summary,
            description=description,
            url=self._call_url(call),
            at=at,
            zone=call.timezone,
            modified=call.updated_at,
            categories=(call.topic.name,),
        )

    def _description(self, session: Session, *, personal: bool) -> str:
        parts = [session.description.strip()] if session.description.strip() else []
        # The online link is for registered people only: never in a public feed.
        if personal and session.online_url:
            parts.append(f"Join online: {session.online_url}")
        parts.append(self._session_url(session))
        return "\n\n".join(parts)

    def _session_url(self, session: Session) -> str:
        return self.settings.url_for_path(f"/sessions/{session.slug}")

    def _call_url(self, call: Call) -> str:
        return self.settings.url_for_path(f"/calls/{call.slug}")


def _topic_names(session: Session) -> tuple[str, ...]:
    return tuple(t.name for t in sorted(session.topics, key=lambda t: (t.position, t.name, t.id)))


def series_entry(session: Session, settings: Settings) -> SessionEntry:
    """The whole session or series as a registrant's own feed shows it, for iTIP mail
    (`events.itip`). `session` needs its overrides and topics loaded."""
    return _Links(settings).session(session, personal=True)


def date_entry(session: Session, settings: Settings, occurrence: Occurrence) -> SessionEntry:
    """One date of a series, at the times `occurrence` gives, as a single-date registrant's own
    feed shows it: also for a date the series no longer gives, so that its CANCEL can be sent.
    `session` needs its overrides and topics loaded."""
    links = _Links(settings)
    return links.single_date(session.id, links.session(session, personal=True), occurrence)
