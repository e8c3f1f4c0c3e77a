"""`events.ical`: plain data in, iCalendar bytes out. No database, no clock."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event
from icalendar.parser import Contentline

from events.ical import (
    CalendarFeed,
    MomentEntry,
    Organizer,
    SessionEntry,
    calendar_bytes,
    call_uid,
    folded,
    session_uid,
    vtimezone,
)
from events.recurrence import Change
from tests.events.helpers import LONDON, MODIFIED, NEW_YORK, at, session

HOSTILE = (
    'Quantum, standards; "metrology" \\ back\\slash\nsecond line — café, naïve, Zoë, '
    "東京 🎉🔬 and a line long enough that it must be folded at seventy-five octets"
)


def unescape_text(raw: str) -> str:
    """RFC 5545 §3.3.11 TEXT, unescaped."""
    return re.sub(r"\\([\\,;nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), raw)


def feed(*sessions: SessionEntry, moments: tuple[MomentEntry, ...] = ()) -> CalendarFeed:
    return CalendarFeed(
        name="QIST Consult: Standards",
        description="Sessions and calls on Standards.",
        organizer=Organizer("no-reply@consult.example.gov"),
        sessions=sessions,
        moments=moments,
    )


def parsed(calendar_feed: CalendarFeed) -> Calendar:
    return Calendar.from_ical(calendar_bytes(calendar_feed))


def vevents(calendar_feed: CalendarFeed) -> list[Event]:
    return list(parsed(calendar_feed).walk("VEVENT"))


def test_hostile_text_round_trips_exactly() -> None:
    entry = session(
        title=HOSTILE, description=HOSTILE, location=HOSTILE, categories=(HOSTILE, "Zoë; x")
    )
    organizer = Organizer("no-reply@example.org", "Zoë's office; Café, Ltd")
    data = calendar_bytes(CalendarFeed(HOSTILE, HOSTILE, organizer, (entry,)))

    calendar = Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    # `icalendar` parses NAME and X- properties without unescaping them: decode them as TEXT.
    assert unescape_text(str(calendar["NAME"])) == HOSTILE
    assert unescape_text(str(calendar["X-WR-CALNAME"])) == HOSTILE
    assert str(calendar["DESCRIPTION"]) == HOSTILE
    assert str(event["SUMMARY"]) == HOSTILE
    assert str(event["DESCRIPTION"]) == HOSTILE
    assert str(event["LOCATION"]) == HOSTILE
    assert event.categories == [HOSTILE, "Zoë; x"]
    assert event["ORGANIZER"].params["CN"] == "Zoë's office; Café, Ltd"
    # Folded at 75 octets without splitting a character, escaped as RFC 5545 §3.3.11 says.
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert all(line.decode("utf-8") for line in lines if line)
    assert b'SUMMARY:Quantum\\, standards\\; "metrology" \\\\ back\\\\slash\\nsecond' in data


def test_single_session_has_every_property() -> None:
    (event,) = vevents(feed(session()))

    assert str(event["UID"]) == "session-7@consult.example.gov"
    assert event["DTSTAMP"].dt == datetime(2026, 11, 20, 9, 30, 15, tzinfo=UTC)
    assert event["LAST-MODIFIED"].dt == datetime(2026, 11, 20, 9, 30, 15, tzinfo=UTC)
    assert event["SEQUENCE"] == 3
    assert str(event["SUMMARY"]) == "Standards roundtable"
    assert str(event["URL"]) == "https://consult.example.gov/sessions/s"
    assert str(event["LOCATION"]) == "Online"
    assert str(event["ORGANIZER"]) == "mailto:no-reply@consult.example.gov"
    assert event["ORGANIZER"].params["CN"] == "QIST Consult"
    assert event.categories == ["Standards"]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["DTSTART"].params["TZID"] == LONDON
    assert event["DTSTART"].dt == datetime(2027, 3, 16, 15, tzinfo=ZoneInfo(LONDON))
    assert event["DTEND"].dt == datetime(2027, 3, 16, 16, 30, tzinfo=ZoneInfo(LONDON))
    assert "RRULE" not in event


def test_calendar_properties() -> None:
    data = calendar_bytes(feed(session()))
    calendar = Calendar.from_ical(data)

    assert str(calendar["PRODID"]) == "-//QIST Consult//Sessions and calls//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["NAME"]) == "QIST Consult: Standards"
    assert str(calendar["X-WR-CALNAME"]) == "QIST Consult: Standards"
    assert str(calendar["X-WR-TIMEZONE"]) == LONDON
    assert str(calendar["DESCRIPTION"]) == "Sessions and calls on Standards."
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in data
    assert "METHOD" not in calendar


def test_series_writes_rrule_exdate_and_recurrence_id() -> None:
    entry = session(
        frequency="weekly",
        count=6,
        changes=(
            Change(at(LONDON, 2027, 3, 23, 15), cancelled=True),
            Change(
                at(LONDON, 2027, 3, 30, 15),
                starts_at=at(LONDON, 2027, 3, 31, 11),
                ends_at=at(LONDON, 2027, 3, 31, 12),
            ),
            Change(at(LONDON, 2027, 4, 13, 15), cancelled=True),
            Change(at(LONDON, 2027, 4, 14, 15), cancelled=True),  # not a start the rule gives
        ),
    )

    data = calendar_bytes(feed(entry))
    master, moved = Calendar.from_ical(data).walk("VEVENT")

    assert b"RRULE:FREQ=WEEKLY;COUNT=6\r\n" in data
    assert b"EXDATE;TZID=Europe/London:20270323T150000\r\n" in data
    assert b"EXDATE;TZID=Europe/London:20270413T150000\r\n" in data
    assert data.count(b"EXDATE") == 2
    assert "RECURRENCE-ID" not in master
    assert master["DTSTART"].dt == datetime(2027, 3, 16, 15, tzinfo=ZoneInfo(LONDON))
    assert b"RECURRENCE-ID;TZID=Europe/London:20270330T150000\r\n" in data
    assert moved["UID"] == master["UID"]
    assert moved["SEQUENCE"] == master["SEQUENCE"] == 3
    assert moved["DTSTART"].dt == datetime(2027, 3, 31, 11, tzinfo=ZoneInfo(LONDON))
    assert moved["DTEND"].dt == datetime(2027, 3, 31, 12, tzinfo=ZoneInfo(LONDON))
    assert moved["DTSTART"].params["TZID"] == LONDON
    assert "RRULE" not in moved


def test_until_is_written_in_utc_and_monthly_works() -> None:
    entry = session(
        starts=at(NEW_YORK, 2027, 1, 15, 10),
        zone=NEW_YORK,
        frequency="monthly",
        until=at(NEW_YORK, 2027, 6, 15, 10),
    )

    data = calendar_bytes(feed(entry))

    assert b"RRULE:FREQ=MONTHLY;UNTIL=20270615T140000Z\r\n" in data
    assert b"DTSTART;TZID=America/New_York:20270115T100000\r\n" in data


def test_an_endless_series_is_capped_like_the_pages() -> None:
    entry = session(frequency="weekly", until=at(LONDON, 2045, 1, 1, 0))

    data = calendar_bytes(feed(entry))

    assert b"RRULE:FREQ=WEEKLY;COUNT=520\r\n" in data


def test_cancelled_series_is_cancelled_in_every_vevent() -> None:
    entry = session(
        frequency="weekly",
        count=3,
        cancelled=True,
        changes=(Change(at(LONDON, 2027, 3, 23, 15), starts_at=at(LONDON, 2027, 3, 24, 15)),),
    )

    assert [str(e["STATUS"]) for e in vevents(feed(entry))] == ["CANCELLED", "CANCELLED"]


def test_call_dates_are_moments_that_keep_time_free() -> None:
    closes = MomentEntry(
        uid=call_uid(4, "closes", "consult.example.gov"),
        summary="Call closes: Where are standards needed?",
        description="Tell us.\n\nhttps://consult.example.gov/calls/c",
        url="https://consult.example.gov/calls/c",
        at=at(LONDON, 2027, 1, 31, 23, 59),
        zone=LONDON,
        modified=MODIFIED,
        categories=("Standards",),
    )

    (event,) = vevents(feed(moments=(closes,)))

    assert str(event["UID"]) == "call-4-closes@consult.example.gov"
    assert event["DTSTART"].dt == datetime(2027, 1, 31, 23, 59, tzinfo=ZoneInfo(LONDON))
    assert "DTEND" not in event
    assert "DURATION" not in event
    assert str(event["TRANSP"]) == "TRANSPARENT"
    assert event["DTSTAMP"].dt == datetime(2026, 11, 20, 9, 30, 15, tzinfo=UTC)


def test_uids_use_the_id_and_an_occurrence_its_original_start() -> None:
    assert session_uid(12, "consult.example.gov") == "session-12@consult.example.gov"
    assert (
        session_uid(12, "consult.example.gov", at(NEW_YORK, 2026, 12, 16, 10))
        == "session-12-20261216T150000Z@consult.example.gov"
    )
    assert call_uid(3, "opens", "h") == "call-3-opens@h"


def test_every_tzid_has_a_vtimezone_without_rdate_lists() -> None:
    london = session(frequency="weekly", count=60, starts=at(LONDON, 2026, 7, 7, 15))
    washington = session(
        uid=session_uid(8, "h"),
        zone=NEW_YORK,
        starts=at(NEW_YORK, 2027, 2, 23, 10),
        frequency="weekly",
        count=10,
        changes=(Change(at(NEW_YORK, 2027, 3, 2, 10), cancelled=True),),
    )
    tokyo = MomentEntry(
        uid="call-1-closes@h",
        summary="Call closes: x",
        description="",
        url="https://h/calls/x",
        at=datetime(2028, 5, 1, 3, tzinfo=UTC),
        zone="Asia/Tokyo",
        modified=MODIFIED,
    )

    data = calendar_bytes(feed(london, washington, moments=(tokyo,)))
    calendar = Calendar.from_ical(data)

    used = {
        prop.params["TZID"]
        for event in calendar.walk("VEVENT")
        for name in ("DTSTART", "DTEND", "RECURRENCE-ID")
        if (prop := event.get(name)) is not None
    } | {exdate.params["TZID"] for exdate in [calendar.walk("VEVENT")[1]["EXDATE"]]}
    zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    assert used == zones == {LONDON, NEW_YORK, "Asia/Tokyo"}
    assert "X-WR-TIMEZONE" not in calendar
    assert b"RDATE" not in data
    # Bounded to whole years around the events (July 2026 to May 2028), not 1970-2038.
    starts = sorted(sub["DTSTART"].dt for sub in calendar.walk() if sub.name == "STANDARD")
    assert starts[0] == datetime(2026, 1, 1)
    assert max(sub["DTSTART"].dt for sub in calendar.walk("DAYLIGHT")) < datetime(2029, 1, 1)


def test_vtimezone_offsets_are_the_zone_databases() -> None:
    for zone in (LONDON, NEW_YORK):
        component = vtimezone(zone, date(2025, 1, 1), date(2029, 1, 1))
        blocks = [sub for sub in component.walk() if sub.name in ("STANDARD", "DAYLIGHT")]
        assert [b["DTSTART"].dt for b in blocks] == sorted(b["DTSTART"].dt for b in blocks)
        assert len(blocks) == 1 + 2 * 4  # the start, then two changes a year
        for block in blocks[1:]:
            local = block["DTSTART"].dt  # wall-clock time of the change, in the old offset
            instant = (local - block["TZOFFSETFROM"].td).replace(tzinfo=UTC)
            after = (instant + timedelta(minutes=1)).astimezone(ZoneInfo(zone))
            before = (instant - timedelta(minutes=1)).astimezone(ZoneInfo(zone))
            assert after.utcoffset() == block["TZOFFSETTO"].td
            assert before.utcoffset() == block["TZOFFSETFROM"].td
            assert (block.name == "DAYLIGHT") == bool(after.dst())


def test_same_feed_gives_the_same_bytes() -> None:
    def build() -> bytes:
        entry = session(
            frequency="weekly",
            count=8,
            changes=(Change(at(LONDON, 2027, 3, 23, 15), cancelled=True),),
        )
        return calendar_bytes(feed(entry, session(uid="session-9@h", zone=NEW_YORK)))

    assert build() == build()


def test_utc_sessions_are_written_in_utc() -> None:
    data = calendar_bytes(feed(session(zone="UTC", starts=datetime(2027, 3, 16, 15, tzinfo=UTC))))

    assert b"DTSTART:20270316T150000Z\r\n" in data
    assert b"VTIMEZONE" not in data


def test_itip_method_for_mail() -> None:
    invitation = CalendarFeed(
        "QIST Consult", "Invitation", Organizer("no-reply@h"), (session(),), method="REQUEST"
    )

    assert str(Calendar.from_ical(calendar_bytes(invitation))["METHOD"]) == "REQUEST"


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab\\^;,:= "), max_size=400)
    | st.text(max_size=300)
    | st.builds(lambda n, c: c * n, st.integers(60, 240), st.sampled_from(["\\", "^", "x", "é"]))
)
def test_lines_are_folded_byte_for_byte_as_icalendar_folds_them(line: str) -> None:
    line = line.replace("\r", "").replace("\n", "")
    assert folded(line) == Contentline(line).to_ical()
