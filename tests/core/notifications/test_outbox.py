"""The outbox and the scheduler pass: each message once, across reruns, crashes and a dead SMTP server."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import icalendar
import pytest

from base.settings import MailSettings
from config.scheduler import run_pass
from consult.responses.models import ResponseStatus
from core.clock import FixedClock
from core.notifications.compose import Site
from core.notifications.models import Notification
from core.notifications.outbox import dispatch_due, enqueue, send_one
from core.notifications.transport import OutgoingMail
from core.vocabulary import Role
from events.models import RegistrationStatus, occurrence_key
from events.sessions import cancel_session, update_session
from tests.events.helpers import session_details
from tests.factories import (
    make_call,
    make_person,
    make_registration,
    make_response,
    make_session,
    weekly_session,
)
from tests.support import Mailbox, subjects, text_of

pytestmark = pytest.mark.usefixtures("db")


async def test_a_call_with_a_draft_sends_the_48_and_24_hour_reminders_once_each(
    site: Site, mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    call = await make_call(clock.now(), closes_in=timedelta(days=5))
    drafter, submitter = (
        await make_person("ada@example.org"),
        await make_person("grace@example.org", "Grace Hopper"),
    )
    await make_response(call, drafter)
    await make_response(
        call, submitter, status=ResponseStatus.SUBMITTED, tracking_number="QC-2026-0000-0000"
    )

    timeline = []
    for hours_before_close in (60, 48, 47, 30, 24, 2, -1):
        clock._now = call.closes_at - timedelta(hours=hours_before_close)
        await run_pass(site, mail, now=clock.now())
        await run_pass(site, mail, now=clock.now())  # a second run at the same moment adds nothing
        timeline.append((hours_before_close, len(mailbox.messages)))

    assert timeline == [(60, 0), (48, 1), (47, 1), (30, 1), (24, 2), (2, 2), (-1, 2)]
    assert subjects(mailbox) == [
        ("ada@example.org", f"Reminder: “{call.title}” closes in 48 hours"),
        ("ada@example.org", f"Reminder: “{call.title}” closes in 24 hours"),
    ]
    assert "https://consult.example.gov/calls/quantum-standards/respond" in text_of(
        mailbox.messages[0]
    )


async def test_a_late_run_sends_only_the_newest_reminder(
    site: Site, mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    call = await make_call(clock.now(), closes_in=timedelta(days=5))
    await make_response(call, await make_person("ada@example.org"))

    await run_pass(
        site, mail, now=call.closes_at - timedelta(hours=10)
    )  # the scheduler was down for days

    assert subjects(mailbox) == [
        ("ada@example.org", f"Reminder: “{call.title}” closes in 24 hours")
    ]


async def test_a_weekly_session_reminds_registered_people_24_and_1_hour_before_each_occurrence(
    site: Site, mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    start = clock.now() + timedelta(days=3)
    session = await weekly_session(
        "standards-group",
        start,
        "Europe/London",
        2,
        title="Standards working group",
        minutes=60,
        location="1 Victoria Street",
    )
    whole, second_only, waiting = (
        await make_person("a@example.org"),
        await make_person("b@example.org"),
        await make_person("c@example.org"),
    )
    await make_registration(whole, session)
    await make_registration(
        second_only, session, occurrence_key=occurrence_key(start + timedelta(days=7))
    )
    await make_registration(waiting, session, status=RegistrationStatus.WAITLISTED)

    for occurrence_start in (start, start + timedelta(days=7)):
        for before in (
            timedelta(hours=30),
            timedelta(hours=24),
            timedelta(hours=5),
            timedelta(hours=1),
            timedelta(minutes=-5),
        ):
            await run_pass(site, mail, now=occurrence_start - before)

    assert subjects(mailbox, "Reminder") == [
        ("a@example.org", "Reminder: Standards working group starts in 24 hours"),
        ("a@example.org", "Reminder: Standards working group starts in 1 hour"),
        ("a@example.org", "Reminder: Standards working group starts in 24 hours"),
        ("b@example.org", "Reminder: Standards working group starts in 24 hours"),
        ("a@example.org", "Reminder: Standards working group starts in 1 hour"),
        ("b@example.org", "Reminder: Standards working group starts in 1 hour"),
    ]
    assert "London: " in text_of(mailbox.messages[0]) and "Washington: " in text_of(
        mailbox.messages[0]
    )


async def test_a_promotion_off_the_waitlist_is_announced_once(
    site: Site, mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    start = clock.now() + timedelta(days=10)
    session = await make_session("roundtable", start, title="Supply chain roundtable", minutes=120)
    await make_registration(await make_person("a@example.org"), session, promoted_at=clock.now())

    for minutes in (0, 1, 2):
        await run_pass(site, mail, now=clock.now() + timedelta(minutes=minutes))

    assert subjects(mailbox, "You have a place") == [
        ("a@example.org", "You have a place: Supply chain roundtable")
    ]


async def test_messages_wait_while_smtp_is_down_and_go_out_once_when_it_returns(
    mail: MailSettings, mailbox: Mailbox, clock: FixedClock, tmp_path: Path
) -> None:
    down = MailSettings(mail.sender, "smtp://127.0.0.1:9", tmp_path)
    await enqueue(
        "test:1", "test", OutgoingMail("a@example.org", "Hello", "Text"), due_at=clock.now()
    )

    first = await dispatch_due(down, now=clock.now())
    retry_too_soon = await dispatch_due(mail, now=clock.now() + timedelta(seconds=30))
    back = await dispatch_due(mail, now=clock.now() + timedelta(minutes=2))
    again = await dispatch_due(mail, now=clock.now() + timedelta(hours=2))

    assert (first.sent, first.failed) == (0, 1)
    assert retry_too_soon.sent == 0  # backoff: the first retry waits a minute
    assert (back.sent, again.sent) == (1, 0)
    assert subjects(mailbox) == [("a@example.org", "Hello")]
    row = await Notification.get(key="test:1")
    assert (row.attempts, row.sent_at) == (2, clock.now() + timedelta(minutes=2))
    assert row.last_error  # the reason of the failed attempt is kept for operators


async def test_two_dispatchers_at_once_send_each_message_once(
    mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    for number in range(12):
        await enqueue(
            f"test:{number}",
            "test",
            OutgoingMail(f"p{number}@example.org", f"Message {number}", "Text"),
            due_at=clock.now(),
        )

    reports = await asyncio.gather(
        dispatch_due(mail, now=clock.now()), dispatch_due(mail, now=clock.now())
    )

    assert sum(r.sent for r in reports) == 12
    assert sorted(s for _, s in subjects(mailbox)) == sorted(f"Message {n}" for n in range(12))


async def test_a_pass_stopped_midway_loses_and_doubles_nothing(
    mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    for number in range(5):
        await enqueue(
            f"test:{number}",
            "test",
            OutgoingMail("a@example.org", f"Message {number}", "Text"),
            due_at=clock.now(),
        )

    await dispatch_due(mail, now=clock.now(), limit=2)  # the process stops after two
    await dispatch_due(mail, now=clock.now() + timedelta(seconds=5))  # and starts again

    assert [s for _, s in subjects(mailbox)] == [f"Message {n}" for n in range(5)]


async def test_a_crash_between_sending_and_marking_resends_once_after_the_claim_expires(
    mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    row = await enqueue(
        "test:crash",
        "test",
        OutgoingMail("a@example.org", "Once more at most", "Text"),
        due_at=clock.now(),
    )
    assert row is not None
    await send_one(mail, row, now=clock.now())
    # Simulate the crash: the mail went out but the row was never marked sent.
    await Notification.filter(id=row.id).update(sent_at=None)

    soon = await dispatch_due(mail, now=clock.now() + timedelta(minutes=1))  # still claimed
    later = await dispatch_due(mail, now=clock.now() + timedelta(minutes=10))
    after = await dispatch_due(mail, now=clock.now() + timedelta(minutes=20))

    assert (soon.sent, later.sent, after.sent) == (0, 1, 0)
    assert len(mailbox.messages) == 2


async def test_the_same_key_is_written_once(clock: FixedClock) -> None:
    first = await enqueue(
        "reminder:1", "test", OutgoingMail("a@example.org", "Hi", "Text"), due_at=clock.now()
    )
    second = await enqueue(
        "reminder:1", "test", OutgoingMail("a@example.org", "Hi", "Text"), due_at=clock.now()
    )

    assert first is not None and second is None
    assert await Notification.all().count() == 1


def calendar_of(message) -> icalendar.Calendar:
    """The iTIP calendar where mail clients look for it: an alternative of the body."""
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    body = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert part.get_param("method") == str(body["METHOD"])
    return body


async def test_registering_changing_and_cancelling_a_session_mail_request_update_and_cancel(
    site: Site, mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    start = clock.now() + timedelta(days=20)
    session = await make_session(
        "pqc-briefing",
        start,
        title="Post-quantum briefing",
        minutes=60,
        zone="America/New_York",
        location="Washington DC",
    )
    organiser = await make_person("org@example.gov", role=Role.ADMIN)
    # Written without mail (as demo data is): the scheduler's safety net sends the invitation.
    await make_registration(await make_person("a@example.org"), session)

    await run_pass(site, mail, now=clock.now())
    await run_pass(site, mail, now=clock.now())  # nothing new
    later = session_details(
        session, starts_at=start + timedelta(hours=1), ends_at=start + timedelta(hours=2)
    )
    await update_session(organiser, session, later, now=clock.now(), site=site)
    await run_pass(site, mail, now=clock.now() + timedelta(minutes=1))
    await cancel_session(organiser, session, now=clock.now(), site=site)
    await run_pass(site, mail, now=clock.now() + timedelta(minutes=2))

    assert subjects(mailbox) == [
        ("a@example.org", "Invitation: Post-quantum briefing"),
        ("a@example.org", "Updated: Post-quantum briefing"),
        ("a@example.org", "Cancelled: Post-quantum briefing"),
    ]
    calendars = [calendar_of(m) for m in mailbox.messages]
    assert [str(c["METHOD"]) for c in calendars] == ["REQUEST", "REQUEST", "CANCEL"]
    events = [next(iter(c.walk("VEVENT"))) for c in calendars]
    assert len({str(e["UID"]) for e in events}) == 1
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert str(events[0]["ATTENDEE"]) == "mailto:a@example.org"
    assert events[1].decoded("DTSTART") == start + timedelta(hours=1)
    assert str(events[2]["STATUS"]) == "CANCELLED"
    # The update names what moved, in the person's zone (London) and in both capitals.
    update = text_of(mailbox.messages[1])
    assert "moved" in update and "Was:" in update and "Now:" in update
    assert "Washington: " in update and "New York" not in update
