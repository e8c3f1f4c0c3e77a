"""Who registered for which demonstration session, when, and who later gave up a place: a plan.

Named people come from each session's spec; the rest are respondents drawn with the seed, so the
same sessions always get the same people. Places fill in the order people registered, and the
waitlist holds those who came after the last place went.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from consult.demo.people import RespondentProfile
from consult.demo.schedule import PlannedSession
from events.models import RegistrationStatus

EARLIEST = timedelta(days=1)  # after the session was announced
LATEST = timedelta(hours=1)  # before it starts (or was cancelled)


@dataclass(frozen=True)
class PlannedRegistration:
    session: str  # slug
    email: str
    occurrence: datetime | None  # the occurrence's original start; None: the whole session
    status: RegistrationStatus
    created_at: datetime
    cancelled_at: datetime | None = None


def plan_registrations(
    sessions: list[PlannedSession],
    profiles: list[RespondentProfile],
    *,
    now: datetime,
    seed: int,
) -> list[PlannedRegistration]:
    """Registrations for every session, the same for the same seed whichever sessions are new."""
    rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
    planned: list[PlannedRegistration] = []
    for session in sessions:
        planned += _for_session(session, profiles, rng, now)
    return planned


def _for_session(
    session: PlannedSession,
    profiles: list[RespondentProfile],
    rng: random.Random,
    now: datetime,
) -> list[PlannedRegistration]:
    spec = session.spec
    invited = [
        p.email for p in profiles if not spec.invited_sectors or p.sector in spec.invited_sectors
    ]
    opens = session.created_at + EARLIEST
    whole = _Window(opens, min(session.closes_registration, now) - LATEST)
    if not spec.by_occurrence:
        people = [
            *spec.attendees,
            *rng.sample(invited, spec.registered + spec.waitlisted + spec.withdrawn),
        ]
        return _places(
            spec.slug,
            None,
            people,
            whole,
            rng,
            waitlisted=spec.waitlisted,
            withdrawn=spec.withdrawn,
        )
    # Named people follow the whole series; respondents pick the meetings they can join.
    found = _places(spec.slug, None, list(spec.attendees), whole, rng)
    for start in session.starts:
        if start in session.cancelled_starts:
            continue
        people = rng.sample(invited, spec.registered + rng.randint(-3, 3))
        window = _Window(opens, min(start, now) - LATEST)
        found += _places(spec.slug, start, people, window, rng)
    return found


@dataclass(frozen=True)
class _Window:
    """When people could register: from soon after the session was announced until it began."""

    opens: datetime
    closes: datetime

    def moments(self, rng: random.Random, count: int) -> list[datetime]:
        span = (self.closes - self.opens).total_seconds()
        return sorted(self.opens + timedelta(seconds=rng.uniform(0, span)) for _ in range(count))


def _places(
    slug: str,
    occurrence: datetime | None,
    people: list[str],
    window: _Window,
    rng: random.Random,
    *,
    waitlisted: int = 0,
    withdrawn: int = 0,
) -> list[PlannedRegistration]:
    """Registrations in the order they were made: the last `waitlisted` people found no place, and
    `withdrawn` of the others gave theirs up later."""
    placed = people[: len(people) - waitlisted]
    rng.shuffle(placed)
    gave_up = set(rng.sample(placed, withdrawn))
    in_order = placed + people[len(placed) :]
    found = []
    for position, (email, created_at) in enumerate(
        zip(in_order, window.moments(rng, len(in_order)), strict=True)
    ):
        status, cancelled_at = RegistrationStatus.REGISTERED, None
        if position >= len(placed):
            status = RegistrationStatus.WAITLISTED
        elif email in gave_up:
            status = RegistrationStatus.CANCELLED
            cancelled_at = _Window(created_at, window.closes).moments(rng, 1)[0]
        found.append(PlannedRegistration(slug, email, occurrence, status, created_at, cancelled_at))
    return found
