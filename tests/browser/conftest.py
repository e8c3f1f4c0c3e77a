"""Browser tests: the real app under uvicorn in its own process, driven by Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, async_playwright

from tests.conftest import IN_CI, TEST_SECRET, _skipped
from tests.support import Mailbox

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERIOUS = {"serious", "critical"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if path is None:
        message = "Chromium not found (install the Debian package `chromium`; `make test` does when run as root)"
        if IN_CI:
            pytest.fail(f"{message}; CI=true requires it", pytrace=False)
        _skipped["browser"] = message
        pytest.skip(message)
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(database_url: str, tmp_path: Path, mailbox: Mailbox) -> Iterator[str]:
    """`uvicorn config.asgi:app` as production runs it, on a fresh database, mailing to loopback."""
    yield from _serve(database_url, tmp_path, mailbox, demo=False)


@pytest.fixture
def demo_server(database_url: str, tmp_path: Path, mailbox: Mailbox) -> Iterator[str]:
    """The same, after `consult demo` has loaded the demonstration data into the database."""
    yield from _serve(database_url, tmp_path, mailbox, demo=True)


def _serve(database_url: str, tmp_path: Path, mailbox: Mailbox, *, demo: bool) -> Iterator[str]:
    port = _free_port()
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
    }
    if demo:
        subprocess.run(
            [sys.executable, "-m", "config", "demo"],
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
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
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {(tmp_path / 'server.log').read_text()}")
            time.sleep(0.1)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture
async def browser_page(chromium_path: str) -> AsyncIterator[Page]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS
        )
        context = await browser.new_context(locale="en-GB")
        page = await context.new_page()
        try:
            yield page
        finally:
            await context.close()
            await browser.close()


async def assert_accessible(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    results = await Axe().run(page)
    problems = [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]
    assert problems == [], f"{page.url}: {problems}"
