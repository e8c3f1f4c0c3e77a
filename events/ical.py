"""iCalendar (RFC 5545, 7986) for sessions and call dates. Pure: plain data in, bytes out, no I/O.

Everything is written through the `icalendar` library, which escapes and folds text. The output
depends only on the input, never on the clock, so a feed is byte-identical until its data changes
and its ETag means something: DTSTAMP is the row's `updated_at`, not "now".

Time zones: every local time carries a TZID with a VTIMEZONE in the same calendar, written from
the zone database for the whole years the calendar's events span, one STANDARD or DAYLIGHT block
per change of offset, no RDATE. Mozilla's ical.js (Thunderbird) reads only the first value of an
RDATE property and ignores the block's DTSTART when RDATE is present, so the RDATE lists `icalendar`
writes (1970-2038 from `add_missing_timezones()`, and whenever a bounded span holds several years)
put London winters and New York summers an hour off there. tests/events/test_icaljs.py checks
every instant ical.js computes against zoneinfo.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vCategory,
    vDuration,
    vText,
)

from events.recurrence import MAX_OCCURRENCES, Change, Occurrence, SeriesRule, occurrences

PRODID = "-//QIST Consult//Sessions and calls//EN"
REFRESH = timedelta(hours=1)
UTC_ZONES = frozenset({"UTC", "Etc/UTC"})


@dataclass(frozen=True)
class Organizer:
    email: str
    name: str = "QIST Consult"


@dataclass(frozen=True)
class Attendee:
    """A person a session is scheduled with, named in iTIP mail (`events.itip`); feeds have none."""

    email: str
    name: str


@dataclass(frozen=True)
class SessionEntry:
    """A session, or one occurrence of a series given as a single session: one VEVENT, or a
    recurring VEVENT plus one VEVENT per moved occurrence."""

    uid: str
    title: str
    description: str  # the whole DESCRIPTION text, the page URL included
    url: str
    rule: SeriesRule
    modified: datetime  # DTSTAMP and LAST-MODIFIED
    sequence: int = 0
    changes: tuple[Change, ...] = ()
    location: str = ""
    categories: tuple[str, ...] = ()
    cancelled: bool = False
    # For an iTIP CANCEL of some dates of a series only: their original starts. Each becomes a
    # VEVENT of its own with the series' UID, RECURRENCE-ID and STATUS:CANCELLED, and the series
    # itself (RRULE) is not written, so a client removes those dates and keeps the rest.
    instances: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class MomentEntry:
    """A point in time, e.g. a call opening or closing: a VEVENT with no duration that keeps the
    time free (TRANSP:TRANSPARENT)."""

    uid: str
    summary: str
    description: str
    url: str
    at: datetime  # aware
    zone: str
    modified: datetime
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class CalendarFeed:
    name: str
    description: str
    organizer: Organizer
    sessions: tuple[SessionEntry, ...] = ()
    moments: tuple[MomentEntry, ...] = ()
    method: str | None = None  # iTIP (REQUEST, CANCEL) for mail; None for feeds and files
    attendees: tuple[Attendee, ...] = ()  # ATTENDEE of every session VEVENT (iTIP mail)


def session_uid(session_id: int, host: str, occurrence: datetime | None = None) -> str:
    """The UID of a session for its whole life: its id, never its slug, so a rename keeps it.

    One occurrence of a series given on its own (a registration for that date only) gets a UID of
    its own, derived from the start the rule gave it, which a later move does not change.
    """
    if occurrence is None:
        return f"session-{session_id}@{host}"
    return f"session-{session_id}-{occurrence.astimezone(UTC):%Y%m%dT%H%M%SZ}@{host}"


def call_uid(call_id: int, moment: str, host: str) -> str:
    """`moment` is "opens" or "closes"."""
    return f"call-{call_id}-{moment}@{host}"


def calendar_bytes(feed: CalendarFeed) -> bytes:
    """The feed as an iCalendar file; the same feed always gives the same bytes."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if feed.method:
        # An iTIP message is a scheduling request, not a calendar to subscribe to: no name,
        # no refresh interval, nothing that invites a client to import it as a calendar.
        calendar.add("method", feed.method)
    else:
        # `icalendar` types NAME and X- properties as unknown and would write them unescaped.
        calendar.add("name", Text(feed.name))
        calendar.add("x-wr-calname", Text(feed.name))
        calendar.add("description", Text(feed.description))
        calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH))
    events = [
        *(
            event
            for entry in feed.sessions
            for event in _session_events(entry, feed.organizer, feed.attendees)
        ),
        *(_moment_event(entry, feed.organizer) for entry in feed.moments),
    ]
    zones = sorted(
        {entry.rule.zone for entry in feed.sessions} | {entry.zone for entry in feed.moments}
    )
    if len(zones) == 1 and not feed.method:
        calendar.add("x-wr-timezone", Text(zones[0]))
    first, last = _span(feed)
    for zone in zones:
        if zone not in UTC_ZONES:
            calendar.add_component(vtimezone(zone, first, last))
    for event in events:
        calendar.add_component(event)
    return b"\r\n".join(folded(line) for line in calendar.content_lines() if line) + b"\r\n"


# Octets of content on each physical line: 75 with the leading space of a continuation.
FOLD_AT = 74


def escape_text(text: str) -> str:
    """RFC 5545 §3.3.11 TEXT escaping that every text survives unchanged once unescaped.

    The backslash is escaped first. icalendar 7.3's own escaping first turns a literal backslash
    followed by a capital N into a line break, so "C:\\Network" came out as "C:" and "etwork"
    on two lines in every calendar. Line breaks of any kind are written as "\\n".
    """
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


class Text(vText):
    """A TEXT value escaped by `escape_text`."""

    def to_ical(self) -> bytes:
        return escape_text(str(self)).encode()


class Categories(vCategory):
    """CATEGORIES, each name escaped by `escape_text`."""

    def to_ical(self) -> bytes:
        return b",".join(escape_text(str(name)).encode() for name in self.cats)


def folded(line: str) -> bytes:
    """A content line folded as RFC 5545 §3.1 asks, byte for byte as `icalendar` folds it.

    `icalendar` walks every character (a third of the time to build a 1,000-event feed,
    bench/feeds.py); this cuts the UTF-8 bytes in slices instead. Like it, each physical line
    holds as many whole characters as fit in 74 octets, and a cut never falls just after a
    backslash or a caret, so an escape is never split."""
    data = line.encode()
    segments, start = [], 0
    while len(data) - start > FOLD_AT:
        end = start + FOLD_AT
        while data[end] & 0xC0 == 0x80:  # inside a multi-byte character: cut before it
            end -= 1
        if end - start > 1 and data[end - 1] in b"\\^":
            end -= 1
        segments.append(data[start:end])
        start = end
    segments.append(data[start:])
    return b"\r\n ".join(segments)


def vtimezone(zone: str, first: date, last: date) -> Timezone:
    """A VTIMEZONE valid from `first` to `last`: one block per change of offset, no RDATE."""
    component = Timezone()
    component.add("tzid", zone)
    for kind, starts, name, offset_from, offset_to in _observances(zone, first, last):
        block = TimezoneDaylight() if kind == "DAYLIGHT" else TimezoneStandard()
        block.add("dtstart", starts)
        block.add("tzname", name)
        block.add("tzoffsetfrom", offset_from)
        block.add("tzoffsetto", offset_to)
        component.add_component(block)
    return component


Observance = tuple[str, datetime, str, timedelta, timedelta]
_SCAN = 6 * 3600  # seconds: no zone changes its offset twice within six hours


@lru_cache(maxsize=256)
def _observances(zone: str, first: date, last: date) -> tuple[Observance, ...]:
    """(kind, local onset, name, offset before, offset after) for the offset in force at `first`
    and each change up to `last`, from the zone database.

    The onset is the wall-clock time just before the change, in the old offset, as RFC 5545's
    examples write it (New York springs forward at 02:00, not 03:00): readers find the instant
    of the change at onset minus TZOFFSETFROM. (`Timezone.from_tzinfo` writes spring onsets in
    the new offset, an hour late by that reading, and groups changes into RDATE lists.)
    """
    tz = ZoneInfo(zone)

    def moment(seconds: int) -> datetime:
        return datetime.fromtimestamp(seconds, tz)

    def offset(seconds: int) -> timedelta:
        return moment(seconds).utcoffset() or timedelta()

    begin = int(datetime.combine(first, time(), tz).timestamp())
    end = int(datetime.combine(last, time(), tz).timestamp())
    found = [_observance(moment(begin), offset(begin))]
    for step in range(begin, end, _SCAN):
        low, high = step, min(step + _SCAN, end)
        if offset(low) == offset(high):
            continue
        while high - low > 1:  # the first second of the new offset
            middle = (low + high) // 2
            low, high = (middle, high) if offset(middle) == offset(low) else (low, middle)
        found.append(_observance(moment(high), offset(low)))
    return tuple(found)


def _observance(starts: datetime, before: timedelta) -> Observance:
    """The observance in force from the aware instant `starts`, which followed offset `before`."""
    onset = (starts.astimezone(UTC) + before).replace(tzinfo=None)
    kind = "DAYLIGHT" if starts.dst() else "STANDARD"
    return (kind, onset, starts.tzname() or "", before, starts.utcoffset() or timedelta())


def _span(feed: CalendarFeed) -> tuple[date, date]:
    """Whole years around every instant in the feed (at least a day's margin on each side)."""
    instants = [entry.at for entry in feed.moments]
    for entry in feed.sessions:
        for occurrence in _expanded(entry):
            instants += [occurrence.starts_at, occurrence.ends_at, occurrence.original_start]
    if not instants:
        return date(2000, 1, 1), date(2001, 1, 1)
    earliest = min(instants) - timedelta(days=1)
    latest = max(instants) + timedelta(days=1)
    return date(earliest.year, 1, 1), date(latest.year + 1, 1, 1)


def _expanded(entry: SessionEntry) -> list[Occurrence]:
    return occurrences(entry.rule, entry.changes)


def _local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(UTC if zone in UTC_ZONES else ZoneInfo(zone))


def _session_events(
    entry: SessionEntry, organizer: Organizer, attendees: tuple[Attendee, ...] = ()
) -> Iterator[Event]:
    found = _expanded(entry)
    if not found:
        return
    rule, zone = entry.rule, entry.rule.zone

    def event(starts: datetime, ends: datetime, cancelled: bool) -> Event:
        return _session_event(entry, organizer, attendees, starts, ends, cancelled)

    if rule.frequency == "none":
        (only,) = found
        yield event(only.starts_at, only.ends_at, only.cancelled)
        return
    if entry.instances:
        wanted = set(entry.instances)
        for occurrence in sorted(found, key=lambda o: o.original_start):
            if occurrence.original_start in wanted:
                instance = event(occurrence.starts_at, occurrence.ends_at, True)
                instance.add("recurrence-id", _local(occurrence.original_start, zone))
                yield instance
        return
    master = event(rule.starts_at, rule.ends_at, False)
    master.add("rrule", _rrule(rule, len(found)))
    for occurrence in sorted(found, key=lambda o: o.original_start):
        if occurrence.cancelled:
            master.add("exdate", _local(occurrence.original_start, zone))
    yield master
    for occurrence in sorted(found, key=lambda o: o.original_start):
        unchanged = (occurrence.original_start, occurrence.original_start + rule.duration)
        if occurrence.cancelled or (occurrence.starts_at, occurrence.ends_at) == unchanged:
            continue
        moved = event(occurrence.starts_at, occurrence.ends_at, False)
        moved.add("recurrence-id", _local(occurrence.original_start, zone))
        yield moved


def _rrule(rule: SeriesRule, count: int) -> dict[str, object]:
    # The same set of starts `events.recurrence.series_starts` gives the pages: UNTIL when the
    # series is bounded by a date alone and not capped, otherwise the COUNT it comes to.
    frequency = {"weekly": "WEEKLY", "monthly": "MONTHLY"}[rule.frequency]
    if rule.until is not None and rule.count is None and count < MAX_OCCURRENCES:
        return {"freq": frequency, "until": rule.until.astimezone(UTC)}
    return {"freq": frequency, "count": count}


def _session_event(
    entry: SessionEntry,
    organizer: Organizer,
    attendees: tuple[Attendee, ...],
    starts: datetime,
    ends: datetime,
    cancelled: bool,
) -> Event:
    event = _event(entry.uid, entry.title, entry.description, entry.url, entry.modified, organizer)
    for attendee in attendees:
        address = vCalAddress(f"mailto:{attendee.email}")
        address.params["CN"] = vText(attendee.name)
        address.params["CUTYPE"] = "INDIVIDUAL"
        address.params["ROLE"] = "REQ-PARTICIPANT"
        address.params["PARTSTAT"] = "ACCEPTED"  # registered: nothing to answer
        address.params["RSVP"] = "FALSE"
        event.add("attendee", address)
    event.add("sequence", entry.sequence)
    event.add("dtstart", _local(starts, entry.rule.zone))
    event.add("dtend", _local(ends, entry.rule.zone))
    if entry.location:
        event.add("location", Text(entry.location))
    if entry.categories:
        event.add("categories", Categories(list(entry.categories)))
    event.add("status", "CANCELLED" if entry.cancelled or cancelled else "CONFIRMED")
    return event


def _moment_event(entry: MomentEntry, organizer: Organizer) -> Event:
    event = _event(
        entry.uid, entry.summary, entry.description, entry.url, entry.modified, organizer
    )
    event.add("sequence", 0)
    # No DTEND: RFC 5545 §3.6.1 makes the event end when it starts, a moment in the calendar.
    event.add("dtstart", _local(entry.at, entry.zone))
    if entry.categories:
        event.add("categories", Categories(list(entry.categories)))
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event


def _event(
    uid: str, summary: str, description: str, url: str, modified: datetime, organizer: Organizer
) -> Event:
    event = Event()
    event.add("uid", uid)
    stamp = modified.astimezone(UTC).replace(microsecond=0)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("summary", Text(summary))
    event.add("description", Text(description))
    event.add("url", url)
    address = vCalAddress(f"mailto:{organizer.email}")
    address.params["CN"] = vText(organizer.name)
    event.add("organizer", address)
    return event
