"""The leader lock on a real database: one holder, hand-over on release, take-over when a holder dies."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from config.leader import (
    AdvisoryLeaderLock,
    FileLeaderLock,
    LeaderLock,
    advisory_key,
    postgres_dsn,
    run_as_leader,
)

ROOT = Path(__file__).resolve().parents[2]

HOLD_SCRIPT = """
import asyncio, sys
from pathlib import Path
from config.leader import LeaderLock

async def main() -> None:
    lock = LeaderLock.for_database(sys.argv[1], Path(sys.argv[2]))
    print("held" if await lock.try_acquire() else "refused", flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


def _hold_in_other_process(database_url: str, data_dir: Path) -> subprocess.Popen[str]:
    """A separate Python process that has taken the lock (it sleeps until killed)."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD_SCRIPT, database_url, str(data_dir)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "held"
    return process


@pytest.fixture
def locks(database_url: str, tmp_path: Path) -> tuple[LeaderLock, LeaderLock]:
    """Two locks of the same name on the same database, as two scheduler processes would hold."""
    first = LeaderLock.for_database(database_url, tmp_path / "data")
    second = LeaderLock.for_database(database_url, tmp_path / "data")
    return first, second


def test_for_database_picks_the_lock_of_the_database(tmp_path: Path) -> None:
    postgres = LeaderLock.for_database(
        "postgres://consult:pw@db.internal:5433/consult?minsize=2&sslmode=require", tmp_path
    )
    sqlite = LeaderLock.for_database(f"sqlite://{tmp_path}/consult.sqlite3", tmp_path, name="jobs")

    assert isinstance(postgres, AdvisoryLeaderLock)
    assert postgres.dsn == "postgresql://consult:pw@db.internal:5433/consult?sslmode=require"
    assert postgres.key == advisory_key("consult-scheduler") == advisory_key("consult-scheduler")
    assert -(2**63) <= postgres.key < 2**63
    assert isinstance(sqlite, FileLeaderLock)
    assert sqlite.path == tmp_path / "jobs.lock"


def test_postgres_dsn_accepts_every_postgres_scheme() -> None:
    assert postgres_dsn("asyncpg://u@h:5432/n") == "postgresql://u@h:5432/n"
    assert postgres_dsn("postgresql://u@h/n") == "postgresql://u@h/n"


async def test_try_acquire_lets_only_one_lock_hold(locks: tuple[LeaderLock, LeaderLock]) -> None:
    first, second = locks

    assert await first.try_acquire() is True
    assert await second.try_acquire() is False
    assert await first.try_acquire() is True  # asking again while holding keeps it
    assert (await first.still_held(), await second.still_held()) == (True, False)

    await first.release()
    assert await first.still_held() is False
    assert await second.try_acquire() is True
    assert await first.try_acquire() is False
    await second.release()


async def test_release_on_leaving_the_context(locks: tuple[LeaderLock, LeaderLock]) -> None:
    first, second = locks

    async with first:
        assert await first.try_acquire() is True
        assert await second.try_acquire() is False

    assert await second.try_acquire() is True
    await second.release()
    await second.release()  # a second release is harmless


async def test_lock_of_a_killed_process_passes_to_this_one_within_2_seconds(
    database_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    lock = LeaderLock.for_database(database_url, data_dir)
    holder = _hold_in_other_process(database_url, data_dir)
    try:
        assert await lock.try_acquire() is False

        holder.kill()  # SIGKILL: no clean-up runs in the holder
        holder.wait(timeout=5)
        killed_at = time.monotonic()
        while not await lock.try_acquire():
            assert time.monotonic() - killed_at < 2, "the lock was not freed within 2 s"
            await asyncio.sleep(0.05)

        assert await lock.still_held() is True
    finally:
        holder.kill()
        holder.wait(timeout=5)
        await lock.release()


async def test_still_held_is_false_once_the_lock_is_lost(
    database_url: str, locks: tuple[LeaderLock, LeaderLock]
) -> None:
    first, second = locks
    assert await first.try_acquire() is True

    if isinstance(first, AdvisoryLeaderLock):
        # The leader's session dies (a failover or a network cut looks the same to the server).
        connection = await asyncpg.connect(postgres_dsn(database_url))
        try:
            await connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = 'leader:consult-scheduler' AND datname = current_database()"
            )
        finally:
            await connection.close()
    else:
        assert isinstance(first, FileLeaderLock)
        first.path.unlink()  # a newcomer would lock a new file: ours no longer counts

    assert await first.still_held() is False
    assert await second.try_acquire() is True
    await first.release()
    await second.release()


async def test_run_as_leader_works_only_in_the_leader_and_the_standby_takes_over(
    locks: tuple[LeaderLock, LeaderLock], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="consult.scheduler")
    leader_lock, standby_lock = locks
    rounds: dict[str, int] = {"leader": 0, "standby": 0}
    worked = {"leader": asyncio.Event(), "standby": asyncio.Event()}
    stops = {"leader": asyncio.Event(), "standby": asyncio.Event()}

    def work_of(who: str) -> Callable[[], Awaitable[None]]:
        async def work() -> None:
            rounds[who] += 1
            worked[who].set()

        return work

    leader = asyncio.create_task(
        run_as_leader(leader_lock, work_of("leader"), poll_seconds=0.2, stop=stops["leader"])
    )
    await asyncio.wait_for(worked["leader"].wait(), timeout=2)
    standby = asyncio.create_task(
        run_as_leader(standby_lock, work_of("standby"), poll_seconds=0.2, stop=stops["standby"])
    )
    await asyncio.sleep(0.7)

    assert rounds["leader"] >= 3
    assert rounds["standby"] == 0

    stops["leader"].set()
    await asyncio.wait_for(leader, timeout=2)
    leader_rounds = rounds["leader"]
    await asyncio.wait_for(worked["standby"].wait(), timeout=2)
    await asyncio.sleep(0.3)
    stops["standby"].set()
    await asyncio.wait_for(standby, timeout=2)

    assert rounds["leader"] == leader_rounds
    assert rounds["standby"] >= 2
    assert await leader_lock.still_held() is False
    assert await standby_lock.still_held() is False
    assert await leader_lock.try_acquire() is True  # the standby released on stop
    await leader_lock.release()
    messages = [r.getMessage().split(" (pid")[0] for r in caplog.records]
    assert messages == [
        "Became leader for 'consult-scheduler'",
        "Released leadership of 'consult-scheduler'",
        "Became leader for 'consult-scheduler'",
        "Released leadership of 'consult-scheduler'",
    ]


async def test_run_as_leader_stops_working_when_the_lock_is_lost(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="consult.scheduler")
    lock = FileLeaderLock(tmp_path / "consult-scheduler.lock", "consult-scheduler")
    rival = FileLeaderLock(tmp_path / "consult-scheduler.lock", "consult-scheduler")
    stop = asyncio.Event()
    rounds = 0
    first_round = asyncio.Event()

    async def work() -> None:
        nonlocal rounds
        rounds += 1
        first_round.set()

    task = asyncio.create_task(run_as_leader(lock, work, poll_seconds=0.1, stop=stop))
    await asyncio.wait_for(first_round.wait(), timeout=2)
    lock.path.unlink()
    assert await rival.try_acquire() is True  # the rival now leads through a new file
    await asyncio.sleep(0.35)
    rounds_after_loss = rounds
    await asyncio.sleep(0.3)
    stop.set()
    await asyncio.wait_for(task, timeout=2)
    await rival.release()

    assert rounds_after_loss >= 1
    assert rounds == rounds_after_loss
    assert "Lost leadership of 'consult-scheduler'; standing by" in caplog.messages
