"""The leader's APScheduler: date jobs derived from rows, re-derived when rows change, run on time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest

from config.scheduler import DatabaseScheduler, Moment, due_moments
from consult.calls.models import Call
from core.clock import Clock, FixedClock, SystemClock
from core.notifications.compose import Site
from core.vocabulary import Role
from events.models import Recurrence, Session
from tests.factories import make_call, make_person, make_registration, make_session
from tests.support import Mailbox, subjects

pytestmark = pytest.mark.usefixtures("db")


async def weekly_session(starts_at: datetime, slug: str = "standards-group") -> Session:
    return await make_session(
        slug,
        starts_at,
        title="Standards working group",
        summary="Weekly call of the standards working group.",
        minutes=60,
        recurrence=Recurrence.WEEKLY,
        count=4,
    )


MakeScheduler = Callable[[Clock], DatabaseScheduler]


@pytest.fixture
async def scheduler(site: Site) -> AsyncIterator[MakeScheduler]:
    """Makes leaders' schedulers on a given clock, and shuts them all down after the test."""
    made: list[DatabaseScheduler] = []

    def make(clock: Clock) -> DatabaseScheduler:
        made.append(DatabaseScheduler(site, clock=clock))
        return made[-1]

    yield make
    for each in made:
        each.shutdown()


async def test_moments_come_from_calls_sessions_and_organisers_zones(clock: FixedClock) -> None:
    now = clock.now()  # 24 November 2026, 12:00 UTC
    call = await make_call(now, opens_in=timedelta(hours=2), closes_in=timedelta(hours=30))
    session = await weekly_session(now + timedelta(hours=3))
    organiser = await make_person(
        "rosalind@example.gov", role=Role.ORGANISER, time_zone="America/New_York"
    )
    await make_person("ada@example.org")  # stakeholders get no digest

    moments = await due_moments(now=now)

    assert moments == [
        # 08:00 in Washington is 13:00 UTC in November.
        Moment(datetime(2026, 11, 24, 13, tzinfo=UTC), f"digest for person {organiser.id}"),
        Moment(call.opens_at, f"call {call.slug} opens"),
        Moment(session.starts_at - timedelta(hours=1), "session_1h for session standards-group"),
        Moment(call.closes_at - timedelta(hours=24), f"deadline_24h for call {call.slug}"),
    ]


async def test_the_leader_rederives_its_jobs_when_another_process_changes_a_call(
    scheduler: MakeScheduler, clock: FixedClock
) -> None:
    # The jobs must lie in the real future, or APScheduler would run them during the test.
    clock._now = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    call = await make_call(clock.now(), opens_in=timedelta(hours=-1), closes_in=timedelta(hours=10))
    leader = scheduler(clock)

    await leader.lead()
    assert [at for _, at in leader.moments] == [call.closes_at]  # the 24-hour reminder has passed

    moved = await Call.get(id=call.id)
    moved.closes_at = call.closes_at + timedelta(hours=20)
    await moved.save()  # as the organiser's edit page would, perhaps in another process
    await leader.lead()

    assert [(job_id.split("@")[0], at) for job_id, at in leader.moments] == [
        (f"at:deadline_24h for call {call.slug}", moved.closes_at - timedelta(hours=24)),
    ]


async def test_a_date_job_sends_the_reminder_at_its_second_without_waiting_for_a_poll(
    scheduler: MakeScheduler, mailbox: Mailbox
) -> None:
    now = datetime.now(UTC)
    session = await weekly_session(now + timedelta(hours=1, seconds=3))
    person = await make_person("ada@example.org")
    await make_registration(person, session)
    leader = scheduler(SystemClock())

    await leader.lead()  # the invitation and the 24-hour reminder are due at once
    await asyncio.to_thread(mailbox.wait_for, 2, 10)
    assert [job_id.split("@")[0] for job_id, _ in leader.moments][:1] == [
        "at:session_1h for session standards-group"
    ]
    await asyncio.to_thread(mailbox.wait_for, 3, 15)  # no further poll: only the date job runs

    assert subjects(mailbox) == [
        ("ada@example.org", "Invitation: Standards working group"),
        ("ada@example.org", "Reminder: Standards working group starts in 24 hours"),
        ("ada@example.org", "Reminder: Standards working group starts in 1 hour"),
    ]


async def test_standing_down_removes_every_job(scheduler: MakeScheduler, clock: FixedClock) -> None:
    clock._now = datetime.now(UTC) + timedelta(days=30)
    await make_call(clock.now(), opens_in=timedelta(hours=1))
    leader = scheduler(clock)
    await leader.lead()
    assert leader.moments

    leader.stand_down()

    assert leader.aps.get_jobs() == []
