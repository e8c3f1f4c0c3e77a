"""Registration rules: who may register, capacity and the waitlist, promotion in order, the last place."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from core.models import Person
from core.notifications.compose import Site
from core.notifications.models import Notification
from core.vocabulary import Role
from events.jobs import invitations, waitlist_promotions
from events.models import (
    WHOLE_SERIES,
    OccurrenceOverride,
    Recurrence,
    Registration,
    RegistrationStatus,
    Session,
    SessionStatus,
    Visibility,
    occurrence_key,
)
from events.registrations import (
    AlreadyRegistered,
    RegistrationRefused,
    cancel_registration,
    register,
)
from events.sessions import cancel_occurrence
from tests.conftest import START
from tests.factories import FIRST_DATE, make_person, make_session

REGISTERED = RegistrationStatus.REGISTERED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED


async def people(count: int) -> list[Person]:
    return [
        await make_person(f"person{n}@example.org", verified_at=START) for n in range(1, count + 1)
    ]


async def statuses(session: Session) -> list[tuple[str, str, RegistrationStatus]]:
    rows = (
        await Registration.filter(session_id=session.id)
        .order_by("id")
        .values_list("person__email", "occurrence_key", "status")
    )
    return [(str(email), str(key), RegistrationStatus(status)) for email, key, status in rows]


async def test_a_second_person_on_a_capacity_one_session_is_waitlisted(db: None) -> None:
    session = await make_session(capacity=1)
    ada, bob = await people(2)

    first = await register(session, ada, now=START)
    second = await register(session, bob, now=START)

    assert (first.status, second.status) == (REGISTERED, WAITLISTED)
    assert await statuses(session) == [
        ("person1@example.org", WHOLE_SERIES, REGISTERED),
        ("person2@example.org", WHOLE_SERIES, WAITLISTED),
    ]


async def test_cancelling_a_place_promotes_the_first_waitlisted_in_order_and_not_the_second(
    db: None,
) -> None:
    session = await make_session(capacity=1)
    ada, bob, cy = await people(3)
    for person in (ada, bob, cy):
        await register(session, person, now=START)
    later = START + timedelta(hours=3)

    outcome = await cancel_registration(session, ada, now=later)

    assert outcome.freed_place and [p.person_id for p in outcome.promoted] == [bob.id]
    rows = {r.person_id: r for r in await Registration.filter(session_id=session.id)}
    assert (rows[ada.id].status, rows[ada.id].cancelled_at) == (CANCELLED, later)
    assert (rows[bob.id].status, rows[bob.id].promoted_at) == (REGISTERED, later)
    assert (rows[cy.id].status, rows[cy.id].promoted_at) == (WAITLISTED, None)


async def test_leaving_the_waitlist_frees_no_place_and_promotes_nobody(db: None) -> None:
    session = await make_session(capacity=1)
    ada, bob, cy = await people(3)
    for person in (ada, bob, cy):
        await register(session, person, now=START)

    outcome = await cancel_registration(session, bob, now=START)

    assert not outcome.freed_place and outcome.promoted == []
    assert [s for _, _, s in await statuses(session)] == [REGISTERED, CANCELLED, WAITLISTED]


async def test_four_concurrent_registrations_for_one_last_place_leave_exactly_one_registered(
    db: None,
) -> None:
    session = await make_session(capacity=3)
    for person in await people(2):
        await register(session, person, now=START)
    racers = [await make_person(f"racer{n}@example.org", verified_at=START) for n in range(4)]
    # A first round elsewhere leaves one pooled connection per racer with every statement
    # prepared, so in the real round the four transactions overlap instead of queueing.
    warm_up = await make_session("warm-up")
    await asyncio.gather(*(register(warm_up, p, now=START) for p in racers))

    results = await asyncio.gather(*(register(session, p, now=START) for p in racers))

    assert sorted(r.status for r in results) == [REGISTERED, WAITLISTED, WAITLISTED, WAITLISTED]
    assert await Registration.filter(session_id=session.id, status=REGISTERED).count() == 3
    assert await Registration.filter(session_id=session.id, status=WAITLISTED).count() == 3


async def test_no_registration_for_a_cancelled_session(db: None) -> None:
    session = await make_session(status=SessionStatus.CANCELLED)
    (ada,) = await people(1)

    with pytest.raises(RegistrationRefused) as refusal:
        await register(session, ada, now=START)

    assert refusal.value.message == (
        "This session has been cancelled, so you cannot register for it."
    )
    assert await Registration.filter(session_id=session.id).count() == 0


async def test_no_registration_for_a_cancelled_occurrence_but_the_next_date_is_fine(
    db: None,
) -> None:
    session = await make_session(recurrence=Recurrence.WEEKLY, count=4)
    second_date = FIRST_DATE + timedelta(weeks=1)
    await OccurrenceOverride.create(session=session, original_start=second_date, cancelled=True)
    (ada,) = await people(1)

    with pytest.raises(RegistrationRefused) as refusal:
        await register(session, ada, occurrence_key(second_date), now=START)
    third = await register(
        session, ada, occurrence_key(second_date + timedelta(weeks=1)), now=START
    )

    assert refusal.value.message == "This date has been cancelled, so you cannot register for it."
    assert await statuses(session) == [("person1@example.org", "2026-12-15T15:00:00Z", REGISTERED)]
    assert third.status == REGISTERED


async def test_an_unverified_person_is_refused_with_a_clear_message(db: None) -> None:
    session = await make_session()
    unverified = await make_person("new.comer@example.org")

    with pytest.raises(RegistrationRefused) as refusal:
        await register(session, unverified, now=START)

    assert refusal.value.message == (
        "Confirm your email address before you register: use the link we emailed you."
    )
    assert await Registration.filter(session_id=session.id).count() == 0


async def test_no_registration_for_a_past_date_or_a_date_the_series_never_has(db: None) -> None:
    past = await make_session("last-week", starts_at=START - timedelta(days=7))
    series = await make_session("weekly", recurrence=Recurrence.WEEKLY, count=3)
    (ada,) = await people(1)

    with pytest.raises(RegistrationRefused) as over:
        await register(past, ada, now=START)
    with pytest.raises(RegistrationRefused) as passed:
        await register(series, ada, occurrence_key(FIRST_DATE), now=FIRST_DATE + timedelta(days=1))
    with pytest.raises(RegistrationRefused) as unknown:
        await register(series, ada, "2026-12-02T15:00:00Z", now=START)

    assert over.value.message == "This session has already taken place."
    assert passed.value.message == "This date has already taken place."
    assert unknown.value.message == "That date is not part of this session."
    assert await Registration.all().count() == 0


async def test_invitation_only_sessions_take_registrations_from_their_team_only(
    db: None,
) -> None:
    session = await make_session(visibility=Visibility.INVITATION)
    stranger = await make_person("stranger@example.org", verified_at=START)
    organiser = await make_person("organiser@example.gov", verified_at=START)
    await Person.filter(id=organiser.id).update(role=Role.ORGANISER)
    organiser = await Person.get(id=organiser.id)
    await session.team.add(organiser)

    with pytest.raises(RegistrationRefused) as refusal:
        await register(session, stranger, now=START)
    entry = await register(session, organiser, now=START)

    assert refusal.value.message == "This session is by invitation only."
    assert entry.status == REGISTERED and entry.person_id == organiser.id


async def test_registering_twice_is_refused_as_already_registered_and_keeps_one_row(
    db: None,
) -> None:
    session = await make_session(capacity=1)
    ada, bob = await people(2)
    await register(session, ada, now=START)
    await register(session, bob, now=START)

    with pytest.raises(AlreadyRegistered) as again:
        await register(session, ada, now=START)
    with pytest.raises(AlreadyRegistered) as waiting:
        await register(session, bob, now=START)

    assert again.value.message == "You are already registered."
    assert waiting.value.message == "You are already on the waitlist."
    assert [s for _, _, s in await statuses(session)] == [REGISTERED, WAITLISTED]


async def test_registering_again_after_cancelling_joins_the_back_of_the_waitlist(
    db: None,
) -> None:
    session = await make_session(capacity=1)
    ada, bob, cy = await people(3)
    for person in (ada, bob, cy):
        await register(session, person, now=START)
    await cancel_registration(session, cy, now=START)  # leaves the waitlist
    again = await register(session, cy, now=START)  # rejoins it, behind nobody new yet
    dee = await make_person("dee@example.org", verified_at=START)
    await register(session, dee, now=START)

    await cancel_registration(session, ada, now=START)  # Bob's place
    await cancel_registration(session, bob, now=START)  # then Cy's, not Dee's

    assert again.status == WAITLISTED
    rows = {r.person_id: r.status for r in await Registration.filter(session_id=session.id)}
    assert rows == {ada.id: CANCELLED, bob.id: CANCELLED, cy.id: REGISTERED, dee.id: WAITLISTED}
    assert await Registration.filter(session_id=session.id).count() == 4  # one row each


async def test_a_whole_series_place_takes_a_place_at_every_date(db: None) -> None:
    session = await make_session(capacity=1, recurrence=Recurrence.WEEKLY, count=3)
    ada, bob = await people(2)
    second_date = occurrence_key(FIRST_DATE + timedelta(weeks=1))

    await register(session, ada, WHOLE_SERIES, now=START)
    single = await register(session, bob, second_date, now=START)
    await cancel_registration(session, ada, WHOLE_SERIES, now=START)

    assert single.status == WAITLISTED
    promoted = await Registration.get(session_id=session.id, person_id=bob.id)
    assert (promoted.occurrence_key, promoted.status, promoted.promoted_at) == (
        second_date,
        REGISTERED,
        START,
    )


async def test_a_series_place_replaces_the_persons_single_dates_without_using_two_places(
    db: None,
) -> None:
    session = await make_session(capacity=1, recurrence=Recurrence.WEEKLY, count=2)
    (ada,) = await people(1)
    first = occurrence_key(FIRST_DATE)

    await register(session, ada, first, now=START)
    whole = await register(session, ada, WHOLE_SERIES, now=START)

    assert whole.status == REGISTERED  # the first date's place was already hers
    assert await statuses(session) == [
        ("person1@example.org", first, CANCELLED),
        ("person1@example.org", WHOLE_SERIES, REGISTERED),
    ]
    with pytest.raises(AlreadyRegistered) as again:
        await register(session, ada, first, now=START)
    assert again.value.message == "You are already registered for every date of this series."


async def _outbox() -> list[tuple[str, str]]:
    rows = await Notification.all().order_by("id").values_list("key", "subject")
    return [(str(key), str(subject)) for key, subject in rows]


async def test_a_place_and_its_invitation_are_written_together_without_waiting_for_a_job(
    db: None, site: Site
) -> None:
    session = await make_session(capacity=1)
    ada, bob = await people(2)

    place = await register(session, ada, now=START, site=site)
    waiting = await register(session, bob, now=START, site=site)

    # The waitlist entry holds no invitation; the place holds its REQUEST at SEQUENCE 0.
    assert await _outbox() == [
        (f"invitation:registration-{place.id}", f"Invitation: {session.title}")
    ]
    later = START + timedelta(hours=1)
    await cancel_registration(session, ada, now=later, site=site)
    assert await _outbox() == [
        (f"invitation:registration-{place.id}", f"Invitation: {session.title}"),
        (f"cancellation:registration-{place.id}", f"Cancelled: {session.title}"),
        (f"invitation:registration-{waiting.id}", f"Invitation: {session.title}"),
        (
            f"promoted:registration-{waiting.id}:{later.isoformat()}",
            f"You have a place: {session.title}",
        ),
    ]
    # The scheduler's job, the safety net, finds every message written and adds none.
    assert await invitations(site, now=later) == 0
    assert await waitlist_promotions(site, now=later) == 0


async def test_cancelling_a_date_writes_each_registrants_cancel_in_its_transaction(
    db: None, site: Site
) -> None:
    session = await make_session(recurrence=Recurrence.WEEKLY, count=4)
    ada = await make_person("ada@example.org", verified_at=START)
    place = await register(session, ada, now=START, site=site)
    organiser = await make_person("org@example.gov", "Org", role=Role.ADMIN)

    assert await cancel_occurrence(
        organiser, session, FIRST_DATE + timedelta(days=7), now=START, site=site
    )

    # The key names the change (the SEQUENCE it gave the session) and the person: one message.
    assert await _outbox() == [
        (f"invitation:registration-{place.id}", f"Invitation: {session.title}"),
        (
            f"session-{session.id}:seq1:person-{ada.id}:cancel",
            f"Cancelled: {session.title}, Tuesday 8 December 2026",
        ),
    ]
