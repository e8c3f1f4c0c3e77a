"""What the scheduler tells people about calls: phase moves, deadlines, the organisers' digest.

The clock is the test's; mail goes to a real SMTP server on loopback.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest

from base.settings import MailSettings
from config.scheduler import run_pass, write_due_messages
from consult.calls.models import Call, CallPhase, CallState
from consult.comments.models import Comment, CommentStatus
from consult.moderation.digest import latest_digest_time
from consult.moderation.models import NotMeReport
from consult.responses.models import Response, ResponseStatus
from core.clock import FixedClock
from core.models import AuditEntry, Person
from core.notifications.compose import Site
from core.notifications.models import Notification
from core.notifications.preferences import read_unsubscribe_token
from core.vocabulary import Role
from tests.factories import make_call, make_person, make_response
from tests.support import Mailbox, subjects, text_of

pytestmark = pytest.mark.usefixtures("db")

tracking_numbers = (f"QC-2026-0000-{n:04d}" for n in itertools.count())


async def submitted(call: Call, email: str, at: datetime) -> Response:
    return await make_response(
        call,
        await make_person(email),
        status=ResponseStatus.SUBMITTED,
        tracking_number=next(tracking_numbers),
        submitted_at=at,
    )


async def organiser(email: str, zone: str = "Europe/London", **fields: object) -> Person:
    return await make_person(
        email, "Rosalind Franklin", role=Role.ORGANISER, time_zone=zone, **fields
    )


async def test_a_call_is_moved_open_then_closed_once_each_with_an_audit_entry_and_a_note_to_its_team(
    site: Site, mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    call = await make_call(clock.now(), opens_in=timedelta(hours=2), closes_in=timedelta(days=3))
    team = await organiser("rosalind@example.gov", verified_at=clock.now())
    await call.team.add(team)

    phases = []
    for at in (
        clock.now(),
        call.opens_at,
        call.opens_at + timedelta(minutes=5),
        call.closes_at - timedelta(hours=1),
        call.closes_at,
        call.closes_at + timedelta(hours=1),
    ):
        if at == call.closes_at - timedelta(hours=1):
            await submitted(call, "ada@example.org", at)
        await run_pass(site, mail, now=at)
        await run_pass(site, mail, now=at)  # a second scheduler, or a rerun, records nothing new
        phases.append((await Call.get(id=call.id)).recorded_phase)

    assert phases == [
        CallPhase.UPCOMING,
        CallPhase.OPEN,
        CallPhase.OPEN,
        CallPhase.OPEN,
        CallPhase.CLOSED,
        CallPhase.CLOSED,
    ]
    audit = await AuditEntry.filter(object_type="call", object_id=str(call.id)).order_by("id")
    assert [(a.action, a.actor_id, a.detail["from"]) for a in audit] == [
        ("call.upcoming", None, "draft"),
        ("call.open", None, "upcoming"),
        ("call.closed", None, "open"),
    ]
    assert subjects(mailbox) == [
        ("rosalind@example.gov", f"“{call.title}” is open"),
        ("rosalind@example.gov", f"“{call.title}” has closed"),
    ]
    closed_note = text_of(mailbox.messages[1])
    assert "with 1 response submitted" in closed_note
    assert "https://consult.example.gov/organise/calls/quantum-standards" in closed_note


async def test_a_move_found_days_late_is_recorded_without_telling_the_team(
    site: Site, mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    call = await make_call(clock.now(), opens_in=timedelta(days=-30), closes_in=timedelta(days=-3))
    await call.team.add(await organiser("rosalind@example.gov", verified_at=clock.now()))

    await run_pass(site, mail, now=clock.now())

    assert (await Call.get(id=call.id)).recorded_phase == CallPhase.CLOSED
    assert mailbox.messages == []


async def test_the_whole_life_of_a_call_sends_exactly_the_expected_messages_once_each(
    site: Site, mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    """The scheduler runs every 20 minutes from a day before the call opens to a day after it closes."""
    start = clock.now()
    call = await make_call(start, opens_in=timedelta(days=1), closes_in=timedelta(days=4))
    team = await organiser("rosalind@example.gov", verified_at=start)
    await call.team.add(team)
    drafter = await make_person("ada@example.org")
    opted_out = await make_person("grace@example.org", mail_opt_outs=["deadline_reminders"])

    at = start
    while at <= call.closes_at + timedelta(days=1):
        if at == call.opens_at + timedelta(hours=2):
            await make_response(call, drafter)
            await make_response(call, opted_out)
            await submitted(call, "alan@example.org", at)
            await Comment.create(call=call, body="Please include benchmarks.", created_at=at)
        await run_pass(site, mail, now=at)
        at += timedelta(minutes=20)

    title = call.title
    assert subjects(mailbox) == [
        ("rosalind@example.gov", f"“{title}” is open"),  # 25 Nov, 12:00 UTC
        # 08:00 in London (the organiser's zone) each day from the morning after the first news.
        ("rosalind@example.gov", "Your daily digest: 1 new response, 1 comment to moderate"),
        ("ada@example.org", f"Reminder: “{title}” closes in 48 hours"),  # 26 Nov, 12:00
        ("rosalind@example.gov", "Your daily digest: 1 comment to moderate"),
        ("ada@example.org", f"Reminder: “{title}” closes in 24 hours"),  # 27 Nov, 12:00
        ("rosalind@example.gov", "Your daily digest: 1 comment to moderate"),
        ("rosalind@example.gov", f"“{title}” has closed"),  # 28 Nov, 12:00
        ("rosalind@example.gov", "Your daily digest: 1 comment to moderate"),
    ]
    assert await Notification.filter(sent_at__isnull=True).count() == 0


async def test_the_digest_comes_at_0800_in_each_organisers_own_zone_once_a_day(
    site: Site, mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    now = clock.now()  # 12:00 in London, 07:00 in Washington
    call = await make_call(now, opens_in=timedelta(days=-5))
    london = await organiser("london@example.gov", verified_at=now)
    washington = await organiser("washington@example.gov", "America/New_York", verified_at=now)
    await call.team.add(london, washington)
    await submitted(call, "ada@example.org", now - timedelta(hours=5))
    await submitted(call, "grace@example.org", now - timedelta(hours=6))
    await Comment.create(call=call, body="Waiting", created_at=now - timedelta(hours=5))
    await Comment.create(call=call, body="Seen", status=CommentStatus.APPROVED, created_at=now)

    await run_pass(site, mail, now=now)
    await run_pass(site, mail, now=now + timedelta(minutes=59))
    assert subjects(mailbox) == [
        ("london@example.gov", "Your daily digest: 2 new responses, 1 comment to moderate")
    ]

    await run_pass(site, mail, now=now + timedelta(hours=1))  # 08:00 in Washington
    await run_pass(site, mail, now=now + timedelta(hours=5))
    assert subjects(mailbox)[1:] == [
        ("washington@example.gov", "Your daily digest: 2 new responses, 1 comment to moderate")
    ]
    digest = text_of(mailbox.messages[1])
    assert "Since 23 November 2026, 08:00 EST" in digest
    assert "/organise/calls/quantum-standards/comments" in digest


async def test_no_digest_when_nothing_is_new_or_waiting(
    site: Site, mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    call = await make_call(clock.now(), opens_in=timedelta(days=-5))
    await call.team.add(await organiser("london@example.gov", verified_at=clock.now()))
    await submitted(call, "ada@example.org", clock.now() - timedelta(days=3))  # old news

    await run_pass(site, mail, now=clock.now())

    assert mailbox.messages == []


async def test_a_digest_missed_by_more_than_12_hours_is_skipped_and_the_next_one_covers_its_time(
    site: Site, mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    now = clock.now()  # 12:00 on day D
    call = await make_call(now, opens_in=timedelta(days=-5))
    await call.team.add(await organiser("london@example.gov", verified_at=now))
    await submitted(call, "ada@example.org", now - timedelta(days=2, hours=5))
    await run_pass(site, mail, now=now - timedelta(days=2, hours=4))  # D-2, 08:00: a digest
    # The scheduler is down all of D-1, while a response comes in.
    await submitted(call, "grace@example.org", now - timedelta(days=1, hours=2))

    await run_pass(site, mail, now=now - timedelta(hours=4, minutes=30))  # D, 07:30: not yet
    assert len(mailbox.messages) == 1
    await run_pass(site, mail, now=now - timedelta(hours=3, minutes=59))  # D, 08:01

    assert subjects(mailbox) == [
        ("london@example.gov", "Your daily digest: 1 new response"),
        ("london@example.gov", "Your daily digest: 1 new response"),  # Grace's, not Ada's again
    ]
    assert "Since 22 November 2026, 08:00 GMT" in text_of(mailbox.messages[1])


@pytest.mark.parametrize(
    ("zone", "at", "expected"),
    [
        ("Europe/London", "2026-11-24T07:59:00+00:00", "2026-11-23T08:00:00+00:00"),
        ("Europe/London", "2026-11-24T08:00:00+00:00", "2026-11-24T08:00:00+00:00"),
        ("America/New_York", "2026-11-24T12:00:00+00:00", "2026-11-23T13:00:00+00:00"),
        # The day the US clocks go back: 08:00 EST is 13:00 UTC, the day before it was 12:00 UTC.
        ("America/New_York", "2026-11-01T12:30:00+00:00", "2026-10-31T12:00:00+00:00"),
        ("America/New_York", "2026-11-01T13:00:00+00:00", "2026-11-01T13:00:00+00:00"),
        ("Not/AZone", "2026-11-24T09:00:00+00:00", "2026-11-24T08:00:00+00:00"),
    ],
)
def test_the_latest_digest_time_is_0800_local_across_clock_changes(
    zone: str, at: str, expected: str
) -> None:
    moment = latest_digest_time(zone, datetime.fromisoformat(at))
    assert moment == datetime.fromisoformat(expected)


async def test_optional_mail_has_one_click_unsubscribe_headers_for_its_own_kind(
    site: Site, mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    call = await make_call(clock.now(), closes_in=timedelta(hours=30))
    ada = await make_person("ada@example.org")
    await make_response(call, ada)

    await run_pass(site, mail, now=clock.now())

    (reminder,) = mailbox.messages
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = str(reminder["List-Unsubscribe"]).strip("<>")
    assert url.startswith("https://consult.example.gov/unsubscribe/")
    token = url.rsplit("/", 1)[1]
    found = read_unsubscribe_token(str(site.settings.secret_key), token)
    assert found is not None and found[0] == ada.id and found[1].key == "deadline_reminders"
    assert reminder.get_body(preferencelist=("html",)) is not None
    assert "Stop these emails: " + url in text_of(reminder)


async def test_a_message_written_before_its_recipient_opted_out_is_not_sent(
    site: Site, mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    call = await make_call(clock.now(), closes_in=timedelta(hours=30))
    ada = await make_person("ada@example.org")
    await make_response(call, ada)
    assert await write_due_messages(site, now=clock.now()) == 1
    await Person.filter(id=ada.id).update(mail_opt_outs=["deadline_reminders"])
    await run_pass(site, mail, now=clock.now())

    assert mailbox.messages == []
    row = await Notification.get(kind="deadline_48h")
    assert row.sent_at is None and row.suppressed_at == clock.now()


async def test_draft_calls_are_neither_moved_nor_announced(
    site: Site, mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    call = await make_call(clock.now(), state=CallState.DRAFT)
    await call.team.add(await organiser("rosalind@example.gov", verified_at=clock.now()))

    await run_pass(site, mail, now=clock.now())

    assert (await Call.get(id=call.id)).recorded_phase == CallPhase.DRAFT
    assert mailbox.messages == []


async def test_the_digest_tells_of_new_not_me_reports(
    site: Site, mail: MailSettings, mailbox: Mailbox, clock: FixedClock
) -> None:
    now = clock.now()
    call = await make_call(now, opens_in=timedelta(days=-5))
    await call.team.add(await organiser("london@example.gov", verified_at=now))
    response = await submitted(call, "ada@example.org", now - timedelta(days=3))
    await NotMeReport.create(
        response=response, name="Ada", email="ada@example.net", created_at=now - timedelta(hours=6)
    )

    await run_pass(site, mail, now=now)

    assert subjects(mailbox) == [("london@example.gov", "Your daily digest: 1 “not me” report")]
    assert "/organise/calls/quantum-standards/reports" in text_of(mailbox.messages[0])
