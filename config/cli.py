"""The `consult` command: serve, migrate, demo, createadmin. User mistakes get a message, not a trace."""

from __future__ import annotations

import argparse
import asyncio
import errno
import getpass
import logging
import os
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from tortoise import Tortoise

from base.settings import Settings, SettingsError, load_settings
from config.database import migrate, pending_migrations, sqlite_path, tortoise_config
from config.logging import configure_logging
from config.routes import site_without_app
from config.scheduler import run_pass, run_scheduler
from consult.accounts.passwords import password_problem, use_hashing_profile
from consult.accounts.services import create_admin
from consult.demo import load_demo
from core.clock import SystemClock

log = logging.getLogger("consult.cli")


class UserError(Exception):
    """Something the person running the command can fix; printed without a traceback."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        use_hashing_profile(settings.password_hashing)
        return int(args.handler(settings, args) or 0)
    except (SettingsError, UserError) as exc:
        print(f"consult: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="consult", description="QIST Consult: calls for input, discussion and sessions."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the web service")
    serve.add_argument("--host", help="address to listen on (default: HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: PORT or 8000)")
    serve.add_argument("--workers", type=int, help="web processes (default: WORKERS or 1)")
    serve.set_defaults(handler=serve_command)

    commands.add_parser("migrate", help="apply database migrations").set_defaults(
        handler=migrate_command
    )

    scheduler = commands.add_parser(
        "scheduler", help="send reminders, invitations and queued mail (runs until stopped)"
    )
    scheduler.add_argument(
        "--once", action="store_true", help="run everything due now, then exit (for cron and tests)"
    )
    scheduler.set_defaults(handler=scheduler_command)

    demo = commands.add_parser("demo", help="load demonstration data (safe to run twice)")
    demo.add_argument(
        "--if-empty", action="store_true", help="only when the database has no people yet"
    )
    demo.set_defaults(handler=demo_command)

    admin = commands.add_parser(
        "createadmin", help="create an admin account, or promote an existing one"
    )
    admin.add_argument("email")
    admin.add_argument("--name", default="Administrator", help="display name for a new account")
    admin.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    admin.set_defaults(handler=createadmin_command)
    return parser


def _run_with_database(settings: Settings, work: Callable[[], Awaitable[int]]) -> int:
    _require_database_file(settings)

    async def run() -> int:
        await _check_database_ready(settings)
        await _connect(settings)
        try:
            return await work()
        finally:
            await Tortoise.close_connections()

    return asyncio.run(run())


async def _connect(settings: Settings) -> None:
    try:
        await Tortoise.init(config=tortoise_config(settings.database_url))
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as exc:
        raise UserError(
            f"cannot open the database at DATABASE_URL ({_describe(settings)}): {exc}"
        ) from None


def _describe(settings: Settings) -> str:
    url = settings.database_url
    if "@" in url:  # hide the password
        scheme, rest = url.split("://", 1)
        url = f"{scheme}://…@{rest.split('@', 1)[1]}"
    return url


def scheduler_command(settings: Settings, args: argparse.Namespace) -> int:
    site = site_without_app(settings)

    async def once() -> int:
        report = await run_pass(site, settings.mail, now=SystemClock().now(), retention=True)
        print(f"Scheduler pass: {report}.")
        return 0

    async def forever() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        print(
            f"Scheduler running (a pass every {settings.scheduler_poll_seconds} s while this process leads; Ctrl+C to stop)"
        )
        await run_scheduler(site, clock=SystemClock(), stop=stop)
        return 0

    return _run_with_database(settings, once if args.once else forever)


def migrate_command(settings: Settings, args: argparse.Namespace) -> int:
    try:
        applied = asyncio.run(migrate(settings.database_url))
    except Exception as exc:
        raise UserError(f"migration failed on {_describe(settings)}: {exc}") from None
    if applied:
        print(f"Applied {len(applied)} migrations to {_describe(settings)}: {', '.join(applied)}.")
    else:
        print(f"No migration to apply: the database is up to date ({_describe(settings)}).")
    return 0


def demo_command(settings: Settings, args: argparse.Namespace) -> int:
    if settings.env == "production":
        raise UserError(
            "refusing to load demonstration accounts with known passwords when ENV=production"
        )

    async def work() -> int:
        report = await load_demo(
            now=SystemClock().now(), only_if_empty=args.if_empty, progress=print
        )
        print(report)
        return 0

    return _run_with_database(settings, work)


def createadmin_command(settings: Settings, args: argparse.Namespace) -> int:
    password = _read_password(args.password_stdin, args.email)

    async def work() -> int:
        person = await create_admin(args.email, password, args.name, now=SystemClock().now())
        print(
            f"{person.email} is an admin and can sign in at {settings.url_for_path('/account/signin')}"
        )
        return 0

    return _run_with_database(settings, work)


def _read_password(from_stdin: bool, email: str) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise UserError("the two passwords differ")
    problem = password_problem(password, email=email)
    if problem:
        raise UserError(f"password refused: {problem}")
    return password


def serve_command(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    # The web processes read their settings again: give them the effective address, so that
    # BASE_URL's default (every link in feeds, Atom, mail and the OpenAPI document) matches it.
    os.environ["HOST"], os.environ["PORT"] = host, str(port)
    _check_port_free(host, port)
    if workers > 1 and settings.is_sqlite:
        log.warning("several workers on SQLite: writes queue behind one lock; use PostgreSQL")
    _require_database_file(settings)
    asyncio.run(_check_database_ready(settings))
    print(f"QIST Consult is serving on http://{host}:{port} (Ctrl+C to stop)")
    uvicorn.run(
        "config.asgi:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_level=settings.log_level,
        server_header=False,
    )
    return 0


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UserError(
                    f"port {port} on {host} is already in use; choose another with --port or PORT"
                ) from None
            raise UserError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


async def _check_database_ready(settings: Settings) -> None:
    """Refuse a database that is unreachable or lacks migrations, with the fix in words."""
    try:
        pending = await pending_migrations(settings.database_url)
    except Exception as exc:
        raise UserError(
            f"cannot open the database at DATABASE_URL ({_describe(settings)}): {exc}"
        ) from None
    if pending:
        raise UserError(
            f"the database lacks {len(pending)} migration(s): run `consult migrate` (or `make migrate`) first"
        )


def _require_database_file(settings: Settings) -> None:
    """A SQLite database is made by `consult migrate` only: refuse a missing one before opening
    it would create an empty file (and its folder)."""
    if settings.is_sqlite and not Path(sqlite_path(settings.database_url)).is_file():
        raise UserError(
            f"there is no database at {sqlite_path(settings.database_url)}: "
            "run `consult migrate` (or `make migrate`) first"
        )
