"""Journey: an organiser of the demonstration data is sent from the workspace to set up two-step
sign-in (the default, TWO_STEP_REQUIRED=on), does it as they would with a phone, keeps the
recovery codes, and signs in again with one of them. axe-core checks every page on the way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from consult.accounts import totp
from tests.browser.conftest import assert_accessible
from tests.browser.demo_people import ORGANISER, sign_in
from tests.conftest import DEMO_NOW, fresh_database
from tests.servers import serve_app
from tests.support import Mailbox


@pytest.fixture(params=["postgres"])
def demo_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """PostgreSQL only, as deployed: the journey is about the pages, and the rules behind them run
    on both databases in tests/consult/accounts/test_two_step.py."""
    yield from fresh_database(request, tmp_path, contents=DEMO_NOW)


@pytest.fixture
def demo_server_as_deployed(
    demo_database_url: str, tmp_path: Path, mailbox: Mailbox
) -> Iterator[str]:
    yield from serve_app(
        demo_database_url, tmp_path, mailbox, environment={"TWO_STEP_REQUIRED": "on"}
    )


async def test_an_organiser_sets_up_two_step_sign_in_and_signs_in_with_a_recovery_code(
    demo_server_as_deployed: str, browser_page: Page
) -> None:
    server, page = demo_server_as_deployed, browser_page
    await sign_in(page, server, *ORGANISER)

    await page.goto(server + "/organise/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    await expect(page.get_by_role("status")).to_contain_text("Set up two-step sign-in to use")
    await expect(page.get_by_role("img", name="QR code of your key")).to_be_visible()
    await assert_accessible(page)

    await page.get_by_text("I cannot scan the QR code").click()
    key = (await page.locator("#two-step-key").inner_text()).replace(" ", "")
    await page.get_by_label("Code from your app").fill("12345")
    await page.get_by_role("button", name="Turn on two-step sign-in").click()
    summary = page.locator(".error-summary")
    await expect(summary).to_contain_text("That code is not right")
    await expect(summary).to_be_focused()
    await assert_accessible(page)

    await page.get_by_label("Code from your app").fill(totp.code_at(key, datetime.now(UTC)))
    await page.get_by_role("button", name="Turn on two-step sign-in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = await page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    await assert_accessible(page)
    await page.get_by_role("button", name="I have kept my recovery codes, continue").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Workspace")

    await page.get_by_role("button", name="Sign out").click()
    await page.goto(server + "/account/signin")
    await page.get_by_label("Email address").fill(ORGANISER[0])
    await page.get_by_label("Password").fill(ORGANISER[1])
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    await assert_accessible(page)
    await page.get_by_text("I do not have my phone").click()
    await page.get_by_label("Code", exact=True).fill(codes[0])
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("status")).to_contain_text("recovery code; 9 left")
    await page.goto(server + "/account/two-step")
    await expect(page.locator("#codes-left")).to_have_text("9 of 10")
    await assert_accessible(page)
    await page.goto(server + "/organise/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Workspace")
