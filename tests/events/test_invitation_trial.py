"""The subscriber's trial of issue 16, through the services organisers use and the real outbox,
dispatcher and loopback SMTP server: what each registrant's mailbox holds after every step.

A weekly London series of 40 dates from Wednesday 3 March 2027, across both countries' clock
changes, with a 200-character title full of characters calendars must escape. Ada (London) is
registered for every date; Bob (Washington) for three single dates; Cy (Auckland) for one. Then one
date moves by an hour, another is cancelled, the place changes, and the whole series is cancelled.
Each message is checked where a mail client looks (the calendar part, an alternative of the
body), in `icalendar` and in Mozilla's ical.js, and by its words.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from icalendar import Calendar

from base.settings import MailSettings
from core.models import Person
from core.notifications.compose import Site
from core.notifications.models import Notification
from core.notifications.outbox import dispatch_due
from core.vocabulary import Role
from events.ical import session_uid
from events.models import Recurrence, occurrence_key
from events.registrations import register
from events.sessions import (
    cancel_occurrence,
    cancel_session,
    move_occurrence,
    update_session,
)
from tests.conftest import START
from tests.events.helpers import session_details
from tests.factories import make_person, make_session
from tests.support import Mailbox, text_of

SCRIPT = Path(__file__).parent / "icaljs" / "itip.mjs"
HOST = "consult.example.gov"
TITLE = (
    'Quantum networks, sensing; "standards" \\ C:\\Network\\Nodes — é 🚀 量子 '
    + "metrology, benchmarks; supply chain \\N " * 4
)[:200]
FIRST = datetime(2027, 3, 3, 15, 0, tzinfo=UTC)  # Wednesday 3pm GMT


def london(month: int, day: int, hour: int = 15) -> datetime:
    """A Wednesday's 3pm (or `hour`) in London as UTC: an hour earlier in summer time."""
    summer = datetime(2027, 3, 28) <= datetime(2027, month, day) < datetime(2027, 10, 31)
    return datetime(2027, month, day, hour - (1 if summer else 0), tzinfo=UTC)


MOVED = london(3, 10)  # Bob's first date: moved to 4pm
CANCELLED = london(3, 31)  # Bob's second date: cancelled
UNTOUCHED = london(4, 14)  # Bob's third date: only the place changes
CYS = london(4, 21)


async def person(email: str, name: str, zone: str, role: Role = Role.STAKEHOLDER) -> Person:
    return await make_person(email, name, role=role, time_zone=zone, verified_at=START)


class Inbox:
    """The messages each person received, step by step."""

    def __init__(self, mailbox: Mailbox, mail: MailSettings) -> None:
        self.mailbox, self.mail, self.seen = mailbox, mail, 0

    async def new(self) -> dict[str, list[EmailMessage]]:
        await dispatch_due(self.mail, now=START + timedelta(days=1))
        arrived, self.seen = self.mailbox.messages[self.seen :], len(self.mailbox.messages)
        by_person: dict[str, list[EmailMessage]] = {}
        for message in arrived:
            by_person.setdefault(str(message["To"]), []).append(message)
        return by_person


def calendar(message: EmailMessage) -> tuple[str, bytes, Calendar]:
    """The iTIP part where mail clients look: an alternative of the body."""
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = list(message.iter_parts())
    assert [p.get_content_type() for p in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    part = list(alternative.iter_parts())[2]
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    parsed = Calendar.from_ical(data)
    assert part.get_param("method") == str(parsed["METHOD"])
    assert (attachment.get_filename(), attachment.get_payload(decode=True)) == ("invite.ics", data)
    return str(parsed["METHOD"]), data, parsed


def vevents(parsed: Calendar) -> list[tuple[str, str | None, int, str, datetime]]:
    """(UID, RECURRENCE-ID in UTC, SEQUENCE, STATUS, DTSTART in UTC) of each VEVENT."""
    found = []
    for event in parsed.walk("VEVENT"):
        rid = event.get("RECURRENCE-ID")
        found.append(
            (
                str(event["UID"]),
                occurrence_key(rid.dt) if rid else None,
                int(event["SEQUENCE"]),
                str(event["STATUS"]),
                event.decoded("DTSTART").astimezone(UTC),
            )
        )
    return found


def uid(original_start: datetime | None = None, session_id: int = 0) -> str:
    return session_uid(session_id, HOST, original_start)


def icaljs(node: str, data: bytes, folder: Path) -> dict[str, Any]:
    file = folder / "invite.ics"
    file.write_bytes(data)
    done = subprocess.run(
        [node, str(SCRIPT), str(file)], capture_output=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return dict(json.loads(done.stdout))


async def test_each_registrant_gets_one_clear_message_per_change_that_touches_their_dates(
    db: None, site: Site, mail: MailSettings, mailbox: Mailbox, node: str, tmp_path: Path
) -> None:
    session = await make_session(
        "networks-series",
        starts_at=FIRST,
        minutes=60,
        title=TITLE,
        recurrence=Recurrence.WEEKLY,
        count=40,
        location="Room 1, 10 Downing St",
    )
    sid = session.id
    organiser = await person("org@example.gov", "Organiser", "Europe/London", Role.ADMIN)
    ada = await person("ada@example.org", "Ada", "Europe/London")
    bob = await person("bob@example.org", "Bob", "America/New_York")
    cy = await person("cy@example.org", "Cy", "Pacific/Auckland")
    inbox = Inbox(mailbox, mail)
    now = START

    # 1. Registering: one invitation per place, each naming its own date.
    await register(session, ada, now=now, site=site)
    for date in (MOVED, CANCELLED, UNTOUCHED):
        await register(session, bob, occurrence_key(date), now=now, site=site)
    await register(session, cy, occurrence_key(CYS), now=now, site=site)
    got = await inbox.new()
    assert [m["Subject"] for m in got["ada@example.org"]] == [f"Invitation: {TITLE}"]
    assert [m["Subject"] for m in got["bob@example.org"]] == [
        f"Invitation: {TITLE}, Wednesday 10 March 2027",
        f"Invitation: {TITLE}, Wednesday 31 March 2027",
        f"Invitation: {TITLE}, Wednesday 14 April 2027",
    ]
    assert [m["Subject"] for m in got["cy@example.org"]] == [
        f"Invitation: {TITLE}, Thursday 22 April 2027"  # 2am in Auckland
    ]
    assert "Washington: Wednesday 31 March 2027, 10am EDT" in text_of(got["bob@example.org"][1])
    assert "London: Wednesday 31 March 2027, 3pm BST" in text_of(got["bob@example.org"][1])
    assert "New York" not in text_of(got["bob@example.org"][1])
    for message in got["bob@example.org"]:
        method, _, parsed = calendar(message)
        assert method == "REQUEST"
    assert [vevents(calendar(m)[2])[0][0] for m in got["bob@example.org"]] == [
        uid(MOVED, sid),
        uid(CANCELLED, sid),
        uid(UNTOUCHED, sid),
    ]

    # 2. One date moves an hour later: Ada and Bob are told about that date; Cy is not.
    await move_occurrence(organiser, session, MOVED, MOVED + timedelta(hours=1), now=now, site=site)
    got = await inbox.new()
    assert set(got) == {"ada@example.org", "bob@example.org"}
    [to_ada], [to_bob] = got["ada@example.org"], got["bob@example.org"]
    assert to_ada["Subject"] == f"Updated: {TITLE}, Wednesday 10 March 2027"
    assert to_bob["Subject"] == f"Updated: {TITLE}, Wednesday 10 March 2027"
    method, _, parsed = calendar(to_bob)
    assert method == "REQUEST"
    assert vevents(parsed) == [(uid(MOVED, sid), None, 1, "CONFIRMED", MOVED + timedelta(hours=1))]
    method, _, parsed = calendar(to_ada)
    assert method == "REQUEST"
    events = vevents(parsed)
    assert events[0][:4] == (uid(None, sid), None, 1, "CONFIRMED")  # the series, RRULE
    assert (
        uid(None, sid),
        occurrence_key(MOVED),
        1,
        "CONFIRMED",
        MOVED + timedelta(hours=1),
    ) in events
    bob_text = text_of(to_bob)
    assert "Wednesday 10 March 2027: moved" in bob_text
    assert (
        "Was:\n    Washington: Wednesday 10 March 2027, 10am EST\n    London: Wednesday 10 March 2027, 3pm GMT"
        in bob_text
    )
    assert (
        "Now:\n    Washington: Wednesday 10 March 2027, 11am EST\n    London: Wednesday 10 March 2027, 4pm GMT"
        in bob_text
    )
    assert "31 March" not in bob_text and "14 April" not in bob_text

    # 3. One date is cancelled: a CANCEL with its RECURRENCE-ID to Ada, with its own UID to Bob.
    await cancel_occurrence(organiser, session, CANCELLED, now=now, site=site)
    got = await inbox.new()
    assert set(got) == {"ada@example.org", "bob@example.org"}
    [to_ada], [to_bob] = got["ada@example.org"], got["bob@example.org"]
    for message in (to_ada, to_bob):
        assert message["Subject"] == f"Cancelled: {TITLE}, Wednesday 31 March 2027"
        assert "has changed" not in text_of(message)
        assert "is cancelled on Wednesday 31 March 2027" in text_of(message)
    method, data, parsed = calendar(to_ada)
    assert method == "CANCEL"
    assert vevents(parsed) == [
        (uid(None, sid), occurrence_key(CANCELLED), 2, "CANCELLED", CANCELLED)
    ]
    assert b"RRULE" not in data
    read = icaljs(node, data, tmp_path)
    assert read["method"] == "CANCEL"
    assert [(e["uid"], e["recurrence_id"], e["sequence"], e["status"]) for e in read["events"]] == [
        (uid(None, sid), occurrence_key(CANCELLED), 2, "CANCELLED")
    ]
    method, data, parsed = calendar(to_bob)
    assert method == "CANCEL"
    assert vevents(parsed) == [(uid(CANCELLED, sid), None, 2, "CANCELLED", CANCELLED)]
    assert "the other dates of the series are unchanged" in text_of(to_ada)
    assert "your other dates are unchanged" in text_of(to_bob)

    # 4. The place changes: everyone is told once, about their dates still to come; Bob's
    #    cancelled date is not sent again.
    await session.refresh_from_db()
    await update_session(
        organiser,
        session,
        session_details(session, location="Lancaster House, London"),
        now=now,
        site=site,
    )
    got = await inbox.new()
    assert {k: len(v) for k, v in got.items()} == {
        "ada@example.org": 1,
        "bob@example.org": 1,
        "cy@example.org": 1,
    }
    [to_ada], [to_bob], [to_cy] = got.values()
    assert to_ada["Subject"] == f"Updated: {TITLE}"
    assert to_bob["Subject"] == f"Updated: {TITLE}, 2 dates"
    assert to_cy["Subject"] == f"Updated: {TITLE}, Thursday 22 April 2027"
    method, data, parsed = calendar(to_bob)
    assert method == "REQUEST"
    assert [(e[0], e[3]) for e in vevents(parsed)] == [
        (uid(MOVED, sid), "CONFIRMED"),
        (uid(UNTOUCHED, sid), "CONFIRMED"),
    ]
    assert {str(e["LOCATION"]) for e in parsed.walk("VEVENT")} == {"Lancaster House, London"}
    assert "Where: Room 1, 10 Downing St → Lancaster House, London" in text_of(to_bob)
    # Ada's series keeps the cancelled date out (EXDATE); no message asks for it again.
    [series] = [e for e in calendar(to_ada)[2].walk("VEVENT") if "RRULE" in e]
    assert CANCELLED in [d.dt.astimezone(UTC) for x in [series["EXDATE"]] for d in x.dts]
    assert "31 March" not in text_of(to_bob)
    assert (
        "Every remaining date, Wednesday 3 March 2027 to Wednesday 1 December 2027 (39 dates), "
        "at the same times." in text_of(to_ada)
    )
    read = icaljs(node, data, tmp_path)
    assert [e["uid"] for e in read["events"]] == [uid(MOVED, sid), uid(UNTOUCHED, sid)]

    # 5. The series is cancelled: one CANCEL each, naming the dates it takes away.
    await cancel_session(organiser, session, now=now, site=site)
    got = await inbox.new()
    [to_ada], [to_bob], [to_cy] = (
        got["ada@example.org"],
        got["bob@example.org"],
        got["cy@example.org"],
    )
    assert to_ada["Subject"] == f"Cancelled: {TITLE}"
    assert to_bob["Subject"] == f"Cancelled: {TITLE}, 2 dates"
    assert to_cy["Subject"] == f"Cancelled: {TITLE}, Thursday 22 April 2027"
    method, _, parsed = calendar(to_ada)
    assert method == "CANCEL"
    assert {(e[0], e[3]) for e in vevents(parsed)} == {(uid(None, sid), "CANCELLED")}
    method, _, parsed = calendar(to_bob)
    assert [(e[0], e[2], e[3]) for e in vevents(parsed)] == [
        (uid(MOVED, sid), 4, "CANCELLED"),
        (uid(UNTOUCHED, sid), 4, "CANCELLED"),
    ]
    assert "Wednesday 10 March 2027: cancelled" in text_of(to_bob)
    assert "Wednesday 14 April 2027: cancelled" in text_of(to_bob)

    # Every message in ical.js: the method and every UID icalendar reads.
    counts = {
        address: await Notification.filter(recipient=address).count()
        for address in ("ada@example.org", "bob@example.org", "cy@example.org")
    }
    assert counts == {"ada@example.org": 5, "bob@example.org": 7, "cy@example.org": 3}
    for message in mailbox.messages:
        method, data, parsed = calendar(message)
        read = icaljs(node, data, tmp_path)
        assert read["method"] == method
        assert [e["uid"] for e in read["events"]] == [e[0] for e in vevents(parsed)]
        assert TITLE in str(parsed.walk("VEVENT")[0]["SUMMARY"])
