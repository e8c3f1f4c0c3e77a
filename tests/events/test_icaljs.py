"""Every feed read by an independent client parser: Mozilla's ical.js, the one Thunderbird uses.

`tests/events/icaljs/expand.mjs` expands a feed with ical.js alone (its VTIMEZONE handling, its
recurrence iterator, EXDATE and RECURRENCE-ID). Python expands the same bytes with `icalendar`,
`recurring-ical-events` and zoneinfo. Every occurrence must agree to the second, across the US and
UK daylight-saving changes of autumn 2026 and spring 2027, including times in the hour after a
change, where a VTIMEZONE whose onsets are written wrongly is an hour out.

ical.js comes from npm (`tests/events/icaljs/package-lock.json`); `make test` installs it. Without
node or ical.js these tests skip and say so at the end of the run, except with CI=true, where they
fail.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import recurring_ical_events
from icalendar import Calendar

from consult.calls.models import Call
from core.clock import FixedClock
from events.models import OccurrenceOverride, Session, occurrence_key
from events.tokens import calendar_token_for
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

HERE = Path(__file__).parent / "icaljs"
SCRIPT = HERE / "expand.mjs"
WINDOW = (datetime(2026, 9, 1, tzinfo=UTC), datetime(2027, 9, 1, tzinfo=UTC))
HOSTILE = 'Standards, metrology; "benchmarks" \\ café — Zoë 🎉\nsecond line, long enough to fold'

Occurrence = dict[str, Any]


async def icaljs_occurrences(node: str, data: bytes, folder: Path) -> list[Occurrence]:
    file = folder / "feed.ics"
    file.write_bytes(data)
    process = await asyncio.create_subprocess_exec(
        node,
        str(SCRIPT),
        str(file),
        *(moment.isoformat().replace("+00:00", "Z") for moment in WINDOW),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    return list(json.loads(out))


def python_occurrences(data: bytes) -> list[Occurrence]:
    calendar = Calendar.from_ical(data)
    # recurring-ical-events gives every occurrence a RECURRENCE-ID, single events included.
    series = {str(e["UID"]) for e in calendar.walk("VEVENT") if "RRULE" in e}
    found = []
    for event in recurring_ical_events.of(calendar).between(*WINDOW):
        starts = event["DTSTART"].dt
        ends = event["DTEND"].dt if "DTEND" in event else starts
        recurrence_id = event.get("RECURRENCE-ID") if str(event["UID"]) in series else None
        found.append(
            {
                "uid": str(event["UID"]),
                "recurrence_id": utc(recurrence_id.dt) if recurrence_id else None,
                "start": utc(starts),
                "end": utc(ends),
                "summary": str(event["SUMMARY"]),
                "status": str(event["STATUS"]),
            }
        )
    return sorted(found, key=lambda o: (o["start"], o["uid"], o["recurrence_id"] or ""))


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def starts_of(found: list[Occurrence], session: Session) -> list[str]:
    return [o["start"] for o in found if o["uid"] == f"session-{session.id}@testserver"]


async def assert_icaljs_agrees(node: str, data: bytes, folder: Path) -> list[Occurrence]:
    from_icaljs = await icaljs_occurrences(node, data, folder)
    from_python = python_occurrences(data)
    assert from_icaljs == from_python
    return from_icaljs


async def sessions_across_the_changes(clock: FixedClock) -> dict[str, Any]:
    """Series over both daylight-saving changes of each country, moved and cancelled dates,
    times in the hour after a change, and call deadlines in two zones."""
    topic = await make_topic()
    spring_london = await weekly_session(
        "london-spring", at(LONDON, 2027, 2, 23, 15), LONDON, 10, topics=[topic], title=HOSTILE
    )
    spring_washington = await weekly_session(
        "washington-spring", at(NEW_YORK, 2027, 2, 23, 10), NEW_YORK, 10, topics=[topic]
    )
    autumn_london = await weekly_session("london-autumn", at(LONDON, 2026, 10, 13, 15), LONDON, 6)
    autumn_washington = await make_session(
        "washington-autumn",
        at(NEW_YORK, 2026, 10, 13, 10),
        zone=NEW_YORK,
        recurrence="weekly",
        recurrence_until=at(NEW_YORK, 2026, 11, 17, 10),
    )
    # On the 31st: months without one are skipped (RFC 5545 §3.3.10), in every reader alike.
    monthly = await make_session(
        "washington-monthly",
        at(NEW_YORK, 2026, 10, 31, 10),
        zone=NEW_YORK,
        recurrence="monthly",
        count=8,
        topics=[topic],
    )
    # The first hour of summer time: 02:30 BST on 28 March, 03:30 EDT on 14 March.
    await make_session("london-early", at(LONDON, 2027, 3, 28, 2, 30), topics=[topic])
    await make_session("washington-early", at(NEW_YORK, 2027, 3, 14, 3, 30), zone=NEW_YORK)
    await OccurrenceOverride.create(
        session=spring_london, original_start=at(LONDON, 2027, 3, 9, 15), cancelled=True
    )
    await OccurrenceOverride.create(
        session=spring_london,
        original_start=at(LONDON, 2027, 3, 30, 15),
        starts_at=at(LONDON, 2027, 3, 31, 11),
        ends_at=at(LONDON, 2027, 3, 31, 12),
    )
    await OccurrenceOverride.create(
        session=spring_washington,
        original_start=at(NEW_YORK, 2027, 3, 16, 10),
        starts_at=at(NEW_YORK, 2027, 3, 16, 13),
        ends_at=at(NEW_YORK, 2027, 3, 16, 14, 30),
    )
    london_call = await make_call(clock.now(), with_questions=False)
    await Call.filter(id=london_call.id).update(closes_at=at(LONDON, 2027, 3, 28, 2, 30))
    washington_call = await make_call(clock.now(), slug="washington-call", with_questions=False)
    await Call.filter(id=washington_call.id).update(
        timezone=NEW_YORK, closes_at=at(NEW_YORK, 2026, 11, 1, 3, 30)
    )
    return {
        "spring_london": spring_london,
        "spring_washington": spring_washington,
        "autumn_london": autumn_london,
        "autumn_washington": autumn_washington,
        "monthly": monthly,
        "london_call": london_call,
    }


async def test_all_feed_reads_the_same_in_icaljs(
    client: httpx.AsyncClient, clock: FixedClock, node: str, tmp_path: Path
) -> None:
    made = await sessions_across_the_changes(clock)

    data = (await client.get("/calendar/all.ics")).content
    found = await assert_icaljs_agrees(node, data, tmp_path)

    # And both equal the zone database's instants for the wall-clock times the organiser set.
    weeks = [datetime(2027, 2, 23) + timedelta(weeks=n) for n in range(10)]
    london = [at(LONDON, d.year, d.month, d.day, 15) for d in weeks]
    london[2:3] = []  # 9 March cancelled
    london[4] = at(LONDON, 2027, 3, 31, 11)  # 30 March moved to the 31st
    washington = [at(NEW_YORK, d.year, d.month, d.day, 10) for d in weeks]
    washington[3] = at(NEW_YORK, 2027, 3, 16, 13)
    assert starts_of(found, made["spring_london"]) == [utc(m) for m in london]
    assert starts_of(found, made["spring_washington"]) == [utc(m) for m in washington]
    assert starts_of(found, made["autumn_london"])[1:3] == [
        "2026-10-20T14:00:00Z",
        "2026-10-27T15:00:00Z",
    ]
    assert starts_of(found, made["autumn_washington"])[2:4] == [
        "2026-10-27T14:00:00Z",
        "2026-11-03T15:00:00Z",
    ]
    # The eighth, 31 October 2027, is after the window.
    months = [(2026, 10), (2026, 12), (2027, 1), (2027, 3), (2027, 5), (2027, 7), (2027, 8)]
    assert starts_of(found, made["monthly"]) == [
        utc(at(NEW_YORK, year, month, 31, 10)) for year, month in months
    ]
    by_summary = {o["summary"]: o["start"] for o in found}
    assert by_summary["London early"] == "2027-03-28T01:30:00Z"
    assert by_summary["Washington early"] == "2027-03-14T07:30:00Z"
    assert {o["summary"] for o in found if o["uid"].startswith("session-")} >= {HOSTILE}
    assert any(o["summary"].startswith("Call closes: ") for o in found)


async def test_topic_and_session_feeds_read_the_same_in_icaljs(
    client: httpx.AsyncClient, clock: FixedClock, node: str, tmp_path: Path
) -> None:
    made = await sessions_across_the_changes(clock)

    topic = await assert_icaljs_agrees(
        node, (await client.get("/calendar/topics/standards.ics")).content, tmp_path
    )
    single = await assert_icaljs_agrees(
        node, (await client.get("/sessions/washington-spring.ics")).content, tmp_path
    )

    assert len(starts_of(topic, made["spring_london"])) == 9
    assert len(starts_of(topic, made["monthly"])) == 7
    assert starts_of(topic, made["autumn_london"]) == []
    assert len(starts_of(single, made["spring_washington"])) == 10
    assert {o["uid"] for o in single} == {f"session-{made['spring_washington'].id}@testserver"}


async def test_personal_feed_reads_the_same_in_icaljs(
    client: httpx.AsyncClient, clock: FixedClock, node: str, tmp_path: Path
) -> None:
    made = await sessions_across_the_changes(clock)
    person = await make_person("grace@example.org", "Grace Hopper", verified_at=START)
    token = await calendar_token_for(TEST_SECRET, person)
    await make_registration(person, made["spring_london"])
    moved = at(NEW_YORK, 2027, 3, 16, 10)
    await make_registration(person, made["spring_washington"], occurrence_key=occurrence_key(moved))
    await make_response(made["london_call"], person)

    found = await assert_icaljs_agrees(
        node, (await client.get(f"/calendar/me/{token}.ics")).content, tmp_path
    )

    assert len(starts_of(found, made["spring_london"])) == 9
    washington_id = made["spring_washington"].id
    assert [(o["uid"], o["start"]) for o in found if "20270316" in o["uid"]] == [
        (f"session-{washington_id}-20270316T140000Z@testserver", "2027-03-16T17:00:00Z")
    ]
    assert [o["start"] for o in found if o["summary"].startswith("Call closes: ")] == [
        "2027-03-28T01:30:00Z"
    ]


@pytest.mark.parametrize(
    ("bounds", "london_off"),
    [
        # Unbounded: London winter dates read an hour early (23 February is 15:00 UTC).
        (None, "2027-02-23T14:00:00Z"),
        # Bounded to several years: the RDATE lists return, and 2027's summer is lost.
        ((date(2025, 1, 1), date(2029, 1, 1)), "2027-04-27T15:00:00Z"),
    ],
    ids=["unbounded", "bounded-to-four-years"],
)
async def test_the_check_catches_icalendars_rdate_vtimezones(
    client: httpx.AsyncClient,
    clock: FixedClock,
    node: str,
    tmp_path: Path,
    bounds: tuple[date, date] | None,
    london_off: str,
) -> None:
    """The trap this guards against: `add_missing_timezones()` writes RDATE lists (1970-2038
    without bounds, and whenever the bounds hold several years), of which ical.js reads only the
    first date and ignores the DTSTART beside them."""
    made = await sessions_across_the_changes(clock)
    calendar = Calendar.from_ical((await client.get("/calendar/all.ics")).content)
    calendar.subcomponents = [c for c in calendar.subcomponents if c.name != "VTIMEZONE"]
    if bounds is None:
        calendar.add_missing_timezones()
    else:
        calendar.add_missing_timezones(first_date=bounds[0], last_date=bounds[1])
    data = calendar.to_ical()

    found = await icaljs_occurrences(node, data, tmp_path)

    assert b"RDATE" in data
    assert found != python_occurrences(data)
    assert london_off in starts_of(found, made["spring_london"])
    # 27 April, 10:00 in Washington is 14:00 UTC; ical.js says 15:00 either way.
    assert starts_of(found, made["spring_washington"])[-1] == "2027-04-27T15:00:00Z"
