"""Journeys 5 and 6 of SPEC §4 in Chromium, with axe on every page.

5: a visitor browses the published responses of a closed call by sector and country, searches
them, and downloads the open-data CSV, which holds the rows the page shows.
6: someone finds a response published in their name, follows its "This was not me" link, sends
the form (after correcting a mistake) and sees the confirmation; organisers find the report.

The responses are made and published in the server's database through the app's own services
(`tests.consult.moderation.published_data`), not taken from the demonstration data.
"""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime
from pathlib import Path

from playwright.async_api import Page, expect
from tortoise import Tortoise

from config.database import tortoise_config
from consult.moderation.models import NotMeReport
from tests.browser.conftest import assert_accessible
from tests.consult.moderation.published_data import (
    PHONE,
    SECRETS,
    Record,
    closed_call_with_a_record,
)


async def a_published_record(database_url: str) -> Record:
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        return await closed_call_with_a_record(datetime.now(UTC))
    finally:
        await Tortoise.close_connections()


async def reports_in(database_url: str) -> list[NotMeReport]:
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        return await NotMeReport.all().order_by("id")
    finally:
        await Tortoise.close_connections()


async def shown_ids(page: Page) -> list[int]:
    ids = await page.locator("article.published-response").evaluate_all(
        "articles => articles.map(a => a.id)"
    )
    return [int(value.removeprefix("response-")) for value in ids]


async def test_a_visitor_reads_filters_searches_and_downloads_the_record_in_chromium(
    live_server: str, database_url: str, browser_page: Page, tmp_path: Path
) -> None:
    page = browser_page
    record = await a_published_record(database_url)
    public_ids = [r.id for r in record.public]

    # From the closed call's page to its published responses.
    await page.goto(f"{live_server}/calls/{record.call.slug}")
    await assert_accessible(page)
    await page.get_by_role("link", name="Read the published responses (3)").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Published responses")
    await expect(page.locator("#results-count")).to_contain_text("Showing 1 to 3 of 3 responses")
    assert await shown_ids(page) == public_ids
    main = await page.get_by_role("main").inner_text()
    assert "[redacted]" in main
    for secret in SECRETS:
        assert secret not in main, secret
    await assert_accessible(page)

    # By sector, then by country.
    await page.get_by_label("Sector").select_option("industry")
    await page.get_by_role("button", name="Show responses").click()
    await expect(page.locator("#results-count")).to_contain_text("1 response from industry")
    assert await shown_ids(page) == [record.qubit.id]
    await assert_accessible(page)
    await page.get_by_label("Sector").select_option("")
    await page.get_by_label("Country").select_option(label="Canada")
    await page.get_by_role("button", name="Show responses").click()
    await expect(page.locator("#results-count")).to_contain_text("1 response in Canada")
    assert await shown_ids(page) == [record.anonymous.id]
    await expect(page.get_by_role("heading", level=2, name="Anonymous respondent")).to_be_visible()

    # Searches: published words are found; a redacted one is not.
    await page.get_by_role("link", name="Clear the filters").click()
    await page.get_by_label("Search the responses").fill("cryogenic metrology")
    await page.get_by_role("button", name="Show responses").click()
    await expect(page.locator("#results-count")).to_contain_text(
        "1 response matching “cryogenic metrology”"
    )
    assert await shown_ids(page) == [record.ada.id]
    await assert_accessible(page)
    await page.get_by_label("Search the responses").fill(PHONE)
    await page.get_by_role("button", name="Show responses").click()
    await expect(page.locator("#results-count")).to_contain_text("No responses matching")
    await assert_accessible(page)

    # Downloads the open data: the rows the page shows.
    await page.get_by_role("link", name="Clear the filters").click()
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="CSV", exact=True).click()
    download = await download_info.value
    assert download.suggested_filename == f"{record.call.slug}-responses.csv"
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    with saved.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [int(row["id"]) for row in rows] == await shown_ids(page) == public_ids
    assert [row["author"] for row in rows] == [
        "Ada Lovelace",
        "Qubit Works Ltd",
        "Anonymous respondent",
    ]
    assert "[redacted]" in rows[0]["Q1. Which standards are most needed?"]
    for secret in SECRETS:
        assert secret not in saved.read_text(encoding="utf-8-sig"), secret


async def test_someone_reports_a_response_made_in_their_name_in_chromium(
    live_server: str, database_url: str, browser_page: Page
) -> None:
    page = browser_page
    record = await a_published_record(database_url)

    await page.goto(f"{live_server}/calls/{record.call.slug}/responses/")
    name = re.compile(rf"^This was not me\s*: report response {record.anonymous.id}$")
    await page.get_by_role("link", name=name).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("This was not me")
    await expect(page.get_by_role("main")).to_contain_text(f"Response {record.anonymous.id}")
    await assert_accessible(page)

    # A mistake first: the error summary links to the field; nothing is stored.
    await page.get_by_label("Your full name").fill("Hedy Lamarr")
    await page.get_by_label("Email address").fill("hedy.lamarr")
    await page.get_by_role("button", name="Send report").click()
    await expect(page.locator(".error-summary")).to_contain_text(
        "Enter an email address in the correct format"
    )
    await assert_accessible(page)
    assert await reports_in(database_url) == []

    await page.get_by_label("Email address").fill("hedy.lamarr@example.org")
    await page.get_by_label("What happened? (optional)").fill(
        "I never answered this call. Someone used my name."
    )
    await page.get_by_role("button", name="Send report").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
    await expect(page.get_by_role("main")).to_contain_text("What happens next")
    await assert_accessible(page)

    [report] = await reports_in(database_url)
    assert (report.response_id, report.name, report.email, report.details) == (
        record.anonymous.id,
        "Hedy Lamarr",
        "hedy.lamarr@example.org",
        "I never answered this call. Someone used my name.",
    )
