"""Write the demonstration sessions, their changed occurrences and their registrations.

Sessions are matched by slug: one that exists is left alone, with its occurrences and registrations.
Called by `loader.load_demo` inside its transaction.
"""

from __future__ import annotations

from datetime import datetime

from consult.calls.models import Call
from consult.demo.people import RespondentProfile
from consult.demo.registrations import plan_registrations
from consult.demo.schedule import PlannedSession, plan_sessions
from consult.demo.sessions import SESSIONS
from core.models import Person, Topic
from events.models import (
    OccurrenceOverride,
    Registration,
    Session,
    SessionStatus,
    occurrence_key,
)


def session_slugs() -> list[str]:
    return [spec.slug for spec in SESSIONS]


async def load_sessions(
    *,
    now: datetime,
    organiser: Person,
    profiles: list[RespondentProfile],
    seed: int,
    batch: int,
) -> tuple[list[PlannedSession], int]:
    """The sessions created by this load, and how many registrations were written for them."""
    planned = plan_sessions(SESSIONS, now=now)
    existing = set(await Session.filter(slug__in=session_slugs()).values_list("slug", flat=True))
    new = [session for session in planned if session.spec.slug not in existing]
    ids = await _create_sessions(new, organiser)
    await OccurrenceOverride.bulk_create(
        OccurrenceOverride(
            session_id=ids[session.spec.slug],
            original_start=change.original_start,
            cancelled=change.cancelled,
            starts_at=change.starts_at,
            ends_at=change.ends_at,
            created_at=session.created_at,
        )
        for session in new
        for change in session.changes
    )
    # Planned for every session, so each one gets the same people whichever are new.
    wanted = [
        registration
        for registration in plan_registrations(planned, profiles, now=now, seed=seed)
        if registration.session in ids
    ]
    people = dict(
        await Person.filter(email__in={r.email for r in wanted}).values_list("email", "id")
    )
    await Registration.bulk_create(
        (
            Registration(
                session_id=ids[registration.session],
                person_id=people[registration.email],
                occurrence_key=occurrence_key(registration.occurrence),
                status=registration.status,
                cancelled_at=registration.cancelled_at,
                created_at=registration.created_at,
            )
            for registration in wanted
        ),
        batch_size=batch,
    )
    return new, len(wanted)


async def _create_sessions(new: list[PlannedSession], organiser: Person) -> dict[str, int]:
    """Session ids by slug; each with its topics and the organiser in its team."""
    topics = {topic.slug: topic for topic in await Topic.all()}
    calls = dict(
        await Call.filter(slug__in=[s.spec.call for s in new if s.spec.call]).values_list(
            "slug", "id"
        )
    )
    ids: dict[str, int] = {}
    for planned in new:
        spec = planned.spec
        session = await Session.create(
            slug=spec.slug,
            title=spec.title,
            description=spec.description,
            kind=spec.kind,
            call_id=calls.get(spec.call) if spec.call else None,
            starts_at=planned.starts_at,
            ends_at=planned.ends_at,
            timezone=spec.zone,
            location=spec.location,
            online_url=spec.online_url,
            capacity=spec.capacity,
            visibility=spec.visibility,
            status=SessionStatus.CANCELLED if planned.cancelled_at else SessionStatus.SCHEDULED,
            cancelled_at=planned.cancelled_at,
            sequence=planned.sequence,
            recurrence=spec.recurrence,
            recurrence_count=spec.count,
            created_by=organiser,
            created_at=planned.created_at,
        )
        await session.topics.add(*(topics[slug] for slug in spec.topics))
        await session.team.add(organiser)
        ids[spec.slug] = session.id
    return ids
