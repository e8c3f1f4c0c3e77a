"""The committed migrations match the models and build the schema from empty on both databases."""

from __future__ import annotations

from tortoise import Tortoise, connections
from tortoise.migrations.autodetector import MigrationAutodetector

from config.database import MIGRATIONS_CONFIG, migrate, pending_migrations, tortoise_config

EXPECTED_TABLES = {"person", "topic", "audit_entry", "rate_limit_counter", "tortoise_migrations"}


async def test_committed_migrations_match_the_models() -> None:
    await Tortoise.init(config=MIGRATIONS_CONFIG)
    try:
        apps = {label: dict(app) for label, app in MIGRATIONS_CONFIG["apps"].items()}
        writers = await MigrationAutodetector(Tortoise.apps, apps).changes()
    finally:
        await Tortoise.close_connections()

    drift = [
        f"{w.app_label}.{w.name}: {[type(op).__name__ for op in w.operations]}" for w in writers
    ]
    assert drift == [], "models changed without a migration: run `make migrations`"


async def test_migrations_built_the_test_database_and_leave_nothing_pending(
    database_url: str,
) -> None:
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        connection = connections.get("default")
        if database_url.startswith("sqlite"):
            rows = await connection.execute_query_dict(
                "SELECT name FROM sqlite_master WHERE type='table'"
            )
            tables = {row["name"] for row in rows}
        else:
            rows = await connection.execute_query_dict(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
            tables = {row["tablename"] for row in rows}
    finally:
        await Tortoise.close_connections()

    assert tables >= EXPECTED_TABLES
    assert await pending_migrations(database_url) == []


async def test_migrating_twice_changes_nothing(database_url: str) -> None:
    await migrate(database_url)

    assert await pending_migrations(database_url) == []


async def test_sqlite_runs_with_wal_foreign_keys_and_full_sync(tmp_path) -> None:
    url = f"sqlite://{tmp_path / 'pragmas.sqlite3'}"
    await migrate(url)
    await Tortoise.init(config=tortoise_config(url))
    try:
        connection = connections.get("default")
        values = {}
        for pragma in ("journal_mode", "foreign_keys", "synchronous"):
            [row] = await connection.execute_query_dict(f"PRAGMA {pragma}")
            values[pragma] = next(iter(row.values()))
    finally:
        await Tortoise.close_connections()

    assert values == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 2}  # 2 = FULL
