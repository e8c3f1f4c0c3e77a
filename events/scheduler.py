"""One pass of the scheduler: write what is due into the outbox, then send what the outbox holds.

The pass keeps no state between runs, so it can run from cron (`consult scheduler --once`), from the
leader's loop, or after a crash, with the same result: every due message written once, sent once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from consult.clock import Clock
from events.jobs import Site, write_due_messages
from events.leader import LeaderLock, run_as_leader
from events.mail import MailSettings
from events.notify import dispatch_due

log = logging.getLogger("consult.scheduler")


@dataclass(frozen=True)
class PassReport:
    written: int
    sent: int
    failed: int

    def __str__(self) -> str:
        return f"{self.written} message(s) written, {self.sent} sent, {self.failed} to retry"


async def run_pass(site: Site, mail: MailSettings, *, now: datetime) -> PassReport:
    """Everything due at `now`: reminders and promotions written, then the outbox sent."""
    written = await write_due_messages(site, now=now)
    dispatched = await dispatch_due(mail, now=now)
    report = PassReport(written, dispatched.sent, dispatched.failed)
    if written or dispatched.sent or dispatched.failed:
        log.info("scheduler pass at %s: %s", now.isoformat(timespec="seconds"), report)
    return report


async def run_scheduler(site: Site, *, clock: Clock, stop: asyncio.Event) -> None:
    """The scheduler for the life of a process: a pass every poll interval while this process leads.

    Every web process and `consult scheduler` may run this; the leader lock lets one act at a time,
    and a standby takes over within one poll interval when the leader dies.
    """
    settings = site.settings
    lock = LeaderLock.for_database(settings.database_url, settings.data_dir)

    async def one_pass() -> None:
        await run_pass(site, settings.mail, now=clock.now())

    await run_as_leader(lock, one_pass, poll_seconds=settings.scheduler_poll_seconds, stop=stop)
