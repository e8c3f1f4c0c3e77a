"""The Tortoise configuration for a database URL, and the helpers that open, migrate and probe it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api.migrate import migrate as apply_migrations
from tortoise.migrations.executor import MigrationExecutor

# Every Tortoise app of the project: label -> (models modules, migrations package).
APPS: dict[str, tuple[list[str], str]] = {
    "consult": (
        [
            "core.models",
            "consult.calls.models",
            "consult.responses.models",
            "consult.comments.models",
            "consult.moderation.models",
            "consult.analysis.models",
            "consult.api.models",
        ],
        "consult.migrations",
    ),
    # The outbox (core.notifications.models) keeps the "events" label its migrations were made under.
    "events": (["events.models", "core.notifications.models"], "events.migrations"),
}

# SQLite: WAL so readers never block the writer; synchronous=FULL because a receipt must mean the
# row survived a power cut; foreign keys enforced like PostgreSQL does.
SQLITE_PRAGMAS = {
    "journal_mode": "WAL",
    "foreign_keys": "ON",
    "synchronous": "FULL",
    "busy_timeout": 5000,
}


async def _release_without_reset_query(connection: asyncpg.Connection) -> None:
    """asyncpg's pool runs `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`
    each time a connection goes back, and Tortoise takes one from the pool for every query: one
    more round trip per query (half of all round trips, measured in bench/submission.py). The
    app sets no session state on pooled connections (the scheduler's advisory lock has its own
    connection), and asyncpg still rolls back a transaction left open before this is called."""


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The Tortoise config dict for DATABASE_URL, with our SQLite pragmas and pool settings."""
    connection = expand_db_url(database_url)
    if connection["engine"] == "tortoise.backends.sqlite":
        connection["credentials"] = {**SQLITE_PRAGMAS, **connection["credentials"]}
    else:
        connection["credentials"]["reset"] = _release_without_reset_query
        # asyncpg prepares every statement, and after five runs PostgreSQL may switch to a plan
        # made without the parameters' values: the count of a common search word went from 100 ms
        # to 245 ms (bench/published.py). Planning with the values costs well under a millisecond.
        connection["credentials"]["server_settings"] = {"plan_cache_mode": "force_custom_plan"}
    return {
        "connections": {"default": connection},
        "apps": {
            label: {"models": models, "migrations": migrations, "default_connection": "default"}
            for label, (models, migrations) in APPS.items()
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def sqlite_path(database_url: str) -> str:
    """The file of a sqlite:// DATABASE_URL."""
    return str(expand_db_url(database_url)["credentials"]["file_path"])


async def migrate(database_url: str) -> list[str]:
    """Apply every committed migration that the database lacks; their names, in order. Only
    this creates a SQLite database (and its folder): every other command refuses a missing one."""
    if database_url.startswith("sqlite:"):
        Path(sqlite_path(database_url)).parent.mkdir(parents=True, exist_ok=True)
    pending = await pending_migrations(database_url)
    try:
        await apply_migrations(config=tortoise_config(database_url))
    finally:
        await Tortoise.close_connections()
    return pending


async def pending_migrations(database_url: str) -> list[str]:
    """Names of committed migrations the database has not applied (opens its own connection)."""
    config = tortoise_config(database_url)
    await Tortoise.init(config=config)
    try:
        executor = MigrationExecutor(connections.get("default"), config["apps"])
        await executor.recorder.ensure_schema(executor._schema_editor(atomic=False))
        return [
            f"{step.migration.app_label}.{step.migration.name}" for step in await executor.plan()
        ]
    finally:
        await Tortoise.close_connections()


async def database_answers() -> bool:
    """True when the default connection runs a trivial query."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:
        return False
    return True


# For Tortoise's own CLI (`tortoise makemigrations`, see pyproject's [tool.tortoise]): writing a
# migration compares models with the migration files and needs no real database.
MIGRATIONS_CONFIG: dict[str, Any] = {
    "connections": {"default": "sqlite://:memory:"},
    "apps": {
        label: {"models": models, "migrations": migrations}
        for label, (models, migrations) in APPS.items()
    },
}
