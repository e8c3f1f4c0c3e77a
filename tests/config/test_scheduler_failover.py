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
here the delay is only printed. The waits (tests/config/schedulers.py) are guards so that a broken
test fails instead of hanging, generous enough for a machine under any reasonable load.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest

from core.notifications.models import Notification
from tests.config.schedulers import (
    GUARD_SECONDS,
    POLL_SECONDS,
    PROCESS_EXIT_SECONDS,
    logs_of,
    more_passes,
    queue,
    running_schedulers,
    scheduler_environ,
    subjects,
    wait_for_leader,
    wait_until_all_marked_sent,
)
from tests.support import Mailbox

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


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
        logs = logs_of(schedulers)

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
        assert standby.leader_pids() == [], logs_of(schedulers)

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
        logs = logs_of(schedulers)

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
