"""Journey: sign up, confirm the email from a real SMTP delivery, sign in, edit the profile,
choose which emails to get.

Every page on the way is checked with axe-core: no serious or critical violation.
"""

from __future__ import annotations

import asyncio

from playwright.async_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.support import Mailbox, links_in


async def test_sign_up_verify_sign_in_and_edit_profile_in_chromium(
    live_server: str, browser_page: Page, mailbox: Mailbox
) -> None:
    page = browser_page
    await page.goto(live_server + "/")
    await assert_accessible(page)

    await page.get_by_role("link", name="Create an account").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    await assert_accessible(page)

    await page.get_by_role("button", name="Create account").click()  # nothing filled in
    summary = page.locator(".error-summary")
    await expect(summary).to_contain_text("Enter your email address")
    await expect(summary).to_be_focused()
    await assert_accessible(page)

    await page.get_by_label("Email address").fill("grace.hopper@example.org")
    await page.get_by_label("Password").fill("cobol compilers are patient")
    await page.get_by_label("Full name").fill("Grace Hopper")
    await page.get_by_label("Organisation (optional)").fill("Harvard Computation Lab")
    await page.get_by_label("Sector").select_option("academia")
    await page.get_by_label("Country").select_option("US")
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    await expect(page.locator("main")).to_contain_text("grace.hopper@example.org")
    await assert_accessible(page)

    [message] = await asyncio.to_thread(mailbox.wait_for, 1)
    assert message["To"] == "grace.hopper@example.org"
    [link] = [url for url in links_in(message) if "/account/verify/" in url]
    assert link.startswith(live_server)

    await page.goto(link)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    await assert_accessible(page)
    await page.get_by_role("button", name="Confirm email address").click()
    await expect(page.get_by_role("status")).to_contain_text("your email address is confirmed")
    await expect(page.locator(".summary-list")).to_contain_text("Confirmed")
    await assert_accessible(page)

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("status")).to_contain_text("You have signed out")
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    await assert_accessible(page)
    await page.get_by_label("Email address").fill("Grace.Hopper@example.org")
    await page.get_by_label("Password").fill("cobol compilers are patient")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your account")

    await page.get_by_role("link", name="Change your details").click()
    await assert_accessible(page)
    await page.get_by_label("Full name").fill("Rear Admiral Grace Hopper")
    await page.get_by_label("Sector").select_option("government")
    await page.get_by_role("button", name="Save details").click()
    await expect(page.get_by_role("status")).to_contain_text("Your profile has been saved")
    details = page.locator(".summary-list")
    await expect(details).to_contain_text("Rear Admiral Grace Hopper")
    await expect(details).to_contain_text("Government")
    await assert_accessible(page)

    await page.get_by_role("link", name="Notification settings").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Notification settings")
    await assert_accessible(page)
    await page.get_by_label("Reminders before sessions").uncheck()
    await page.get_by_role("button", name="Save notification settings").click()
    await expect(page.get_by_role("status")).to_contain_text("Your notification settings are saved")
    await expect(page.get_by_label("Reminders before sessions")).not_to_be_checked()
    await expect(page.get_by_label("Reminders before a call closes")).to_be_checked()
    await assert_accessible(page)


async def test_error_pages_are_accessible(live_server: str, browser_page: Page) -> None:
    response = await browser_page.goto(live_server + "/no/such/page")

    assert response is not None and response.status == 404
    await expect(browser_page.get_by_role("heading", level=1)).to_have_text("Page not found")
    await assert_accessible(browser_page)
