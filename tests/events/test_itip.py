"""`events.itip`: iTIP invitations, updates and cancellations for mail. Pure: no database.

Each message is read by `icalendar` and by Mozilla's ical.js (`tests/events/icaljs/itip.mjs`, the
parser Thunderbird uses); both must find the METHOD, ORGANIZER, ATTENDEE, UID and SEQUENCE, and
the start instants the zone database gives. Without node or ical.js the ical.js checks skip and
say so at the end of the run, except with CI=true, where they fail (as in test_icaljs.py).
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar, Component

from core.notifications.transport import OutgoingMail, build_message
from events.ical import Attendee, CalendarFeed, SessionEntry, calendar_bytes, session_uid
from events.itip import (
    calendar_attachment,
    cancellation,
    dates_cancelled,
    invitation,
    message,
    organizer_for,
)
from events.recurrence import Change
from tests.events.helpers import LONDON, MODIFIED, NEW_YORK, at, session

HERE = Path(__file__).parent / "icaljs"
SCRIPT = HERE / "itip.mjs"
SENDER = "QIST Consult <no-reply@consult.example.gov>"
ORGANIZER = organizer_for(SENDER)
# A name with every character a parameter value has to quote or encode (RFC 6868).
ZOE = Attendee("zoe@example.org", 'Zoë "Q" O\'Brien, PhD; Quantum: Metrology')
UID = session_uid(7, "consult.example.gov")

# A weekly Washington series across the US change to summer time (14 March 2027), one date
# cancelled and one moved: the VEVENTs of a REQUEST are the feed's, RRULE, EXDATE and
# RECURRENCE-ID included.
SERIES = session(
    starts=at(NEW_YORK, 2027, 3, 2, 10),
    zone=NEW_YORK,
    frequency="weekly",
    count=4,
    changes=(
        Change(at(NEW_YORK, 2027, 3, 9, 10), cancelled=True),
        Change(
            at(NEW_YORK, 2027, 3, 16, 10),
            starts_at=at(NEW_YORK, 2027, 3, 16, 13),
            ends_at=at(NEW_YORK, 2027, 3, 16, 14),
        ),
    ),
)
# The update: the series moved to 15:00, which raised its SEQUENCE.
MOVED = replace(
    SERIES,
    rule=replace(
        SERIES.rule,
        starts_at=at(NEW_YORK, 2027, 3, 2, 15),
        ends_at=at(NEW_YORK, 2027, 3, 2, 16, 30),
    ),
    changes=(),
    sequence=SERIES.sequence + 1,
    modified=MODIFIED + timedelta(days=2),
)
# The cancellation raised it again.
CANCELLED = replace(MOVED, sequence=MOVED.sequence + 1, modified=MODIFIED + timedelta(days=3))
# The last date cancelled on its own, which raised SEQUENCE.
DATES_CANCELLED = dates_cancelled(
    replace(
        SERIES,
        sequence=SERIES.sequence + 1,
        changes=(*SERIES.changes, Change(at(NEW_YORK, 2027, 3, 23, 10), cancelled=True)),
    ),
    [at(NEW_YORK, 2027, 3, 23, 10)],
)
# A single London session in the first hour of summer time (02:30 BST on 28 March 2027).
SINGLE = session(starts=at(LONDON, 2027, 3, 28, 2, 30))

# name: (bytes, METHOD, the entry it was built from, STATUS, every start in UTC (master first))
MESSAGES: dict[str, tuple[bytes, str, SessionEntry, str, list[datetime]]] = {
    "invitation": (
        invitation(SERIES, ORGANIZER, ZOE),
        "REQUEST",
        SERIES,
        "CONFIRMED",
        [at(NEW_YORK, 2027, 3, 2, 10), at(NEW_YORK, 2027, 3, 16, 13)],
    ),
    "update": (
        invitation(MOVED, ORGANIZER, ZOE),
        "REQUEST",
        MOVED,
        "CONFIRMED",
        [at(NEW_YORK, 2027, 3, 2, 15)],
    ),
    "cancellation": (
        cancellation(CANCELLED, ORGANIZER, ZOE),
        "CANCEL",
        replace(CANCELLED, cancelled=True),
        "CANCELLED",
        [at(NEW_YORK, 2027, 3, 2, 15)],
    ),
    # One date of the series cancelled (RFC 5546 §3.2.5): its RECURRENCE-ID, no RRULE.
    "dates-cancellation": (
        message("CANCEL", (DATES_CANCELLED,), ORGANIZER, ZOE),
        "CANCEL",
        DATES_CANCELLED,
        "CANCELLED",
        [at(NEW_YORK, 2027, 3, 23, 10)],
    ),
    "single-invitation": (
        invitation(SINGLE, ORGANIZER, ZOE),
        "REQUEST",
        SINGLE,
        "CONFIRMED",
        [datetime(2027, 3, 28, 1, 30, tzinfo=UTC)],
    ),
    "single-cancellation": (
        cancellation(SINGLE, ORGANIZER, ZOE),
        "CANCEL",
        replace(SINGLE, cancelled=True),
        "CANCELLED",
        [datetime(2027, 3, 28, 1, 30, tzinfo=UTC)],
    ),
}
NAMES = list(MESSAGES)


def events_of(data: bytes) -> list[Component]:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def without_attendees(event: Component) -> bytes:
    copy = Component.from_ical(event.to_ical())
    del copy["ATTENDEE"]
    return copy.to_ical()


@pytest.mark.parametrize("name", NAMES)
def test_each_message_parses_with_icalendar(name: str) -> None:
    data, method, entry, status, starts = MESSAGES[name]

    calendar = Calendar.from_ical(data)
    events = events_of(data)

    assert str(calendar["METHOD"]) == method
    assert [str(e["UID"]) for e in events] == [entry.uid] * len(starts)
    assert [int(e["SEQUENCE"]) for e in events] == [entry.sequence] * len(starts)
    assert [str(e["STATUS"]) for e in events] == [status] * len(starts)
    assert [e["DTSTART"].dt.astimezone(UTC) for e in events] == starts
    for event in events:
        organizer = event["ORGANIZER"]
        assert str(organizer) == "mailto:no-reply@consult.example.gov"
        assert organizer.params["CN"] == "QIST Consult"
        attendee = event["ATTENDEE"]  # exactly one: a list if there were several
        assert str(attendee) == "mailto:zoe@example.org"
        assert dict(attendee.params) == {
            "CN": ZOE.name,
            "CUTYPE": "INDIVIDUAL",
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "ACCEPTED",
            "RSVP": "FALSE",
        }
        assert event["DTSTAMP"].dt == entry.modified.replace(microsecond=0)
        assert event["DTSTART"].params["TZID"] == entry.rule.zone
    # The time zone the times name, and none of a subscribed calendar's properties.
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == [entry.rule.zone]
    assert not {"NAME", "X-WR-CALNAME", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"} & set(calendar)
    assert b"RDATE" not in data


@pytest.mark.parametrize("name", NAMES)
def test_each_message_holds_the_feeds_vevents_with_the_attendee(name: str) -> None:
    """The same UID, SEQUENCE, DTSTAMP and times as the feeds: the same builder wrote them."""
    data, _, entry, _, _ = MESSAGES[name]
    feed = calendar_bytes(CalendarFeed("Feed", "A feed", ORGANIZER, (entry,)))

    assert [without_attendees(e) for e in events_of(data)] == [e.to_ical() for e in events_of(feed)]


def test_the_same_session_gives_the_same_bytes_and_an_update_a_higher_sequence() -> None:
    assert invitation(SERIES, ORGANIZER, ZOE) == MESSAGES["invitation"][0]
    sequences = [
        int(events_of(MESSAGES[name][0])[0]["SEQUENCE"])
        for name in ("invitation", "update", "cancellation")
    ]
    assert sequences == sorted(set(sequences))


def test_a_single_occurrence_keeps_its_own_uid() -> None:
    occurrence = session_uid(7, "consult.example.gov", at(LONDON, 2027, 3, 16, 15))
    data = cancellation(session(uid=occurrence), ORGANIZER, ZOE)

    [event] = events_of(data)
    assert str(event["UID"]) == "session-7-20270316T150000Z@consult.example.gov"


def test_the_organizer_is_the_services_sender_address() -> None:
    assert organizer_for("no-reply@consult.example.gov") == ORGANIZER
    assert (ORGANIZER.email, ORGANIZER.name) == ("no-reply@consult.example.gov", "QIST Consult")
    with pytest.raises(ValueError):
        organizer_for("")


# --- ical.js -------------------------------------------------------------------------------


def icaljs_read(node: str, data: bytes, folder: Path) -> dict[str, Any]:
    file = folder / "invite.ics"
    file.write_bytes(data)
    done = subprocess.run(
        [node, str(SCRIPT), str(file)], capture_output=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return dict(json.loads(done.stdout))


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("name", NAMES)
def test_each_message_reads_the_same_in_icaljs(name: str, node: str, tmp_path: Path) -> None:
    data, method, entry, status, starts = MESSAGES[name]

    found = icaljs_read(node, data, tmp_path)

    assert found["method"] == method
    events = found["events"]
    assert [e["uid"] for e in events] == [entry.uid] * len(starts)
    assert [e["sequence"] for e in events] == [entry.sequence] * len(starts)
    assert [e["status"] for e in events] == [status] * len(starts)
    # ical.js's instants, through the message's VTIMEZONE, are zoneinfo's.
    assert [e["start"] for e in events] == [utc(s) for s in starts]
    for event in events:
        assert event["organizer"] == {
            "value": "mailto:no-reply@consult.example.gov",
            "cn": "QIST Consult",
        }
        assert event["attendees"] == [
            {
                "value": "mailto:zoe@example.org",
                "cn": ZOE.name,
                "role": "REQ-PARTICIPANT",
                "partstat": "ACCEPTED",
                "rsvp": "FALSE",
            }
        ]


# --- mail ----------------------------------------------------------------------------------


def calendar_parts(message: EmailMessage) -> list[EmailMessage]:
    return [part for part in message.walk() if part.get_content_type() == "text/calendar"]


@pytest.mark.parametrize("name", ["invitation", "update", "cancellation"])
def test_the_calendar_is_an_alternative_of_the_body_and_an_invite_ics_attachment(
    name: str,
) -> None:
    data, method, _, _, _ = MESSAGES[name]
    mail = OutgoingMail(
        to="zoe@example.org",
        subject="Standards roundtable",
        text="You are registered.",
        html="<p>You are registered.</p>",
        attachments=(calendar_attachment(data),),
    )

    # As a mail client receives it.
    message = message_from_bytes(bytes(build_message(mail, SENDER)), policy=policy.default)

    assert isinstance(message, EmailMessage)
    # multipart/mixed → multipart/alternative (text, HTML, calendar) + invite.ics: where Gmail,
    # Outlook and Apple Mail look for an invitation to offer accept or decline.
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = list(message.iter_parts())
    assert [p.get_content_type() for p in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    [part] = calendar_parts(message)
    assert part.get_param("method") == method == str(Calendar.from_ical(data)["METHOD"])
    assert part.get_param("charset") == "UTF-8"
    assert part.get_content_disposition() is None  # inline: the body itself, not a file
    assert part.get_payload(decode=True) == data  # CRLF line ends as written
    assert str(Calendar.from_ical(part.get_payload(decode=True))["METHOD"]) == method
    assert (attachment.get_content_type(), attachment.get_filename()) == (
        "application/ics",
        "invite.ics",
    )
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_payload(decode=True) == data
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and text.get_content().strip() == "You are registered."
    assert html is not None and "<p>You are registered.</p>" in html.get_content()


def test_mail_without_attachments_is_unchanged() -> None:
    message = build_message(OutgoingMail("zoe@example.org", "Hello", "Hi."), SENDER)

    assert message.get_content_type() == "text/plain"
    assert calendar_parts(message) == []


def test_only_itip_calendars_become_invitation_parts() -> None:
    feed = calendar_bytes(CalendarFeed("Feed", "A feed", ORGANIZER, (SERIES,)))

    with pytest.raises(ValueError):
        calendar_attachment(feed)


def test_a_cancelled_date_is_a_cancel_of_its_recurrence_id_alone() -> None:
    data = MESSAGES["dates-cancellation"][0]

    [event] = events_of(data)

    assert event["RECURRENCE-ID"].dt == at(NEW_YORK, 2027, 3, 23, 10)
    assert str(event["UID"]) == UID
    assert "RRULE" not in event and "EXDATE" not in event


@pytest.mark.parametrize(
    "subject",
    [
        "Cancelled: Standards roundtable, Wednesday 31 March 2027",
        'Updated: Quantum networks, sensing; "standards" \\ C:\\Network\\Nodes — é 🚀 量子 '
        "metrology, benchmarks; supply chain, Wednesday 10 March 2027",
        "量子 " * 40,
    ],
)
def test_a_subject_arrives_with_every_space_it_was_sent_with(subject: str) -> None:
    """Python's own folding drops the spaces between encoded words of a long non-ASCII subject
    ("Nodes — é 🚀 量子" arrived as "Nodes  —é🚀量子"); every reader must get it back exactly."""
    mail = OutgoingMail(to="zoe@example.org", subject=subject, text="Body")

    data = bytes(build_message(mail, SENDER))
    received = message_from_bytes(data, policy=policy.default)

    assert received["Subject"] == subject
    assert all(len(line) <= 78 for line in data.split(b"\n"))
