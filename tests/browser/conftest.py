"""Browser tests: the real app under uvicorn in its own process, driven by Debian's Chromium."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, async_playwright

from tests.conftest import IN_CI, _skipped
from tests.servers import serve_app
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


@pytest.fixture
def live_server(database_url: str, tmp_path: Path, mailbox: Mailbox) -> Iterator[str]:
    """`uvicorn config.asgi:app` as production runs it, on a fresh database, mailing to loopback."""
    yield from serve_app(database_url, tmp_path, mailbox)


@pytest.fixture
def demo_server(demo_database_url: str, tmp_path: Path, mailbox: Mailbox) -> Iterator[str]:
    """The same on a copy of a database `consult demo` filled (once per test process)."""
    yield from serve_app(demo_database_url, tmp_path, mailbox)


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
