"""The leader lock on a real database: one holder, hand-over on release, take-over when a holder dies.

Nothing here waits on the wall clock: `run_as_leader` is stepped round by round (`Steps`), and a
dead holder's lock is waited for by asking the server (or the kernel) to hand it over.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from config.leader import (
    AdvisoryLeaderLock,
    FileLeaderLock,
    LeaderLock,
    advisory_key,
    pause_until_stop,
    postgres_dsn,
    run_as_leader,
)

ROOT = Path(__file__).resolve().parents[2]
# The rounds are stepped by the tests: the interval between them plays no part.
POLL_SECONDS = 3600.0
# Only so that a broken test fails instead of hanging; no test waits for it to pass.
HANG = 60

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


class Steps:
    """A pause between `run_as_leader`'s rounds that the test controls: each round ends here and
    the next begins when the test says so."""

    def __init__(self) -> None:
        self._paused: asyncio.Queue[asyncio.Future[None]] = asyncio.Queue()
        self._held: asyncio.Future[None] | None = None

    async def pause(self, stop: asyncio.Event, seconds: float) -> None:
        go: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._paused.put_nowait(go)
        await go

    async def round_ended(self) -> None:
        """Return once the loop has finished a round and waits in the pause."""
        self._held = await asyncio.wait_for(self._paused.get(), HANG)

    def release(self) -> None:
        """Let the waiting loop go on: one more round, or out when its stop is set."""
        assert self._held is not None
        self._held.set_result(None)
        self._held = None

    async def next_round(self) -> None:
        self.release()
        await self.round_ended()


async def _stop(task: asyncio.Task[None], stop: asyncio.Event, steps: Steps) -> None:
    stop.set()
    steps.release()
    await asyncio.wait_for(task, HANG)


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


async def _until_nobody_holds(lock: LeaderLock) -> None:
    """Return once no process holds `lock`, as the server or the kernel knows it."""
    if isinstance(lock, AdvisoryLeaderLock):
        # A blocking request: the server grants it the moment it has freed the dead one's lock.
        connection = await asyncpg.connect(lock.dsn)
        try:
            await connection.execute("SELECT pg_advisory_lock($1)", lock.key, timeout=HANG)
        finally:
            await connection.close()  # and gives it up again
    # A file lock: the kernel closed the killed process's files before `wait()` returned.


async def test_lock_of_a_killed_process_passes_to_this_one_without_clean_up(
    database_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    lock = LeaderLock.for_database(database_url, data_dir)
    holder = _hold_in_other_process(database_url, data_dir)
    try:
        assert await lock.try_acquire() is False

        holder.kill()  # SIGKILL: no clean-up runs in the holder
        holder.wait(timeout=HANG)
        await _until_nobody_holds(lock)

        assert await lock.try_acquire() is True
        assert await lock.still_held() is True
    finally:
        holder.kill()
        holder.wait(timeout=HANG)
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
            # With a timeout, pg_terminate_backend returns once the session has ended.
            terminated = await connection.fetchval(
                "SELECT pg_terminate_backend(pid, $1) FROM pg_stat_activity"
                " WHERE application_name = 'leader:consult-scheduler' AND datname = current_database()",
                HANG * 1000,
            )
            assert terminated is True
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
    steps = {"leader": Steps(), "standby": Steps()}
    stops = {"leader": asyncio.Event(), "standby": asyncio.Event()}

    def run(who: str, lock: LeaderLock) -> asyncio.Task[None]:
        async def work() -> None:
            rounds[who] += 1

        return asyncio.create_task(
            run_as_leader(
                lock, work, poll_seconds=POLL_SECONDS, stop=stops[who], pause=steps[who].pause
            )
        )

    leader = run("leader", leader_lock)
    await steps["leader"].round_ended()
    standby = run("standby", standby_lock)
    await steps["standby"].round_ended()
    for _ in range(2):
        await steps["leader"].next_round()
        await steps["standby"].next_round()

    assert rounds == {"leader": 3, "standby": 0}

    await _stop(leader, stops["leader"], steps["leader"])
    await steps["standby"].next_round()  # its next try takes the lock the leader gave up
    await steps["standby"].next_round()
    await _stop(standby, stops["standby"], steps["standby"])

    assert rounds == {"leader": 3, "standby": 2}
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
    steps = Steps()
    rounds = 0
    stood_down = 0

    async def work() -> None:
        nonlocal rounds
        rounds += 1

    def stand_down() -> None:
        nonlocal stood_down
        stood_down += 1

    task = asyncio.create_task(
        run_as_leader(
            lock,
            work,
            poll_seconds=POLL_SECONDS,
            stop=stop,
            on_stand_down=stand_down,
            pause=steps.pause,
        )
    )
    await steps.round_ended()
    assert (rounds, stood_down) == (1, 0)
    lock.path.unlink()
    assert await rival.try_acquire() is True  # the rival now leads through a new file

    await steps.next_round()  # sees the loss
    assert (rounds, stood_down) == (1, 1)
    await steps.next_round()  # stands by: the rival holds the lock
    await _stop(task, stop, steps)
    await rival.release()

    assert rounds == 1
    assert "Lost leadership of 'consult-scheduler'; standing by" in caplog.messages


async def test_the_pause_between_rounds_ends_as_soon_as_stop_is_set() -> None:
    stop = asyncio.Event()
    pausing = asyncio.create_task(pause_until_stop(stop, POLL_SECONDS))
    await asyncio.sleep(0)  # one turn of the loop: the pause has begun
    assert not pausing.done()

    stop.set()

    await asyncio.wait_for(pausing, HANG)
