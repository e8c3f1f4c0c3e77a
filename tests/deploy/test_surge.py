"""The short surge: bench/surge.py with 20 stakeholders for 12 seconds and one uvicorn worker
killed with SIGKILL midway, against PostgreSQL. Every receipt must have its row, none twice, no
500. (Restarting PostgreSQL is left to the full harness: the other test processes share it.)"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import postgres_admin_url

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


def test_a_short_surge_with_a_worker_killed_loses_and_doubles_nothing(database_url: str) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.surge",
            "--clients",
            "20",
            "--seconds",
            "12",
            "--kill-worker-at",
            "4",
            "--restart-postgres-at",
            "0",
        ],
        env={"TEST_POSTGRES_URL": postgres_admin_url(), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report
    assert "SIGKILL uvicorn worker" in report
    assert "receipts without a row:     0" in report
    assert "revisions without a mail:   0" in report
    assert "duplicate receipts:         0" in report
    assert "person twice on one call:   0" in report
    # Enough receipts that "none without a row" says something. How many depends on how busy
    # the machine is (17 to 60 seen here): throughput is bench/'s business, not this test's.
    issued = int(report.split("receipts issued:")[1].split()[0])
    stored = int(report.split("responses submitted (rows):")[1].split()[0])
    assert issued >= 5, report
    assert stored >= issued, report
