"""The scheduler: APScheduler jobs derived from database rows, run only by the leader.

A *pass* (`run_pass`) does everything due at a moment: it records calls' phase moves, writes the
due messages into the outbox under keys that name them, and sends what the outbox holds. It keeps
no state, so it can run from cron (`consult scheduler --once`), from the leader, or after a crash
with the same result: every due message written once, sent once.

The leader keeps an APScheduler `AsyncIOScheduler` with one date job per moment something falls
due in the next day (a call opening or closing, a reminder, an organiser's 08:00), each running a
pass at that second. The jobs are derived from rows: when the leader starts, and again whenever a
call, session, registration or organiser changes (a cheap fingerprint checked every poll), so a
restart or a change made by another process loses nothing. A pass every ten minutes and the daily
retention job run besides, as a safety net that needs no derivation at all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from tortoise.functions import Count, Max
from tortoise.models import Model

from base.settings import MailSettings
from config.leader import LeaderLock, run_as_leader
from consult.calls.models import Call, CallState
from consult.calls.phases import record_call_phases
from consult.moderation.digest import latest_digest_time, organiser_digests
from consult.retention import apply_retention
from core.clock import Clock
from core.models import Person
from core.notifications.compose import Site
from core.notifications.outbox import dispatch_due
from core.vocabulary import Role
from events.jobs import (
    DEADLINE_REMINDERS,
    SESSION_REMINDERS,
    deadline_reminders,
    invitations,
    session_reminders,
    waitlist_promotions,
)
from events.models import OccurrenceOverride, Registration, Session, SessionStatus
from events.queries import session_occurrences

log = logging.getLogger("consult.scheduler")

Job = Callable[..., Awaitable[int]]
# In order: phase moves first (their team notes go in this pass), invitations before reminders.
JOBS: tuple[Job, ...] = (
    record_call_phases,
    invitations,
    deadline_reminders,
    session_reminders,
    waitlist_promotions,
    organiser_digests,
)
# How far ahead the leader keeps date jobs; the catch-up pass re-derives long before it runs out.
HORIZON = timedelta(days=1)
CATCH_UP = timedelta(minutes=10)
RETENTION_HOUR_UTC = 3


@dataclass(frozen=True)
class PassReport:
    written: int
    sent: int
    failed: int

    def __str__(self) -> str:
        return f"{self.written} message(s) written, {self.sent} sent, {self.failed} to retry"


async def write_due_messages(site: Site, *, now: datetime) -> int:
    """Every job, once: the number of new messages written to the outbox."""
    written = 0
    for job in JOBS:
        count = await job(site, now=now)
        if count:
            log.info("%s wrote %d message(s)", job.__name__, count)
        written += count
    return written


async def run_pass(
    site: Site, mail: MailSettings, *, now: datetime, retention: bool = False
) -> PassReport:
    """Everything due at `now` written, then the outbox sent; with `retention`, that job too."""
    if retention:
        await apply_retention(site.settings, now=now)
    written = await write_due_messages(site, now=now)
    dispatched = await dispatch_due(mail, now=now)
    report = PassReport(written, dispatched.sent, dispatched.failed)
    if written or dispatched.sent or dispatched.failed:
        log.info("scheduler pass at %s: %s", now.isoformat(timespec="seconds"), report)
    return report


@dataclass(frozen=True, order=True)
class Moment:
    """A time something falls due, and what (for the log and the job's id)."""

    at: datetime
    what: str

    @property
    def job_id(self) -> str:
        return f"{self.what}@{self.at.isoformat()}"


async def due_moments(*, now: datetime, horizon: timedelta = HORIZON) -> list[Moment]:
    """Every moment in (now, now + horizon] at which a pass has work, derived from rows."""
    end = now + horizon
    moments: list[Moment] = []

    def add(at: datetime, what: str) -> None:
        if now < at <= end:
            moments.append(Moment(at.astimezone(UTC), what))

    calls = await Call.filter(state=CallState.PUBLISHED, closes_at__gt=now).only(
        "id", "slug", "opens_at", "closes_at"
    )
    for call in calls:
        add(call.opens_at, f"call {call.slug} opens")
        add(call.closes_at, f"call {call.slug} closes")
        for kind, before in DEADLINE_REMINDERS:
            add(call.closes_at - before, f"{kind} for call {call.slug}")

    reminder_reach = max(before for _, before in SESSION_REMINDERS)
    sessions = await Session.filter(status=SessionStatus.SCHEDULED, ends_at__gt=now).all()
    sessions += await Session.filter(status=SessionStatus.SCHEDULED, ends_at__lte=now).exclude(
        recurrence="none"
    )
    for session in sessions:
        for occurrence in await session_occurrences(
            session, window_start=now, window_end=end + reminder_reach
        ):
            if occurrence.cancelled:
                continue
            for kind, before in SESSION_REMINDERS:
                add(occurrence.starts_at - before, f"{kind} for session {session.slug}")

    for organiser in await Person.filter(
        role__in=[Role.ORGANISER, Role.ADMIN], is_active=True
    ).only("id", "time_zone"):
        next_digest = latest_digest_time(organiser.time_zone, now) + timedelta(days=1)
        add(next_digest, f"digest for person {organiser.id}")
    return sorted(set(moments))


async def rows_fingerprint() -> tuple[Any, ...]:
    """Changes whenever a row the moments derive from is added, changed or removed."""
    parts: list[Any] = []
    model: type[Model]
    for model in (Call, Session, OccurrenceOverride, Registration, Person):
        row = await model.annotate(rows=Count("id"), latest=Max("updated_at")).values(
            "rows", "latest"
        )
        parts.append(tuple(row[0].values()) if row else ())
    return tuple(parts)


class DatabaseScheduler:
    """The leader's APScheduler: date jobs from `due_moments`, re-derived when rows change."""

    def __init__(self, site: Site, *, clock: Clock) -> None:
        self.site = site
        self.clock = clock
        self.aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        )
        self._fingerprint: tuple[Any, ...] | None = None
        self._one_at_a_time = asyncio.Lock()

    @property
    def moments(self) -> list[tuple[str, datetime]]:
        """The date jobs scheduled now: (job id, run time), soonest first."""
        jobs = [
            (job.id, job.next_run_time)
            for job in self.aps.get_jobs()
            if job.id.startswith("at:") and job.next_run_time is not None
        ]
        return sorted(jobs, key=lambda job: job[1])

    async def lead(self) -> None:
        """Called every poll interval while this process leads."""
        if not self.aps.running:
            self.aps.start()
        if not self.aps.get_job("catch-up"):
            self._add_standing_jobs()
            await self.run_pass(retention=True)  # a new leader first catches up on everything
        fingerprint = await rows_fingerprint()
        if fingerprint != self._fingerprint:
            self._fingerprint = fingerprint
            await self.derive()
            await self.run_pass()  # a new registration is invited now, not at the next moment
        else:
            # Mail written by web requests whose first try failed, and retries after backoff.
            await dispatch_due(self.site.settings.mail, now=self.clock.now())

    def stand_down(self) -> None:
        """Leadership lost or given up: no job of ours may run any more."""
        if self.aps.running:
            self.aps.remove_all_jobs()
        self._fingerprint = None

    def shutdown(self) -> None:
        if self.aps.running:
            self.aps.shutdown(wait=False)

    async def derive(self) -> None:
        moments = await due_moments(now=self.clock.now())
        wanted = {f"at:{m.job_id}": m for m in moments}
        for job in self.aps.get_jobs():
            if job.id.startswith("at:") and job.id not in wanted:
                job.remove()
        for job_id, moment in wanted.items():
            if not self.aps.get_job(job_id):
                self.aps.add_job(
                    self.run_pass, "date", run_date=moment.at, id=job_id, name=moment.what
                )
        if moments:
            log.info(
                "scheduled %d job(s) for the next %s; next: %s at %s",
                len(moments),
                HORIZON,
                moments[0].what,
                moments[0].at.isoformat(timespec="seconds"),
            )

    async def run_pass(self, *, retention: bool = False) -> PassReport:
        async with self._one_at_a_time:
            return await run_pass(
                self.site, self.site.settings.mail, now=self.clock.now(), retention=retention
            )

    async def _catch_up(self) -> None:
        await self.derive()
        await self.run_pass()

    async def _retention(self) -> None:
        await self.run_pass(retention=True)

    def _add_standing_jobs(self) -> None:
        self.aps.add_job(
            self._catch_up, "interval", seconds=CATCH_UP.total_seconds(), id="catch-up"
        )
        self.aps.add_job(self._retention, "cron", hour=RETENTION_HOUR_UTC, minute=0, id="retention")


async def run_scheduler(site: Site, *, clock: Clock, stop: asyncio.Event) -> None:
    """The scheduler for the life of a process, acting only while this process leads.

    Every web process and `consult scheduler` may run this; the leader lock lets one act at a time,
    and a standby takes over within one poll interval (SCHEDULER_POLL_SECONDS) when the leader dies.
    """
    settings = site.settings
    lock = LeaderLock.for_database(settings.database_url, settings.data_dir)
    scheduler = DatabaseScheduler(site, clock=clock)
    try:
        await run_as_leader(
            lock,
            scheduler.lead,
            poll_seconds=settings.scheduler_poll_seconds,
            stop=stop,
            on_stand_down=scheduler.stand_down,
        )
    finally:
        scheduler.shutdown()
