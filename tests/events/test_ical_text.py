"""Every text the forms accept comes out of a feed exactly as it went in, in two readers.

icalendar 7.3 escapes TEXT by first turning a literal backslash and capital N into a line break,
so "C:\\Network\\Nodes" reached calendars as "C:", "etwork", "odes" on three lines. The feed now
escapes text itself (`events.ical.escape_text`); these tests write generated texts (Hypothesis,
fixed seed) into feeds and read them back with icalendar and with Mozilla's ical.js.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from events.ical import CalendarFeed, Organizer, calendar_bytes
from tests.events.helpers import session

HERE = Path(__file__).parent / "icaljs"
# What the forms let through: any printable text, line breaks in descriptions, and the characters
# iCalendar escapes, with backslashes before capital letters made likely.
TRICKY = st.sampled_from(["\\N", "\\n", "\\", ";", ",", '"', "\\,", "\\;", "C:\\Network", "\r\n"])
LINE = st.lists(
    st.one_of(st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=8), TRICKY),
    min_size=1,
    max_size=12,
).map("".join)
ONE_LINE = LINE.map(lambda text: text.replace("\r", " ").replace("\n", " ").strip() or "x")


def normalised(text: str) -> str:
    """Line breaks of any kind are written as one: what a reader gives back."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def feed_with(title: str, description: str, place: str, topic: str, name: str) -> bytes:
    entry = session(title=title, description=description, location=place, categories=(topic,))
    return calendar_bytes(
        CalendarFeed(name, description, Organizer("no-reply@consult.example.gov"), (entry,))
    )


def unescaped(raw: str) -> str:
    """RFC 5545 §3.3.11 read back, for the properties icalendar does not know (NAME, X-WR-*):
    it hands those over as written, as a calendar app's own parser would have to."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], raw)


def read_back(data: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(data)
    [event] = calendar.walk("VEVENT")
    return {
        "name": unescaped(str(calendar["NAME"])),
        "calname": unescaped(str(calendar["X-WR-CALNAME"])),
        "description": str(calendar["DESCRIPTION"]),
        "events": [
            {
                "summary": str(event["SUMMARY"]),
                "description": str(event["DESCRIPTION"]),
                "location": str(event["LOCATION"]),
                "categories": [str(c) for c in event["CATEGORIES"].cats],
            }
        ],
    }


def expected(title: str, description: str, place: str, topic: str, name: str) -> dict[str, object]:
    return {
        "name": name,
        "calname": name,
        "description": normalised(description),
        "events": [
            {
                "summary": title,
                "description": normalised(description),
                "location": place,
                "categories": [topic],
            }
        ],
    }


def test_a_backslash_before_a_capital_n_stays_a_backslash() -> None:
    data = feed_with("C:\\Network\\Nodes", '"\\N"', "Room \\N1", "A\\Nb", "C:\\Network")
    assert read_back(data) == expected(
        "C:\\Network\\Nodes", '"\\N"', "Room \\N1", "A\\Nb", "C:\\Network"
    )
    assert b"C:\\\\Network\\\\Nodes" in data


SAMPLES: list[tuple[bytes, dict[str, object]]] = []


@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(title=ONE_LINE, description=LINE, place=ONE_LINE, topic=ONE_LINE, name=ONE_LINE)
def test_every_text_round_trips_through_icalendar(
    title: str, description: str, place: str, topic: str, name: str
) -> None:
    data = feed_with(title, description, place, topic, name)
    want = expected(title, description, place, topic, name)
    assert read_back(data) == want
    if len(SAMPLES) < 60:
        SAMPLES.append((data, want))


def test_the_same_texts_round_trip_through_icaljs(node: str, tmp_path: Path) -> None:
    if not SAMPLES:  # run on its own: make the samples first
        test_every_text_round_trips_through_icalendar()
    files = []
    for n, (data, _want) in enumerate(SAMPLES):
        file = tmp_path / f"feed-{n}.ics"
        file.write_bytes(data)
        files.append(str(file))
    run = subprocess.run(
        [node, str(HERE / "texts.mjs"), *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    read = json.loads(run.stdout)
    for calendar in read:  # ical.js, too, hands NAME and X-WR-CALNAME over as written
        calendar["name"] = unescaped(calendar["name"])
        calendar["calname"] = unescaped(calendar["calname"])
    assert read == [want for _data, want in SAMPLES]
