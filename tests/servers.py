"""A real server for tests that need one: the app under uvicorn in its own process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.conftest import TEST_SECRET
from tests.support import Mailbox


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_ready(
    base_url: str, server: subprocess.Popen[bytes], log: Path, *, seconds: float
) -> None:
    """Poll /readyz until the server answers 200; its log in the error when it never does."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server did not start: {log.read_text()}")
        time.sleep(0.1)


def serve_app(
    database_url: str,
    tmp_path: Path,
    mailbox: Mailbox,
    *,
    environment: dict[str, str] | None = None,
) -> Iterator[str]:
    """`uvicorn config.asgi:app` in its own process on a free port, yielding its base URL;
    stopped on exit."""
    for base_url, _server in serve_app_process(
        database_url, tmp_path, mailbox, environment=environment
    ):
        yield base_url


def serve_app_process(
    database_url: str,
    tmp_path: Path,
    mailbox: Mailbox,
    *,
    environment: dict[str, str] | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`serve_app`, yielding the server's process too (for tests that kill it)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "ENV": "test",
        "DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "BASE_URL": base_url,
        "SMTP_URL": mailbox.url,
        "LOG_LEVEL": "warning",
        "SCHEDULER": "off",  # the journeys count the mail they receive
        # As in the in-process tests; the two-step journey turns it on (the default) again.
        "TWO_STEP_REQUIRED": "off",
        "PUBLIC_FRESHNESS_SECONDS": "0",  # the journeys read a feed right after editing a session
        "PASSWORD_HASHING": "fast",  # as in the in-process tests
        **(environment or {}),
    }
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_ready(base_url, server, tmp_path / "server.log", seconds=30)
        yield base_url, server
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
