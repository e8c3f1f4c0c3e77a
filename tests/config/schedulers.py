"""Real `consult scheduler` processes for the tests that need several: started the way an operator
starts one, each with its log in a file, stopped and reaped on leaving; and the waits on what they
do (a leader, the outbox sent, more whole passes), each bounded by a guard so that a broken test
fails instead of hanging.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.notifications.models import Notification
from core.notifications.outbox import enqueue
from core.notifications.transport import OutgoingMail
from tests.conftest import environ_for_tests
from tests.support import Mailbox

POLL_SECONDS = 1
GUARD_SECONDS = 90  # not a speed limit: only so that a broken test fails instead of hanging
PROCESS_EXIT_SECONDS = 10
BECAME_LEADER = re.compile(r"Became leader for 'consult-scheduler' \(pid (\d+)\)")


@dataclass
class Scheduler:
    """One `consult scheduler` process; stdout and stderr go to a file, read without blocking."""

    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def leader_pids(self) -> list[int]:
        """The pids in this process's "Became leader" lines (its own, once it has led)."""
        return [int(pid) for pid in BECAME_LEADER.findall(self.log())]

    def describe(self) -> str:
        return f"--- scheduler pid {self.pid} (exit {self.process.poll()}) ---\n{self.log()}"


def scheduler_environ(database_url: str, tmp_path: Path, mailbox: Mailbox) -> dict[str, str]:
    return {
        **os.environ,
        **environ_for_tests(
            database_url,
            tmp_path / "data",
            mailbox,
            SCHEDULER_POLL_SECONDS=str(POLL_SECONDS),
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        ),
    }


@contextmanager
def running_schedulers(
    count: int, environ: dict[str, str], folder: Path
) -> Iterator[list[Scheduler]]:
    """Start `count` scheduler processes; on leaving, stop every one and reap it (bounded waits)."""
    schedulers: list[Scheduler] = []
    try:
        for number in range(1, count + 1):
            log_path = folder / f"scheduler-{number}.log"
            with log_path.open("wb") as log:  # the child keeps its own copy of the descriptor
                process = subprocess.Popen(
                    [sys.executable, "-m", "config", "scheduler"],
                    cwd=folder,  # not the project folder: a developer's .env must not leak in
                    env=environ,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            schedulers.append(Scheduler(process, log_path))
        yield schedulers
    finally:
        for scheduler in schedulers:
            if scheduler.process.poll() is None:
                scheduler.process.terminate()
        for scheduler in schedulers:
            _reap(scheduler.process)


def _reap(process: subprocess.Popen[bytes]) -> None:
    try:
        process.wait(timeout=PROCESS_EXIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=PROCESS_EXIT_SECONDS)


async def wait_for_leader(candidates: list[Scheduler], everyone: list[Scheduler]) -> Scheduler:
    """The one candidate that has logged "Became leader" with its own pid."""
    deadline = time.monotonic() + GUARD_SECONDS
    while time.monotonic() < deadline:
        for scheduler in candidates:
            if scheduler.process.poll() is not None:
                pytest.fail("a scheduler exited early\n" + logs_of(everyone), pytrace=False)
        leaders = [s for s in candidates if s.leader_pids()]
        if leaders:
            assert len(leaders) == 1, "two schedulers lead at once\n" + logs_of(everyone)
            assert leaders[0].leader_pids() == [leaders[0].pid], logs_of(everyone)
            return leaders[0]
        await asyncio.sleep(0.05)
    pytest.fail(f"no scheduler became leader within {GUARD_SECONDS} s\n" + logs_of(everyone))


async def wait_until_all_marked_sent(everyone: list[Scheduler]) -> None:
    """Until every row due by now says it was sent."""
    deadline = time.monotonic() + GUARD_SECONDS
    while await Notification.filter(sent_at__isnull=True, due_at__lte=datetime.now(UTC)).exists():
        if time.monotonic() > deadline:
            unsent = await Notification.filter(sent_at__isnull=True).values_list(
                "subject", flat=True
            )
            pytest.fail(f"rows never marked sent: {unsent}\n" + logs_of(everyone), pytrace=False)
        await asyncio.sleep(0.05)


async def more_passes(mailbox: Mailbox, count: int, everyone: list[Scheduler]) -> list[str]:
    """Queue `count` markers one after another, each after the previous arrived: every arrival is
    another whole pass of the leader over the outbox. Returns the markers' subjects."""
    markers = []
    for number in range(1, count + 1):
        marker = f"Pass marker {number}"
        await queue(marker)
        deadline = time.monotonic() + GUARD_SECONDS
        while marker not in subjects(mailbox):
            if time.monotonic() > deadline:
                pytest.fail(f"{marker} never arrived\n" + logs_of(everyone), pytrace=False)
            await asyncio.sleep(0.05)
        markers.append(marker)
    await wait_until_all_marked_sent(everyone)
    return markers


def logs_of(schedulers: list[Scheduler]) -> str:
    return "\n".join(s.describe() for s in schedulers)


def subjects(mailbox: Mailbox) -> Counter[str]:
    return Counter(str(m["Subject"]).strip() for m in list(mailbox.messages))


async def queue(subject: str) -> None:
    """An outbox row due now by the real clock, written the way the app writes one."""
    written = await enqueue(
        f"failover-test:{subject}",
        "test",
        OutgoingMail("someone@example.org", subject, f"Body of {subject}"),
        due_at=datetime.now(UTC),
    )
    assert written is not None
