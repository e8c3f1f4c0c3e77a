"""What the benchmarks share: a throwaway PostgreSQL database, a server (the app or a baseline)
under uvicorn in its own process, a closed-loop load generator, percentiles, and a description of
the machine the figures came from.

Every benchmark measures its baseline in the same run, on the same machine, through the same load
generator, so the ratio holds even where the absolute figures move with the machine's load.
"""

from __future__ import annotations

import asyncio
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from config.database import migrate

SECRET_KEY = "bench-secret-key-long-enough-for-signing-sessions"


# ---------------------------------------------------------------- The machine


def machine() -> str:
    """One line: cores, CPU model, memory, Python, and how busy the machine was."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        memory_kb = 0
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} cores ({model}), {memory_kb / 1024**2:.0f} GB, "
        f"Python {platform.python_version()}, load average {load:.1f} at start"
    )


# ---------------------------------------------------------------- PostgreSQL


def admin_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def dsn(url: str) -> str:
    """asyncpg's spelling of a Tortoise database URL."""
    return "postgresql://" + url.split("://", 1)[1]


async def postgres_version() -> str:
    connection = await asyncpg.connect(dsn(admin_url()))
    try:
        return str(await connection.fetchval("SHOW server_version")).split()[0]
    finally:
        await connection.close()


@asynccontextmanager
async def scratch_database(prefix: str) -> AsyncIterator[str]:
    """A new, migrated PostgreSQL database for one benchmark, dropped afterwards."""
    name = f"qc_bench_{prefix}_{os.getpid()}"
    admin = await asyncpg.connect(dsn(admin_url()))
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = admin_url().rsplit("/", 1)[0] + f"/{name}"
    try:
        await migrate(url)
        yield url
    finally:
        admin = await asyncpg.connect(dsn(admin_url()))
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def analyse(url: str) -> None:
    """What autovacuum would do a minute after a bulk load: fresh planner statistics."""
    connection = await asyncpg.connect(dsn(url))
    try:
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


# ---------------------------------------------------------------- Servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def app_environment(database_url: str, base_url: str, data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ENV": "test",
        "DATABASE_URL": database_url,
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": SECRET_KEY,
        "BASE_URL": base_url,
        "SMTP_URL": "",  # receipts are written as .eml files under DATA_DIR/mail
        "SCHEDULER": "off",
        "LOG_LEVEL": "warning",
        "SIGNIN_LIMIT": "100000/60",
        "TWO_STEP_REQUIRED": "off",
    }


@contextmanager
def served(
    asgi_app: str, environment: dict[str, str], *, ready_path: str = "/readyz"
) -> Iterator[str]:
    """`uvicorn <asgi_app>` (one process, as production runs each worker) on a free port."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkdtemp(prefix="bench-server-")) / "server.log"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            asgi_app,
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env={**environment, "BASE_URL": environment.get("BASE_URL") or base},
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        start_new_session=True,
    )
    try:
        _wait_until_ready(base + ready_path, server, log)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def _wait_until_ready(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer {url}: {log.read_text()[-2000:]}")


# ---------------------------------------------------------------- Load


@dataclass
class Load:
    """What a closed-loop run measured: each request's latency by label, and the iterations."""

    seconds: float = 0.0
    iterations: int = 0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)

    def record(self, label: str, answer: httpx.Response, seconds: float) -> None:
        self.latencies.setdefault(label, []).append(seconds)
        self.statuses[answer.status_code] = self.statuses.get(answer.status_code, 0) + 1

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def all_latencies(self) -> list[float]:
        return [value for values in self.latencies.values() for value in values]

    def per_second(self) -> float:
        return self.iterations / self.seconds if self.seconds else 0.0


class Client:
    """One simulated browser or feed reader: times each request into the shared `Load`."""

    def __init__(self, http: httpx.AsyncClient, load: Load, measuring: Callable[[], bool]) -> None:
        self.http = http
        self.load = load
        self.measuring = measuring

    async def request(self, label: str, method: str, url: str, **kwargs: object) -> httpx.Response:
        began = time.perf_counter()
        answer = await self.http.request(method, url, **kwargs)  # type: ignore[arg-type]
        if self.measuring():
            self.load.record(label, answer, time.perf_counter() - began)
        return answer


Scenario = Callable[[Client, int], Awaitable[None]]


async def closed_loop(
    base: str,
    scenario: Scenario,
    *,
    clients: int,
    seconds: float,
    warmup: float = 2.0,
    prepare: Callable[[Client, int], Awaitable[None]] | None = None,
) -> Load:
    """`clients` clients each run `scenario` back to back; only what completes in the
    `seconds` after `warmup` counts."""
    load = Load()
    window: list[float] = []

    def measuring() -> bool:
        return bool(window) and window[0] <= time.monotonic() < window[1]

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def run(number: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
            client = Client(http, load, measuring)
            if prepare is not None:
                await prepare(client, number)
            prepared.append(number)
            if len(prepared) == clients:
                all_prepared.set()
            await ready.wait()
            iteration = 0
            while time.monotonic() < window[1]:
                counted = measuring()
                await scenario(client, number * 1_000_000 + iteration)
                iteration += 1
                if counted and time.monotonic() < window[1]:
                    load.iterations += 1

    ready, all_prepared, prepared = asyncio.Event(), asyncio.Event(), list[int]()
    tasks = [asyncio.create_task(run(n)) for n in range(clients)]
    await all_prepared.wait()  # every client signed in (or whatever it needs) before the clock
    begins = time.monotonic() + warmup
    window.extend([begins, begins + seconds])
    ready.set()
    await asyncio.gather(*tasks)
    load.seconds = seconds
    return load


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of `values`; 0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"
