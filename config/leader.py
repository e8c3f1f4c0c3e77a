"""A leader lock, so that one scheduler acts at a time however many processes and hosts run.

PostgreSQL: a session-level advisory lock held on a dedicated connection (never Tortoise's pool,
whose connections come and go). SQLite, which serves one host only: an exclusive `flock` on a file
in the data folder. Either way the operating system or the server frees the lock when the holding
process dies, so a standby's next `try_acquire` takes over without anyone cleaning up.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

log = logging.getLogger("consult.scheduler")

DEFAULT_NAME = "consult-scheduler"
POSTGRES_SCHEMES = {"postgres", "postgresql", "asyncpg"}
# URL options asyncpg understands; any other query key (Tortoise's pool sizes, say) would be sent
# to the server as a setting and refused.
ASYNCPG_URL_OPTIONS = {
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslcrl",
    "sslpassword",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "target_session_attrs",
}
# A hung network must not stall the scheduler loop; a healthy server answers in milliseconds.
POSTGRES_TIMEOUT_SECONDS = 5.0
# What a lost, refused or slow PostgreSQL connection raises; all of them mean "not leader (now)".
# InternalClientError too: a query racing the server's termination of the session can raise it.
CONNECTION_ERRORS = (
    OSError,
    TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)


class LeaderLock(abc.ABC):
    """One named lock; `async with lock:` guarantees `release()`, acquiring stays explicit."""

    name: str

    @staticmethod
    def for_database(database_url: str, data_dir: Path, name: str = DEFAULT_NAME) -> LeaderLock:
        """The lock that fits DATABASE_URL: an advisory lock on PostgreSQL, a file lock on SQLite."""
        scheme = urlsplit(database_url).scheme
        if scheme in POSTGRES_SCHEMES:
            return AdvisoryLeaderLock(postgres_dsn(database_url), name)
        if scheme == "sqlite":
            return FileLeaderLock(data_dir / f"{name}.lock", name)
        raise ValueError(f"no leader lock for database URL scheme {scheme!r}")

    @abc.abstractmethod
    async def try_acquire(self) -> bool:
        """Take the lock without waiting; True when this instance holds it (already or now)."""

    @abc.abstractmethod
    async def still_held(self) -> bool:
        """A cheap check that the lock is still ours; False also forgets it."""

    @abc.abstractmethod
    async def release(self) -> None:
        """Give the lock up (a no-op when not held)."""

    async def __aenter__(self) -> LeaderLock:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.release()


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for `pg_try_advisory_lock`, the same in every process."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def postgres_dsn(database_url: str) -> str:
    """The asyncpg DSN for a `postgres://` DATABASE_URL, keeping only options asyncpg knows."""
    parts = urlsplit(database_url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k in ASYNCPG_URL_OPTIONS])
    return urlunsplit(("postgresql", parts.netloc, parts.path, query, ""))


class AdvisoryLeaderLock(LeaderLock):
    """`pg_try_advisory_lock` on a connection of its own; the server frees it when that closes."""

    def __init__(self, dsn: str, name: str = DEFAULT_NAME) -> None:
        self.dsn = dsn
        self.name = name
        self.key = advisory_key(name)
        self._connection: asyncpg.Connection | None = None

    def __repr__(self) -> str:
        return f"<AdvisoryLeaderLock {self.name!r} key={self.key}>"

    async def try_acquire(self) -> bool:
        if self._connection is not None:
            return await self.still_held()
        try:
            connection = await asyncpg.connect(
                self.dsn,
                timeout=POSTGRES_TIMEOUT_SECONDS,
                # Lets an operator see who leads: SELECT * FROM pg_stat_activity WHERE application_name …
                server_settings={"application_name": f"leader:{self.name}"},
            )
        except CONNECTION_ERRORS as exc:
            log.warning("Leader lock %r: cannot reach PostgreSQL (%s)", self.name, exc)
            return False
        try:
            acquired = await connection.fetchval(
                "SELECT pg_try_advisory_lock($1)", self.key, timeout=POSTGRES_TIMEOUT_SECONDS
            )
        except CONNECTION_ERRORS as exc:
            log.warning("Leader lock %r: could not ask for the lock (%s)", self.name, exc)
            connection.terminate()
            return False
        if not acquired:
            # A standby keeps no idle connection between polls.
            await _close(connection)
            return False
        self._connection = connection
        return True

    async def still_held(self) -> bool:
        connection = self._connection
        if connection is None:
            return False
        if not connection.is_closed():
            try:
                await connection.fetchval("SELECT 1", timeout=POSTGRES_TIMEOUT_SECONDS)
            except CONNECTION_ERRORS:
                pass
            else:
                return True
        # The session is gone or unreachable; the server has freed (or will free) the lock.
        connection.terminate()
        self._connection = None
        return False

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None or connection.is_closed():
            return
        # Should the unlock fail, closing the session below frees the lock all the same.
        with contextlib.suppress(*CONNECTION_ERRORS):
            await connection.execute(
                "SELECT pg_advisory_unlock($1)", self.key, timeout=POSTGRES_TIMEOUT_SECONDS
            )
        await _close(connection)


async def _close(connection: asyncpg.Connection) -> None:
    try:
        await connection.close(timeout=POSTGRES_TIMEOUT_SECONDS)
    except CONNECTION_ERRORS:
        connection.terminate()


class FileLeaderLock(LeaderLock):
    """An exclusive, non-blocking `flock` on a file kept open while held (one host only)."""

    def __init__(self, path: Path, name: str = DEFAULT_NAME) -> None:
        self.path = path
        self.name = name
        self._fd: int | None = None

    def __repr__(self) -> str:
        return f"<FileLeaderLock {self.name!r} {str(self.path)!r}>"

    async def try_acquire(self) -> bool:
        if self._fd is not None:
            return await self.still_held()
        self._fd = _lock_file(self.path)
        return self._fd is not None

    async def still_held(self) -> bool:
        if self._fd is None:
            return False
        if _same_file(self._fd, self.path):
            return True
        # Someone removed or replaced the file: a newcomer could lock the new one, so ours is void.
        await self.release()
        return False

    async def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            # Closing the last descriptor of the open file releases the flock.
            os.close(fd)


def _lock_file(path: Path) -> int | None:
    """An open descriptor holding an exclusive flock on `path`, or None when another holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    if not _same_file(fd, path):  # removed between our open and our lock
        os.close(fd)
        return None
    # For a person looking at the data folder: which process leads.
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


# How `run_as_leader` waits between rounds: until `stop` is set or `seconds` have passed.
Pause = Callable[[asyncio.Event, float], Awaitable[None]]


async def pause_until_stop(stop: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, or less when `stop` is set meanwhile (not at all when `seconds` <= 0)."""
    if seconds <= 0:
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def run_as_leader(
    lock: LeaderLock,
    work: Callable[[], Awaitable[None]],
    *,
    poll_seconds: float,
    stop: asyncio.Event,
    on_stand_down: Callable[[], None] | None = None,
    pause: Pause = pause_until_stop,
) -> None:
    """Call `work()` once per `poll_seconds` only while `lock` is ours; release it when `stop` is set.

    A standby tries the lock every `poll_seconds`, so that is how long a take-over can take.
    `on_stand_down` runs whenever leadership ends (lost or given up), to stop work `work` started.
    `pause` is the wait between rounds; tests pass one that steps the rounds themselves.
    """
    leading = False
    try:
        while not stop.is_set():
            started = time.monotonic()
            if leading and not await lock.still_held():
                leading = False
                log.warning("Lost leadership of %r; standing by", lock.name)
                if on_stand_down is not None:
                    on_stand_down()
            if not leading and await lock.try_acquire():
                leading = True
                log.info("Became leader for %r (pid %d)", lock.name, os.getpid())
            if leading:
                try:
                    await work()
                except Exception:
                    # One failed round must not end the leader's loop; the next round tries again.
                    log.exception("Scheduler work failed while leading %r", lock.name)
            await pause(stop, poll_seconds - (time.monotonic() - started))
    finally:
        if on_stand_down is not None:
            on_stand_down()
        await lock.release()
        if leading:
            log.info("Released leadership of %r", lock.name)
