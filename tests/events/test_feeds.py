"""Calendar feeds over HTTP, on SQLite and PostgreSQL: parsed with `icalendar`, recurrences
expanded with `recurring-ical-events`, times checked against the zone database across
daylight-saving changes.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
import recurring_ical_events
from icalendar import Calendar, Event
from starlette.applications import Starlette

from base.freshness import Freshness
from consult.calls.models import Call, CallState
from consult.responses.models import ResponseStatus
from core.clock import FixedClock
from events.feeds import FeedSource, Fingerprint
from events.models import (
    OccurrenceOverride,
    Recurrence,
    RegistrationStatus,
    Session,
    SessionStatus,
    Visibility,
    occurrence_key,
)
from events.tokens import calendar_token_for, rotate_calendar_token
from tests.conftest import START, TEST_SECRET
from tests.events.helpers import LONDON, NEW_YORK, at
from tests.factories import (
    make_call,
    make_person,
    make_registration,
    make_response,
    make_session,
    make_topic,
    weekly_session,
)

# The plain bytes: httpx asks for gzip unless told otherwise (compression has its own tests).
PLAIN = {"Accept-Encoding": "identity"}
HOST = "testserver"


async def get_calendar(client: httpx.AsyncClient, path: str) -> Calendar:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events_by_uid(calendar: Calendar) -> dict[str, list[Event]]:
    found: dict[str, list[Event]] = {}
    for event in calendar.walk("VEVENT"):
        found.setdefault(str(event["UID"]), []).append(event)
    return found


def expand(calendar: Calendar, uid: str, start: datetime, end: datetime) -> list[datetime]:
    """UTC starts of the occurrences of `uid` in [start, end), by recurring-ical-events."""
    return sorted(
        event["DTSTART"].dt.astimezone(UTC)
        for event in recurring_ical_events.of(calendar).between(start, end)
        if str(event["UID"]) == uid
    )


def uid(session: Session) -> str:
    return f"session-{session.id}@{HOST}"


# --- the calendar and its events --------------------------------------------------------------


async def test_all_feed_lists_public_sessions_and_call_dates(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    standards = await make_topic()
    workforce = await make_topic("workforce", "Workforce")
    session = await make_session(
        "metrology-roundtable",
        at(LONDON, 2026, 12, 8, 15),
        title="Metrology roundtable",
        description="How NIST and NPL compare qubit benchmarks.",
        topics=[workforce, standards],
        online_url="https://meet.example.org/secret-room",
    )
    call = await make_call(clock.now(), with_questions=False)
    await make_call(clock.now(), slug="draft-call", state=CallState.DRAFT, with_questions=False)

    response = await client.get("/calendar/all.ics")

    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'inline; filename="qist-consult.ics"'
    assert response.headers["cache-control"] == "public, max-age=300"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["PRODID"]) == "-//QIST Consult//Sessions and calls//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["NAME"]) == "QIST Consult: Sessions and calls"
    assert str(calendar["X-WR-CALNAME"]) == "QIST Consult: Sessions and calls"
    assert str(calendar["X-WR-TIMEZONE"]) == LONDON  # the session and the call share a zone
    assert "US–UK partnership" in str(calendar["DESCRIPTION"])
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.content
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in response.content
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [LONDON]

    events = events_by_uid(calendar)
    assert sorted(events) == sorted(
        [uid(session), f"call-{call.id}-opens@{HOST}", f"call-{call.id}-closes@{HOST}"]
    )
    (event,) = events[uid(session)]
    stamp = session.updated_at.astimezone(UTC).replace(microsecond=0)
    assert event["DTSTAMP"].dt == stamp
    assert event["LAST-MODIFIED"].dt == stamp
    assert event["SEQUENCE"] == 0
    assert str(event["SUMMARY"]) == "Metrology roundtable"
    assert str(event["DESCRIPTION"]) == (
        "How NIST and NPL compare qubit benchmarks.\n\n"
        "http://testserver/sessions/metrology-roundtable"
    )
    assert str(event["URL"]) == "http://testserver/sessions/metrology-roundtable"
    assert str(event["LOCATION"]) == "Online"
    assert b"secret-room" not in response.content  # the link is for registered people only
    assert str(event["ORGANIZER"]) == "mailto:no-reply@localhost"
    assert event["ORGANIZER"].params["CN"] == "QIST Consult"
    assert event.categories == ["Standards", "Workforce"]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["DTSTART"].params["TZID"] == LONDON
    assert event["DTSTART"].dt == datetime(2026, 12, 8, 15, tzinfo=ZoneInfo(LONDON))
    assert event["DTEND"].dt == datetime(2026, 12, 8, 16, 30, tzinfo=ZoneInfo(LONDON))

    (opens,) = events[f"call-{call.id}-opens@{HOST}"]
    (closes,) = events[f"call-{call.id}-closes@{HOST}"]
    assert str(opens["SUMMARY"]) == "Call opens: Where are quantum standards needed?"
    assert str(closes["SUMMARY"]) == "Call closes: Where are quantum standards needed?"
    assert opens["DTSTART"].dt.astimezone(UTC) == call.opens_at
    assert closes["DTSTART"].dt.astimezone(UTC) == call.closes_at
    assert closes["DTSTART"].params["TZID"] == LONDON
    assert closes["DTSTAMP"].dt == call.updated_at.astimezone(UTC).replace(microsecond=0)
    assert str(closes["URL"]) == "http://testserver/calls/quantum-standards"
    assert str(closes["TRANSP"]) == "TRANSPARENT"
    assert closes.categories == ["Standards"]


async def test_x_wr_timezone_only_when_every_event_shares_a_zone(
    client: httpx.AsyncClient,
) -> None:
    await make_session("in-london", at(LONDON, 2026, 12, 8, 15))
    await make_session("in-washington", at(NEW_YORK, 2026, 12, 8, 10), zone=NEW_YORK)

    calendar = await get_calendar(client, "/calendar/all.ics")

    assert "X-WR-TIMEZONE" not in calendar
    assert sorted(str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")) == [NEW_YORK, LONDON]


async def test_spring_series_keep_wall_clock_across_us_and_uk_changes(
    client: httpx.AsyncClient,
) -> None:
    london = await weekly_session("london-weekly", at(LONDON, 2027, 2, 23, 15), LONDON, 10)
    washington = await weekly_session(
        "washington-weekly", at(NEW_YORK, 2027, 2, 23, 10), NEW_YORK, 10
    )

    calendar = await get_calendar(client, "/calendar/all.ics")

    window = (datetime(2027, 2, 1, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC))
    london_starts = expand(calendar, uid(london), *window)
    washington_starts = expand(calendar, uid(washington), *window)
    weeks = [datetime(2027, 2, 23) + timedelta(weeks=n) for n in range(10)]
    assert london_starts == [at(LONDON, d.year, d.month, d.day, 15) for d in weeks]
    assert washington_starts == [at(NEW_YORK, d.year, d.month, d.day, 10) for d in weeks]
    assert {s.astimezone(ZoneInfo(LONDON)).time() for s in london_starts} == {time(15)}
    assert {s.astimezone(ZoneInfo(NEW_YORK)).time() for s in washington_starts} == {time(10)}
    # The instants move when the clocks do: New York on 14 March, London on 28 March.
    assert washington_starts[2:4] == [
        datetime(2027, 3, 9, 15, tzinfo=UTC),
        datetime(2027, 3, 16, 14, tzinfo=UTC),
    ]
    assert london_starts[4:6] == [
        datetime(2027, 3, 23, 15, tzinfo=UTC),
        datetime(2027, 3, 30, 14, tzinfo=UTC),
    ]
    (master,) = events_by_uid(calendar)[uid(london)]
    assert master["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=10"


async def test_autumn_series_keep_wall_clock_across_uk_and_us_changes(
    client: httpx.AsyncClient,
) -> None:
    london = await weekly_session("london-autumn", at(LONDON, 2026, 10, 13, 15), LONDON, 6)
    washington = await make_session(
        "washington-autumn",
        at(NEW_YORK, 2026, 10, 13, 10),
        zone=NEW_YORK,
        recurrence=Recurrence.WEEKLY,
        recurrence_until=at(NEW_YORK, 2026, 11, 17, 10),
    )

    calendar = await get_calendar(client, "/calendar/all.ics")

    window = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    london_starts = expand(calendar, uid(london), *window)
    washington_starts = expand(calendar, uid(washington), *window)
    assert [s.astimezone(ZoneInfo(LONDON)).strftime("%d %H:%M") for s in london_starts] == [
        "13 15:00",
        "20 15:00",
        "27 15:00",
        "03 15:00",
        "10 15:00",
        "17 15:00",
    ]
    assert [s.astimezone(ZoneInfo(NEW_YORK)).strftime("%d %H:%M") for s in washington_starts] == [
        "13 10:00",
        "20 10:00",
        "27 10:00",
        "03 10:00",
        "10 10:00",
        "17 10:00",
    ]
    # UK back to GMT on 25 October, US to EST on 1 November.
    assert london_starts[1:3] == [
        datetime(2026, 10, 20, 14, tzinfo=UTC),
        datetime(2026, 10, 27, 15, tzinfo=UTC),
    ]
    assert washington_starts[2:4] == [
        datetime(2026, 10, 27, 14, tzinfo=UTC),
        datetime(2026, 11, 3, 15, tzinfo=UTC),
    ]
    (master,) = events_by_uid(calendar)[uid(washington)]
    assert master["RRULE"].to_ical() == b"FREQ=WEEKLY;UNTIL=20261117T150000Z"


async def test_moved_occurrence_appears_once_and_cancelled_one_not_at_all(
    client: httpx.AsyncClient,
) -> None:
    series = await weekly_session("standards-weekly", at(LONDON, 2027, 3, 16, 15), LONDON, 4)
    await OccurrenceOverride.create(
        session=series, original_start=at(LONDON, 2027, 3, 23, 15), cancelled=True
    )
    await OccurrenceOverride.create(
        session=series,
        original_start=at(LONDON, 2027, 3, 30, 15),
        starts_at=at(LONDON, 2027, 3, 31, 11),
        ends_at=at(LONDON, 2027, 3, 31, 12),
    )

    calendar = await get_calendar(client, "/calendar/all.ics")

    window = (datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 5, 1, tzinfo=UTC))
    assert expand(calendar, uid(series), *window) == [
        at(LONDON, 2027, 3, 16, 15),
        at(LONDON, 2027, 3, 31, 11),
        at(LONDON, 2027, 4, 6, 15),
    ]
    master, moved = events_by_uid(calendar)[uid(series)]
    assert [e.dt for e in master["EXDATE"].dts] == [
        datetime(2027, 3, 23, 15, tzinfo=ZoneInfo(LONDON))
    ]
    assert moved["RECURRENCE-ID"].dt == datetime(2027, 3, 30, 15, tzinfo=ZoneInfo(LONDON))
    assert moved["RECURRENCE-ID"].params["TZID"] == LONDON
    assert moved["SEQUENCE"] == master["SEQUENCE"]


async def test_sequence_rises_and_etag_changes_after_an_edit(client: httpx.AsyncClient) -> None:
    session = await make_session("supply-chain-briefing", at(LONDON, 2026, 12, 8, 15))
    first = await client.get("/sessions/supply-chain-briefing.ics")
    again = await client.get("/sessions/supply-chain-briefing.ics")
    assert first.content == again.content
    assert first.headers["etag"] == again.headers["etag"]

    session.starts_at = at(LONDON, 2026, 12, 8, 16)
    session.ends_at = at(LONDON, 2026, 12, 8, 17)
    session.location = "British Embassy, Washington"
    session.sequence += 1  # as the organiser service does on every change of time or place
    await session.save()
    edited = await client.get("/sessions/supply-chain-briefing.ics")

    assert edited.headers["etag"] != first.headers["etag"]
    (before,) = Calendar.from_ical(first.content).walk("VEVENT")
    (after,) = Calendar.from_ical(edited.content).walk("VEVENT")
    assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 1)
    assert after["UID"] == before["UID"] == uid(session)
    assert after["DTSTART"].dt == datetime(2026, 12, 8, 16, tzinfo=ZoneInfo(LONDON))
    assert str(after["LOCATION"]) == "British Embassy, Washington"


async def test_renaming_a_slug_keeps_the_uid(client: httpx.AsyncClient) -> None:
    session = await make_session("old-name", at(LONDON, 2026, 12, 8, 15))
    session.slug = "new-name"
    await session.save()

    calendar = await get_calendar(client, "/sessions/new-name.ics")

    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [f"session-{session.id}@{HOST}"]
    assert (await client.get("/sessions/old-name.ics")).status_code == 404


async def test_session_file_is_served_before_the_session_page(client: httpx.AsyncClient) -> None:
    await make_session("quantum-networks", at(LONDON, 2026, 12, 8, 15))

    response = await client.get("/sessions/quantum-networks.ics")

    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'inline; filename="quantum-networks.ics"'
    assert str(Calendar.from_ical(response.content)["NAME"]) == "QIST Consult: Quantum networks"


# --- HTTP caching -----------------------------------------------------------------------------


async def test_conditional_requests_answer_304_without_a_body(client: httpx.AsyncClient) -> None:
    await make_session("standards-roundtable", at(LONDON, 2026, 12, 8, 15))
    full = await client.get("/calendar/all.ics", headers=PLAIN)
    etag, modified = full.headers["etag"], full.headers["last-modified"]
    assert etag.startswith('"') and len(etag) == 66
    other = '"' + "0" * 64 + '"'

    for headers in (
        {"If-None-Match": etag},
        {"If-None-Match": f"{other}, {etag}"},
        {"If-None-Match": "*"},
        {"If-None-Match": f"W/{etag}"},
        {"If-Modified-Since": modified},
        {"If-Modified-Since": format_datetime(datetime(2100, 1, 1, tzinfo=UTC), usegmt=True)},
    ):
        response = await client.get("/calendar/all.ics", headers={**PLAIN, **headers})
        assert response.status_code == 304, headers
        assert response.content == b""
        assert response.headers["etag"] == etag
        assert response.headers["last-modified"] == modified

    earlier = parsedate_to_datetime(modified) - timedelta(seconds=1)
    for headers in (
        {"If-None-Match": other},
        {"If-Modified-Since": format_datetime(earlier, usegmt=True)},
        # If-None-Match decides when present, even if If-Modified-Since alone would say 304.
        {"If-None-Match": other, "If-Modified-Since": modified},
        {"If-Modified-Since": "not a date"},
    ):
        response = await client.get("/calendar/all.ics", headers={**PLAIN, **headers})
        assert response.status_code == 200, headers
        assert response.content == full.content


async def test_last_modified_is_the_newest_change(client: httpx.AsyncClient) -> None:
    session = await make_session("standards-roundtable", at(LONDON, 2026, 12, 8, 15))
    topic = await make_topic()

    response = await client.get("/calendar/all.ics")

    newest = max(session.updated_at, topic.updated_at).replace(microsecond=0)
    assert parsedate_to_datetime(response.headers["last-modified"]) == newest


async def test_a_cached_feed_costs_one_query(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    topic = await make_topic()
    await make_session("standards-roundtable", at(LONDON, 2026, 12, 8, 15), topics=[topic])
    first = await client.get("/calendar/topics/standards.ics")

    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        again = await client.get("/calendar/topics/standards.ics")

    queries = [r for r in caplog.records if r.name == "tortoise.db_client"]
    assert len(queries) == 1, [r.getMessage() for r in queries]
    assert again.content == first.content


@pytest.mark.parametrize("sessions", [1, 6])
async def test_gathering_a_feed_takes_the_same_few_queries_however_many_sessions(
    client: httpx.AsyncClient, clock: FixedClock, caplog: pytest.LogCaptureFixture, sessions: int
) -> None:
    standards = await make_topic()
    workforce = await make_topic("workforce", "Workforce")
    for n in range(sessions):
        series = await weekly_session(
            f"series-{n}", at(LONDON, 2027, 3, 16 + n, 15), LONDON, 4, topics=[standards, workforce]
        )
        await OccurrenceOverride.create(
            session=series, original_start=series.starts_at + timedelta(weeks=1), cancelled=True
        )
        await make_call(clock.now(), slug=f"call-{n}", with_questions=False)
    person = await make_person("grace@example.org", "Grace Hopper", verified_at=START)
    token = await calendar_token_for(TEST_SECRET, person)
    for session in await Session.all():
        await make_registration(person, session)
    for call in await Call.all():
        await make_response(call, person)

    counts, events = {}, {}
    for feed, path in [
        ("all", "/calendar/all.ics"),
        ("topic", "/calendar/topics/standards.ics"),
        ("personal", f"/calendar/me/{token}.ics"),
    ]:
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
            response = await client.get(path)
        counts[feed] = len([r for r in caplog.records if r.name == "tortoise.db_client"])
        events[feed] = len(Calendar.from_ical(response.content).walk("VEVENT"))

    # Each series, and each call's opening and closing (only its closing for a draft).
    assert events == {"all": 3 * sessions, "topic": 3 * sessions, "personal": 2 * sessions}
    # Fingerprint, sessions, their topics (two: the link table, then the topics), their overrides,
    # calls; the topic feed also reads its topic, the personal one the token and registrations.
    assert counts == {"all": 6, "topic": 7, "personal": 8}


async def test_override_added_without_saving_the_session_changes_the_feed(
    client: httpx.AsyncClient,
) -> None:
    series = await weekly_session("standards-weekly", at(LONDON, 2027, 3, 16, 15), LONDON, 4)
    before = await client.get("/calendar/all.ics")

    await OccurrenceOverride.create(
        session=series, original_start=at(LONDON, 2027, 3, 23, 15), cancelled=True
    )
    after = await client.get("/calendar/all.ics")

    assert after.headers["etag"] != before.headers["etag"]
    assert b"EXDATE;TZID=Europe/London:20270323T150000" in after.content


async def test_renaming_a_topic_changes_the_categories(client: httpx.AsyncClient) -> None:
    topic = await make_topic()
    await make_session("standards-roundtable", at(LONDON, 2026, 12, 8, 15), topics=[topic])
    await client.get("/calendar/all.ics")

    topic.name = "Standards and metrology"
    await topic.save()
    calendar = await get_calendar(client, "/calendar/all.ics")

    (event,) = calendar.walk("VEVENT")
    assert event.categories == ["Standards and metrology"]


# --- what each feed holds ---------------------------------------------------------------------


async def test_topic_feed_holds_its_sessions_and_calls(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    standards = await make_topic()
    workforce = await make_topic("workforce", "Workforce")
    mine = await make_session("standards-one", at(LONDON, 2026, 12, 8, 15), topics=[standards])
    await make_session("workforce-one", at(LONDON, 2026, 12, 9, 15), topics=[workforce])
    call = await make_call(clock.now(), with_questions=False)  # on Standards
    other = await make_call(clock.now(), slug="skills", with_questions=False)
    await Call.filter(id=other.id).update(topic_id=workforce.id)

    response = await client.get("/calendar/topics/standards.ics")

    assert response.headers["content-disposition"] == (
        'inline; filename="qist-consult-standards.ics"'
    )
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["NAME"]) == "QIST Consult: Standards"
    assert str(calendar["X-WR-CALNAME"]) == "QIST Consult: Standards"
    assert sorted(events_by_uid(calendar)) == sorted(
        [uid(mine), f"call-{call.id}-opens@{HOST}", f"call-{call.id}-closes@{HOST}"]
    )


async def test_unknown_topic_session_and_token_are_404(client: httpx.AsyncClient) -> None:
    person = await make_person("grace@example.org", "Grace Hopper", verified_at=START)
    old_token = await calendar_token_for(TEST_SECRET, person)
    new_token = await rotate_calendar_token(TEST_SECRET, person, now=datetime.now(UTC))

    assert (await client.get("/calendar/topics/no-such-topic.ics")).status_code == 404
    assert (await client.get("/sessions/no-such-session.ics")).status_code == 404
    assert (await client.get("/calendar/me/not-a-token.ics")).status_code == 404
    assert (await client.get(f"/calendar/me/{old_token}.ics")).status_code == 404
    assert (await client.get(f"/calendar/me/{new_token}.ics")).status_code == 200


async def test_invitation_only_sessions_stay_out_of_public_feeds(
    client: httpx.AsyncClient,
) -> None:
    topic = await make_topic()
    await make_session(
        "closed-door-dialogue",
        at(LONDON, 2026, 12, 8, 15),
        topics=[topic],
        visibility=Visibility.INVITATION,
        title="Closed-door dialogue",
    )

    for path in ("/calendar/all.ics", "/calendar/topics/standards.ics"):
        response = await client.get(path)
        assert response.status_code == 200
        assert b"Closed-door dialogue" not in response.content
        assert Calendar.from_ical(response.content).walk("VEVENT") == []
    assert (await client.get("/sessions/closed-door-dialogue.ics")).status_code == 404


async def test_cancelled_session_stays_30_days_then_leaves(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    session = await make_session("cancelled-workshop", at(LONDON, 2026, 12, 8, 15))
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = clock.now()
    session.sequence += 1
    await session.save()

    calendar = await get_calendar(client, "/calendar/all.ics")
    (event,) = calendar.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1

    clock.advance(days=29, hours=23)
    kept = await client.get("/calendar/all.ics")
    assert len(Calendar.from_ical(kept.content).walk("VEVENT")) == 1

    clock.advance(hours=2)
    gone = await client.get("/calendar/all.ics")
    assert Calendar.from_ical(gone.content).walk("VEVENT") == []
    assert gone.headers["etag"] != kept.headers["etag"]
    # A client holding the old feed must not be told it is current.
    expired = session.cancelled_at + timedelta(days=30)
    assert parsedate_to_datetime(gone.headers["last-modified"]) == max(
        session.updated_at, expired
    ).replace(microsecond=0)
    stale = await client.get(
        "/calendar/all.ics", headers={"If-Modified-Since": kept.headers["last-modified"]}
    )
    assert stale.status_code == 200
    # The session's own file still says it is cancelled.
    single = await get_calendar(client, "/sessions/cancelled-workshop.ics")
    assert [str(e["STATUS"]) for e in single.walk("VEVENT")] == ["CANCELLED"]


async def test_personal_feed_holds_registrations_and_draft_deadlines(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    person = await make_person("grace@example.org", "Grace Hopper", verified_at=START)
    token = await calendar_token_for(TEST_SECRET, person)
    series = await weekly_session(
        "standards-weekly",
        at(LONDON, 2026, 12, 1, 15),
        LONDON,
        6,
        online_url="https://meet.example.org/standards",
    )
    other_series = await weekly_session("supply-weekly", at(NEW_YORK, 2026, 12, 2, 10), NEW_YORK, 6)
    private = await make_session(
        "closed-door-dialogue", at(LONDON, 2026, 12, 9, 15), visibility=Visibility.INVITATION
    )
    waitlisted = await make_session("full-workshop", at(LONDON, 2026, 12, 10, 15))
    dropped = await make_session("dropped-briefing", at(LONDON, 2026, 12, 11, 15))
    one_date = at(NEW_YORK, 2026, 12, 16, 10)
    for session, key, status in [
        (series, "", RegistrationStatus.REGISTERED),
        (other_series, occurrence_key(one_date), RegistrationStatus.REGISTERED),
        (private, "", RegistrationStatus.REGISTERED),
        (waitlisted, "", RegistrationStatus.WAITLISTED),
        (dropped, "", RegistrationStatus.CANCELLED),
    ]:
        await make_registration(person, session, occurrence_key=key, status=status)
    draft_call = await make_call(clock.now(), with_questions=False)
    submitted_call = await make_call(clock.now(), slug="submitted-call", with_questions=False)
    closed_call = await make_call(
        clock.now(),
        slug="closed-call",
        opens_in=timedelta(days=-20),
        closes_in=timedelta(days=-2),
        with_questions=False,
    )
    await make_response(draft_call, person)
    await make_response(closed_call, person)
    await make_response(submitted_call, person, status=ResponseStatus.SUBMITTED)

    response = await client.get(f"/calendar/me/{token}.ics")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, max-age=300"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["NAME"]) == "QIST Consult: My sessions and deadlines"
    events = events_by_uid(calendar)
    single_uid = f"session-{other_series.id}-20261216T150000Z@{HOST}"
    assert sorted(events) == sorted(
        [uid(series), single_uid, uid(private), f"call-{draft_call.id}-closes@{HOST}"]
    )
    (whole,) = events[uid(series)]
    assert "RRULE" in whole
    assert "Join online: https://meet.example.org/standards" in str(whole["DESCRIPTION"])
    (single,) = events[single_uid]
    assert "RRULE" not in single
    assert single["DTSTART"].dt == datetime(2026, 12, 16, 10, tzinfo=ZoneInfo(NEW_YORK))
    (deadline,) = events[f"call-{draft_call.id}-closes@{HOST}"]
    assert str(deadline["SUMMARY"]) == "Call closes: Where are quantum standards needed?"
    assert deadline["DTSTART"].dt.astimezone(UTC) == draft_call.closes_at
    assert "http://testserver/calls/quantum-standards/respond" in str(deadline["DESCRIPTION"])
    # The public feed never carries the online link.
    assert b"meet.example.org" not in (await client.get("/calendar/all.ics")).content


async def test_personal_feed_follows_submission_and_the_deadline(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    person = await make_person("grace@example.org", "Grace Hopper", verified_at=START)
    token = await calendar_token_for(TEST_SECRET, person)
    first_call = await make_call(clock.now(), closes_in=timedelta(days=3), with_questions=False)
    second_call = await make_call(
        clock.now(), slug="second-call", closes_in=timedelta(days=10), with_questions=False
    )
    first = await make_response(first_call, person)
    await make_response(second_call, person)

    def deadlines(calendar: Calendar) -> list[str]:
        return sorted(str(e["UID"]) for e in calendar.walk("VEVENT"))

    path = f"/calendar/me/{token}.ics"
    assert deadlines(await get_calendar(client, path)) == sorted(
        [f"call-{first_call.id}-closes@{HOST}", f"call-{second_call.id}-closes@{HOST}"]
    )

    first.status = ResponseStatus.SUBMITTED
    await first.save()
    assert deadlines(await get_calendar(client, path)) == [f"call-{second_call.id}-closes@{HOST}"]

    clock.advance(days=11)  # the second call has closed: its deadline leaves too
    assert deadlines(await get_calendar(client, path)) == []


async def test_a_person_registered_for_nothing_gets_an_empty_calendar(
    client: httpx.AsyncClient,
) -> None:
    person = await make_person("grace@example.org", "Grace Hopper", verified_at=START)
    token = await calendar_token_for(TEST_SECRET, person)

    calendar = await get_calendar(client, f"/calendar/me/{token}.ics")

    assert calendar.walk("VEVENT") == []
    assert "X-WR-TIMEZONE" not in calendar


async def test_public_figures_are_kept_for_the_freshness_window_and_then_asked_again() -> None:
    moment = [100.0]
    loads: list[str] = []
    memo = Freshness(5, clock=lambda: moment[0])

    def loader(name: str, fingerprint: str) -> Callable[[], Awaitable[FeedSource | None]]:
        async def load() -> FeedSource | None:
            loads.append(name)
            return FeedSource("topic", 1, Fingerprint((fingerprint,), None)) if name else None

        return load

    first = await memo.get("standards", loader("standards", "v1"))
    moment[0] += 4.9
    kept = await memo.get("standards", loader("standards", "v2"))
    moment[0] += 0.2
    asked = await memo.get("standards", loader("standards", "v2"))
    assert [s.fingerprint.key for s in (first, kept, asked) if s] == [("v1",), ("v1",), ("v2",)]
    assert loads == ["standards", "standards"]

    assert await memo.get("nonsense", loader("", "")) is None
    assert await memo.get("nonsense", loader("", "")) is None
    assert loads.count("") == 2  # unknown names are asked about every time, never kept

    always = Freshness(0, clock=lambda: moment[0])
    await always.get("standards", loader("standards", "v3"))
    await always.get("standards", loader("standards", "v3"))
    assert loads.count("standards") == 4


async def test_a_feed_is_gzipped_for_clients_that_ask_with_its_own_etag_and_the_same_content(
    client: httpx.AsyncClient,
) -> None:
    for n in range(12):  # enough events for the feed to be worth compressing
        await make_session(f"roundtable-{n}", at(LONDON, 2026, 12, 8 + n, 15))
    plain = await client.get("/calendar/all.ics", headers=PLAIN)
    raw = await client.send(
        client.build_request("GET", "/calendar/all.ics", headers={"Accept-Encoding": "gzip"}),
        stream=True,
    )
    compressed = b"".join([chunk async for chunk in raw.aiter_raw()])
    await raw.aclose()

    assert plain.headers["vary"] == raw.headers["vary"] == "Accept-Encoding"
    assert "content-encoding" not in plain.headers
    assert raw.headers["content-encoding"] == "gzip"
    assert gzip.decompress(compressed) == plain.content
    assert len(compressed) < len(plain.content) / 3
    assert int(raw.headers["content-length"]) == len(compressed)
    assert raw.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    # Either tag names the same content: a 304 whichever the client kept, with the tag of what
    # it would get now.
    for kept in (plain.headers["etag"], raw.headers["etag"]):
        again = await client.get(
            "/calendar/all.ics", headers={"Accept-Encoding": "gzip", "If-None-Match": kept}
        )
        assert (again.status_code, again.content) == (304, b"")
        assert again.headers["etag"] == raw.headers["etag"]
    refused = await client.get("/calendar/all.ics", headers={"Accept-Encoding": "gzip;q=0, br"})
    assert "content-encoding" not in refused.headers
    assert refused.headers["etag"] == plain.headers["etag"]


async def test_the_gzipped_bytes_are_the_same_on_every_request_and_every_render(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    for n in range(12):
        await make_session(f"roundtable-{n}", at(LONDON, 2026, 12, 8 + n, 15))

    async def gzipped() -> bytes:
        response = await client.send(
            client.build_request("GET", "/calendar/all.ics", headers={"Accept-Encoding": "gzip"}),
            stream=True,
        )
        body = b"".join([chunk async for chunk in response.aiter_raw()])
        await response.aclose()
        return body

    first = await gzipped()
    cached = await gzipped()
    app.state.calendar_cache._entries.clear()  # rendered and compressed afresh
    rendered_again = await gzipped()

    assert first == cached == rendered_again  # no time stamp in the gzip header: one ETag
