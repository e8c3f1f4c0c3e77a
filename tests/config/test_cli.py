"""The `consult` command as a newcomer runs it: real processes, real exit codes and messages."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port, wait_until_ready

ROOT = Path(__file__).resolve().parents[2]


def consult(
    *args: str, data_dir: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "SECRET_KEY", "ENV", "BASE_URL", "SMTP_URL"}
        },
        "DATA_DIR": str(data_dir),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "config", *args],
        cwd=data_dir,  # no .env from the repository
        env=environ,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrate_demo_and_createadmin_on_a_new_data_folder(tmp_path: Path) -> None:
    migrated = consult("migrate", data_dir=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert "Applied " in migrated.stdout

    first = consult("demo", data_dir=tmp_path)
    second = consult("demo", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    # How many are published depends on the day: the newest responses still wait for moderation.
    assert re.search(
        r"5 topics, 210 new people \(210 in all\), 8 new calls \(8 in all\), "
        r"468 new responses \(468 in all\), 14 new comments, 2\d\d responses published, "
        r"19 new sessions \(19 in all\), ",
        first.stdout,
    )
    # Loaded in the autumn, the weekly series may lose a holiday meeting and its registrations.
    added = re.search(r"(\d+) new registrations \((\d+) in all\)\.", first.stdout)
    assert added is not None and added[1] == added[2] and int(added[1]) > 600
    assert "Form-letter campaign: 80 responses" in first.stdout
    assert "Daylight saving: “US–UK quantum standards working group” meets from " in first.stdout
    assert "  sessions: 19 (19 new), " in first.stdout
    assert (
        "5 topics, 0 new people (210 in all), 0 new calls (8 in all), "
        "0 new responses (468 in all), 0 new comments, 0 responses published, "
        "0 new sessions (19 in all), "
        f"0 new registrations ({added[2]} in all)." in second.stdout
    )
    assert "Nothing new was added" in second.stdout
    assert "admin-demo-entangled-photons" in first.stdout
    only_if_empty = consult("demo", "--if-empty", data_dir=tmp_path)
    assert "already has people" in only_if_empty.stdout

    admin = consult(
        "createadmin",
        "Root@Example.gov",
        "--password-stdin",
        data_dir=tmp_path,
        stdin="a long admin passphrase\n",
    )
    assert admin.returncode == 0, admin.stderr
    assert "root@example.gov is an admin" in admin.stdout


def test_createadmin_refuses_a_weak_password_without_a_traceback(tmp_path: Path) -> None:
    consult("migrate", data_dir=tmp_path)

    result = consult(
        "createadmin",
        "root@example.gov",
        "--password-stdin",
        data_dir=tmp_path,
        stdin="password1234\n",
    )

    assert result.returncode == 2
    assert "password refused: This password is too common" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DATABASE_URL": "mysql://root@localhost/x"},
            "DATABASE_URL must start with sqlite:// or postgres://",
        ),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:9/none"}, "cannot open the database"),
        ({"ENV": "production"}, "BASE_URL is required"),
    ],
)
def test_user_mistakes_get_a_message_and_exit_code_2(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = consult("demo", data_dir=tmp_path, **env)

    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_database_without_migrations(tmp_path: Path) -> None:
    result = consult("serve", "--port", "0", data_dir=tmp_path)

    assert result.returncode == 2
    assert "run `consult migrate`" in result.stderr


def test_serve_reports_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = consult("serve", "--port", str(port), data_dir=tmp_path)

    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_refuses_production(tmp_path: Path) -> None:
    result = consult(
        "demo",
        data_dir=tmp_path,
        ENV="production",
        BASE_URL="https://x.example",
        SECRET_KEY="s" * 40,
    )

    assert result.returncode == 2
    assert "refusing to load demonstration accounts" in result.stderr


def test_scheduler_once_runs_a_pass_and_exits(tmp_path: Path) -> None:
    consult("migrate", data_dir=tmp_path)

    result = consult("scheduler", "--once", data_dir=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Scheduler pass: 0 message(s) written, 0 sent, 0 to retry."


def test_migrate_says_how_many_migrations_it_applied(tmp_path: Path) -> None:
    first = consult("migrate", data_dir=tmp_path)
    again = consult("migrate", data_dir=tmp_path)

    assert first.returncode == 0, first.stderr
    applied = re.search(r"Applied (\d+) migrations", first.stdout)
    assert applied is not None and int(applied[1]) >= 10, first.stdout
    assert again.returncode == 0, again.stderr
    assert "No migration to apply: the database is up to date" in again.stdout


@pytest.mark.parametrize(
    "command",
    [("demo",), ("scheduler", "--once"), ("scheduler",), ("createadmin", "a@example.gov")],
)
def test_commands_on_an_unmigrated_database_say_so_in_one_line_and_exit_2(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    sqlite = tmp_path / "empty.sqlite3"
    sqlite.write_bytes(b"")  # a database file that exists but was never migrated

    result = consult(
        *command,
        *(["--password-stdin"] if command[0] == "createadmin" else []),
        data_dir=tmp_path,
        stdin="a long admin passphrase\n",
        DATABASE_URL=f"sqlite://{sqlite}",
    )

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "run `consult migrate`" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_missing_database_without_creating_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir" / "x.sqlite3"

    result = consult("serve", "--port", "0", data_dir=tmp_path, DATABASE_URL=f"sqlite://{missing}")

    assert result.returncode == 2
    assert f"there is no database at {missing}" in result.stderr
    assert not missing.parent.exists()


def test_serve_on_another_port_builds_every_link_with_that_port(tmp_path: Path) -> None:
    assert consult("migrate", data_dir=tmp_path).returncode == 0
    port = free_port()
    log = tmp_path / "serve.log"
    environ = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BASE_URL", "PORT"}},
        "DATA_DIR": str(tmp_path),
    }
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "config", "serve", "--port", str(port)],
            cwd=tmp_path,
            env=environ,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(base, server, log, seconds=60)
        document = httpx.get(f"{base}/api/v1/openapi.json", timeout=10).json()
        calendar = httpx.get(f"{base}/sessions/", timeout=10).text
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert document["servers"][0]["url"].startswith(base), document["servers"]
    assert f"127.0.0.1:{port}/calendar/" in calendar
    assert ":8000" not in calendar
