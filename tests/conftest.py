"""Test harness: a fresh database per test on SQLite and PostgreSQL, a real SMTP server, the app.

Every test that asks for `database_url` runs twice, `[sqlite]` and `[postgres]`. Each run gets its
own database cloned from a template that the committed migrations built once per session: a file
copy for SQLite, `CREATE DATABASE … TEMPLATE` for PostgreSQL. Tests therefore exercise the real
migrations, not a schema generated from the models. Tests that start from the demonstration data
copy a template the demo was loaded into once per test process, instead of loading it again.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from base.settings import MailSettings, Settings, load_settings
from config.app import create_app
from config.database import migrate, tortoise_config
from config.routes import site_without_app
from consult.accounts.passwords import use_hashing_profile
from consult.demo import load_demo
from core.clock import FixedClock
from core.notifications.compose import Site
from tests.support import Mailbox, start_smtp_server

# CI services set CI to "true", "1" or "yes": any value but an explicit no means CI, where a
# missing PostgreSQL, Chromium or ical.js fails the run instead of skipping tests.
IN_CI = os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no", "off"}
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
TEST_SECRET = "test-secret-key-that-is-long-enough-to-sign-things"
START = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
_database_numbers = itertools.count(1)
_skipped: dict[str, str] = {}


def postgres_admin_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


async def _postgres_answers(url: str) -> str | None:
    try:
        connection = await asyncpg.connect(_asyncpg_dsn(url), timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return str(exc) or type(exc).__name__
    await connection.close()
    return None


def _asyncpg_dsn(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


async def _admin(url: str, *statements: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def pytest_configure(config: pytest.Config) -> None:
    # Service-level tests hash without an app to set the profile from the settings.
    use_hashing_profile("fast")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(migrate(f"sqlite://{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    admin_url = postgres_admin_url()
    problem = asyncio.run(_postgres_answers(admin_url))
    if problem:
        message = f"PostgreSQL not reachable at {admin_url} ({problem})"
        if IN_CI:
            pytest.fail(f"{message}; CI=true requires PostgreSQL", pytrace=False)
        _skipped["postgres"] = message
        pytest.skip(message)
    name = f"qc_template_{os.getpid()}"
    asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'))
    asyncio.run(migrate(_with_database(admin_url, name)))
    yield name
    asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# What a test's database starts from: the migrated schema only; what `consult demo` loads at the
# real time (for servers, which run on the real clock); what `load_demo` loads at START (for
# tests on the test clock). Each template is made once per test process, then copied per test.
EMPTY, DEMO_NOW, DEMO_AT_START = "", "_demo_template", "_demo_at_start"


def fresh_database(
    request: pytest.FixtureRequest, folder: Path, *, contents: str = EMPTY
) -> Iterator[str]:
    """A copy of a template of the kind `request.param` names ("sqlite" in `folder`, or
    "postgres") holding `contents`, yielded as its URL and dropped afterwards."""
    # Tortoise caches INSERT/DELETE SQL per connection name and table, not per dialect; a process
    # that switches between SQLite and PostgreSQL (only this test run does) must forget it.
    EXECUTOR_CACHE.clear()
    if request.param == "sqlite":
        path = folder / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue(f"sqlite{contents or '_template'}"), path)
        yield f"sqlite://{path}"
        return
    template = request.getfixturevalue(f"postgres{contents or '_template'}")
    admin_url = postgres_admin_url()
    name = f"qc_test_{os.getpid()}_{next(_database_numbers)}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield _with_database(admin_url, name)
    asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def load_demo_with_command(database_url: str, data_dir: Path) -> None:
    """`consult demo` as an operator runs it, into `database_url`."""
    environ = {
        **os.environ,
        "ENV": "test",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "PASSWORD_HASHING": "fast",
        "LOG_LEVEL": "warning",
    }
    subprocess.run(
        [sys.executable, "-m", "config", "demo"],
        env=environ,
        check=True,
        capture_output=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The migrated SQLite template after `consult demo`: loaded once per test process, copied
    for each test that starts from the demonstration data."""
    folder = tmp_path_factory.mktemp("demo-template")
    path = folder / "demo.sqlite3"
    shutil.copyfile(sqlite_template, path)
    load_demo_with_command(f"sqlite://{path}", folder / "data")
    return path


@pytest.fixture(scope="session")
def postgres_demo_template(
    postgres_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The same on PostgreSQL: a database made from the migrated template, then filled by
    `consult demo`, used as the template of each demo test's database."""
    admin_url = postgres_admin_url()
    name = f"qc_demo_template_{os.getpid()}"
    asyncio.run(
        _admin(
            admin_url,
            f'DROP DATABASE IF EXISTS "{name}"',
            f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"',
        )
    )
    load_demo_with_command(
        _with_database(admin_url, name), tmp_path_factory.mktemp("demo-template") / "data"
    )
    yield name
    asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _load_demo_at_start(database_url: str) -> None:
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        await load_demo(now=START)
    finally:
        await Tortoise.close_connections()


@pytest.fixture(scope="session")
def sqlite_demo_at_start(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The migrated SQLite template after `load_demo(now=START)`."""
    path = tmp_path_factory.mktemp("demo-at-start") / "demo.sqlite3"
    shutil.copyfile(sqlite_template, path)
    EXECUTOR_CACHE.clear()
    asyncio.run(_load_demo_at_start(f"sqlite://{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_demo_at_start(postgres_template: str) -> Iterator[str]:
    """The same on PostgreSQL."""
    admin_url = postgres_admin_url()
    name = f"qc_demo_at_start_{os.getpid()}"
    asyncio.run(
        _admin(
            admin_url,
            f'DROP DATABASE IF EXISTS "{name}"',
            f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"',
        )
    )
    EXECUTOR_CACHE.clear()
    asyncio.run(_load_demo_at_start(_with_database(admin_url, name)))
    yield name
    asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated, empty database of each kind, used by one test only."""
    yield from fresh_database(request, tmp_path)


@pytest.fixture(params=["sqlite", "postgres"])
def demo_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of each kind holding the demonstration data `consult demo` loaded at the real
    time (for servers on the real clock), used by one test only."""
    yield from fresh_database(request, tmp_path, contents=DEMO_NOW)


@pytest.fixture(params=["sqlite", "postgres"])
def demo_database_at_start(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of each kind holding the demonstration data as `load_demo(now=START)` leaves
    it (START is the `clock` fixture's time), used by one test only."""
    yield from fresh_database(request, tmp_path, contents=DEMO_AT_START)


@pytest.fixture
async def demo_at_start(demo_database_at_start: str) -> AsyncIterator[None]:
    """Tortoise open on that database, as `db` is on an empty one."""
    await Tortoise.init(config=tortoise_config(demo_database_at_start))
    try:
        yield
    finally:
        await Tortoise.close_connections()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[Mailbox]:
    mailbox, controller = start_smtp_server()
    yield mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: Mailbox) -> Mailbox:
    """The loopback SMTP server's inbox, emptied for this test."""
    smtp_server.clear()
    return smtp_server


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


def environ_for_tests(
    database_url: str, data_dir: Path, mailbox: Mailbox, **overrides: str
) -> dict[str, str]:
    return {
        "ENV": "test",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "BASE_URL": "http://testserver",
        "SMTP_URL": mailbox.url,
        "SCHEDULER": "off",  # tests run scheduler passes themselves, with their own clock
        # Tests move the clock by days while someone stays signed in; the idle and absolute
        # limits (judged by the app's clock) have their own tests, which shorten them again.
        "SESSION_IDLE_MINUTES": str(60 * 24 * 366),
        "SESSION_MAX_HOURS": str(24 * 366),
        # Most tests make organisers by changing a stakeholder's role; two-step sign-in and its
        # enforcement have their own tests (tests/consult/accounts/test_two_step.py), which turn it on.
        "TWO_STEP_REQUIRED": "off",
        # Tests edit sessions and read the feed at once; the memo has its own test.
        "PUBLIC_FRESHNESS_SECONDS": "0",
        # Argon2id still, but one pass over 64 KiB: the suite hashes thousands of passwords, and
        # the standard profile spends 0.3 s of a core on each (tests/consult/accounts/test_passwords.py
        # checks the standard profile itself).
        "PASSWORD_HASHING": "fast",
        **overrides,
    }


@pytest.fixture
def settings(database_url: str, tmp_path: Path, mailbox: Mailbox) -> Settings:
    return load_settings(environ_for_tests(database_url, tmp_path / "data", mailbox), env_file=None)


@pytest.fixture
async def app(settings: Settings, clock: FixedClock) -> AsyncIterator[Starlette]:
    """The real application with its lifespan running (Tortoise open on the test database)."""
    application = create_app(settings, clock=clock)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[None]:
    """Tortoise open on the test database, without the web app (for service-level tests)."""
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        yield
    finally:
        await Tortoise.close_connections()


def pytest_sessionfinish(session: pytest.Session) -> None:
    # Under pytest-xdist each worker finds what it skipped; the controller prints the summary.
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None:
        worker_output["skipped_parts"] = dict(_skipped)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    _skipped.update(getattr(node, "workeroutput", {}).get("skipped_parts", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for what, why in _skipped.items():
        terminalreporter.write_sep("!", f"{what.upper()} TESTS SKIPPED: {why}", yellow=True)


def pytest_report_header() -> list[str]:
    return [
        f"databases: SQLite (a copy of a migrated template per test) and PostgreSQL at {postgres_admin_url()}",
        f"CI={os.environ.get('CI', '')!r}: missing PostgreSQL or Chromium {'fails' if IN_CI else 'skips'} the run",
    ]


@pytest.fixture
def site(settings: Settings) -> Site:
    return site_without_app(replace(settings, base_url="https://consult.example.gov"))


@pytest.fixture
def mail(mailbox: Mailbox, tmp_path: Path) -> MailSettings:
    return MailSettings(
        "QIST Consult <no-reply@consult.example.gov>", mailbox.url, tmp_path / "mail"
    )
