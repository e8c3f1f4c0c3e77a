"""What is due now, derived afresh from database rows on every run (nothing lives in memory).

Each run writes the messages that are due into the outbox under keys that name them, so running
twice, from two processes, or after a restart finds them already written and adds nothing. Only
the newest reminder of a kind is written when a run comes late (a scheduler that was down for two
days sends "closes in 24 hours", not both reminders).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q

from consult.calls.models import CallState
from consult.responses.models import Response, ResponseStatus
from core.notifications.compose import Site, write
from core.notifications.preferences import wants
from events.invitation_mail import SAFETY_NET, write_invitations, write_promotions
from events.models import (
    Recurrence,
    Registration,
    RegistrationStatus,
    Session,
    SessionStatus,
    occurrence_key,
)
from events.queries import session_occurrences

log = logging.getLogger("consult.scheduler")

DEADLINE_REMINDERS = (("deadline_48h", timedelta(hours=48)), ("deadline_24h", timedelta(hours=24)))
SESSION_REMINDERS = (("session_24h", timedelta(hours=24)), ("session_1h", timedelta(hours=1)))


@dataclass
class JobReport:
    written: int = 0

    def add(self, written: bool) -> None:
        self.written += int(written)


def _latest_due(
    reminders: tuple[tuple[str, timedelta], ...], moment: datetime, now: datetime
) -> str | None:
    """The kind of the newest reminder whose time has come before `moment`, or None."""
    due = [kind for kind, before in reminders if moment - before <= now < moment]
    return due[-1] if due else None


async def deadline_reminders(site: Site, *, now: datetime) -> int:
    """Reminders 48 h and 24 h before a call closes, to everyone with an unsubmitted draft."""
    report = JobReport()
    drafts = await Response.filter(
        status=ResponseStatus.DRAFT,
        respondent_id__isnull=False,
        call__state=CallState.PUBLISHED,
        call__opens_at__lte=now,
        call__closes_at__gt=now,
        call__closes_at__lte=now + DEADLINE_REMINDERS[0][1],
    ).select_related("call", "respondent")
    for draft in drafts:
        kind = _latest_due(DEADLINE_REMINDERS, draft.call.closes_at, now)
        if kind is None or draft.respondent is None:
            continue
        if not wants(draft.respondent.mail_opt_outs, kind):
            continue
        hours = 48 if kind == "deadline_48h" else 24
        key = f"{kind}:response-{draft.id}:{draft.call.closes_at.isoformat()}"
        written = await write(
            site,
            kind,
            draft.respondent,
            key=key,
            due_at=now,
            call=draft.call,
            hours=hours,
            link=site.link("responses:start", slug=draft.call.slug),
        )
        report.add(written is not None)
    return report.written


async def session_reminders(site: Site, *, now: datetime) -> int:
    """Reminders 24 h and 1 h before each occurrence, to every registered person."""
    report = JobReport()
    horizon = now + SESSION_REMINDERS[0][1]
    sessions = await Session.filter(
        Q(recurrence=Recurrence.NONE, starts_at__gt=now) | ~Q(recurrence=Recurrence.NONE),
        status=SessionStatus.SCHEDULED,
        starts_at__lte=horizon,
    )
    for session in sessions:
        upcoming = [
            o
            for o in await session_occurrences(session, window_start=now, window_end=horizon)
            if not o.cancelled and o.starts_at > now
        ]
        if not upcoming:
            continue
        registrations = await Registration.filter(
            session_id=session.id, status=RegistrationStatus.REGISTERED
        ).select_related("person")
        for occurrence in upcoming:
            kind = _latest_due(SESSION_REMINDERS, occurrence.starts_at, now)
            if kind is None:
                continue
            key_of_occurrence = occurrence_key(occurrence.original_start)
            for registration in registrations:
                if registration.occurrence_key not in ("", key_of_occurrence):
                    continue
                if not wants(registration.person.mail_opt_outs, kind):
                    continue
                when = "in 24 hours" if kind == "session_24h" else "in 1 hour"
                written = await write(
                    site,
                    kind,
                    registration.person,
                    key=f"{kind}:registration-{registration.id}:{key_of_occurrence}",
                    due_at=now,
                    session=session,
                    occurrence=occurrence,
                    when=when,
                    link=site.link("sessions:detail", slug=session.slug),
                )
                report.add(written is not None)
    return report.written


async def waitlist_promotions(site: Site, *, now: datetime) -> int:
    """A message to each person moved off a waitlist, once per promotion."""
    # A week back is ample for a run that comes late; older promotions were written long ago.
    promoted = await Registration.filter(
        status=RegistrationStatus.REGISTERED, promoted_at__gte=now - timedelta(days=7)
    ).select_related("session", "person")
    return await write_promotions(site, promoted, now=now)


async def invitations(site: Site, *, now: datetime) -> int:
    """The safety net under the invitations and CANCELs places hold (`events.invitation_mail`):
    places given, promoted or given up lately whose message is not in the outbox get it.

    Changes of a session write their messages only in their own transaction: what a change did
    to each date is known there, and not afterwards.
    """
    since = now - SAFETY_NET
    places = await Registration.filter(
        Q(status=RegistrationStatus.REGISTERED, created_at__gte=since)
        | Q(status=RegistrationStatus.REGISTERED, promoted_at__gte=since)
        | Q(status=RegistrationStatus.CANCELLED, cancelled_at__gte=since),
        session__status=SessionStatus.SCHEDULED,
    ).select_related("person")
    sessions = {
        s.id: s
        for s in await Session.filter(id__in={p.session_id for p in places}).prefetch_related(
            "overrides", "topics"
        )
    }
    return await write_invitations(site, places, sessions, now=now)
