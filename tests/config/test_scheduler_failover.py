"""Two real `consult scheduler` processes on one PostgreSQL database: mail goes out exactly once,
and when the leader is killed the standby takes over and sends.

Each scheduler is a separate operating-system process started the way an operator would start it,
so the advisory lock, the outbox claims and SIGKILL are all real. The test writes outbox rows with
the app's own `enqueue`, due at the real time (the processes use the system clock), and reads the
mail from the loopback SMTP server. PostgreSQL only: the `database_url` fixture skips these tests
when the test run's PostgreSQL is not reachable (the SQLite file lock is covered by test_leader).

Nothing here depends on how fast the machine is. "More passes change nothing" is shown by
queuing marker messages and waiting until they arrive (each arrival proves the leader made
another whole pass over an outbox where everything else was already sent), not by sleeping. How
soon a standby takes over (at its next round) is test_leader's, with rounds stepped by the test;
here the delay is only printed. The waits below are guards so that a broken test fails instead
of hanging, generous enough for a machine under any reasonable load.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
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

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


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
                pytest.fail("a scheduler exited early\n" + _logs(everyone), pytrace=False)
        leaders = [s for s in candidates if s.leader_pids()]
        if leaders:
            assert len(leaders) == 1, "two schedulers lead at once\n" + _logs(everyone)
            assert leaders[0].leader_pids() == [leaders[0].pid], _logs(everyone)
            return leaders[0]
        await asyncio.sleep(0.05)
    pytest.fail(f"no scheduler became leader within {GUARD_SECONDS} s\n" + _logs(everyone))


async def wait_until_all_marked_sent(everyone: list[Scheduler]) -> None:
    """Until every row due by now says it was sent."""
    deadline = time.monotonic() + GUARD_SECONDS
    while await Notification.filter(sent_at__isnull=True, due_at__lte=datetime.now(UTC)).exists():
        if time.monotonic() > deadline:
            unsent = await Notification.filter(sent_at__isnull=True).values_list(
                "subject", flat=True
            )
            pytest.fail(f"rows never marked sent: {unsent}\n" + _logs(everyone), pytrace=False)
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
                pytest.fail(f"{marker} never arrived\n" + _logs(everyone), pytrace=False)
            await asyncio.sleep(0.05)
        markers.append(marker)
    await wait_until_all_marked_sent(everyone)
    return markers


def _logs(schedulers: list[Scheduler]) -> str:
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


async def test_two_schedulers_send_every_outbox_message_exactly_once(
    database_url: str, db: None, mailbox: Mailbox, tmp_path: Path
) -> None:
    before = [f"Queued before start {n:02d}" for n in range(1, 41)]
    during = [f"Queued while running {n:02d}" for n in range(1, 21)]
    for subject in before:
        await queue(subject)

    environ = scheduler_environ(database_url, tmp_path, mailbox)
    with running_schedulers(2, environ, tmp_path) as schedulers:
        await wait_for_leader(schedulers, schedulers)
        for subject in during:  # spread over about a second: several passes see new rows
            await queue(subject)
            await asyncio.sleep(0.05)

        await asyncio.to_thread(mailbox.wait_for, len(before) + len(during), GUARD_SECONDS)
        await wait_until_all_marked_sent(schedulers)
        markers = await more_passes(mailbox, 2, schedulers)  # after which nothing went twice
        received = subjects(mailbox)
        leaders = [pid for s in schedulers for pid in s.leader_pids()]
        logs = _logs(schedulers)

    duplicates = {subject: n for subject, n in received.items() if n > 1}
    missing = set(before + during) - set(received)
    assert duplicates == {}, logs
    assert missing == set(), logs
    assert set(received) == set(before + during + markers)
    assert len(leaders) == 1, "only one process may lead while none dies\n" + logs
    rows = await Notification.all().values_list("subject", "sent_at", "attempts")
    assert len(rows) == len(before) + len(during) + len(markers)
    assert [subject for subject, sent_at, _ in rows if sent_at is None] == []
    assert {attempts for _, _, attempts in rows} == {1}  # each row sent, and marked, once


async def test_the_standby_takes_over_and_sends_when_the_leader_is_killed(
    database_url: str, db: None, mailbox: Mailbox, tmp_path: Path
) -> None:
    environ = scheduler_environ(database_url, tmp_path, mailbox)
    with running_schedulers(2, environ, tmp_path) as schedulers:
        leader = await wait_for_leader(schedulers, schedulers)
        [standby] = [s for s in schedulers if s is not leader]
        await queue("Sent by the first leader")
        await asyncio.to_thread(mailbox.wait_for, 1, GUARD_SECONDS)
        await wait_until_all_marked_sent(schedulers)  # nothing is in flight when it dies
        assert standby.leader_pids() == [], _logs(schedulers)

        killed_at = time.monotonic()
        leader.process.send_signal(signal.SIGKILL)
        leader.process.wait(timeout=PROCESS_EXIT_SECONDS)
        await queue("Sent after the leader was killed")
        queued_at = time.monotonic()
        await asyncio.to_thread(mailbox.wait_for, 2, GUARD_SECONDS)
        delivered_at = time.monotonic()

        await wait_until_all_marked_sent(schedulers)
        markers = await more_passes(mailbox, 1, schedulers)  # the new leader sends nothing twice
        received = subjects(mailbox)
        logs = _logs(schedulers)

    delay = delivered_at - killed_at
    print(
        f"\ntake-over: mail delivered {delay:.2f} s after SIGKILL to the leader"
        f" ({delivered_at - queued_at:.2f} s after it was queued);"
        f" poll {POLL_SECONDS} s"
    )
    assert leader.process.returncode == -signal.SIGKILL
    assert received == {
        "Sent by the first leader": 1,
        "Sent after the leader was killed": 1,
        **dict.fromkeys(markers, 1),
    }, logs
    assert standby.leader_pids() == [standby.pid], "the standby must have taken the lead\n" + logs
    rows = await Notification.all().values_list("subject", "sent_at", "attempts")
    assert sorted((subject, attempts) for subject, _, attempts in rows) == [
        ("Pass marker 1", 1),
        ("Sent after the leader was killed", 1),
        ("Sent by the first leader", 1),
    ]
    assert all(sent_at is not None for _, sent_at, _ in rows)
