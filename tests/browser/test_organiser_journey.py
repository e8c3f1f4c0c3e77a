"""Journey 2 of SPEC §4 on the demonstration data, in Chromium, with axe on every page.

An organiser creates a call with a question and schedules its opening; watches the responses of an
open call in the workspace; reads the moderation queue, redacts a phone number and publishes the
response (the public page shows "[redacted]"); sees the analysis and the form-letter campaign;
exports CSV, JSON Lines and XLSX; closes the call and publishes its outcome.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
from playwright.async_api import Page, expect

from consult.demo.moderation import QUEUED_PHONE_NUMBER
from tests.browser.conftest import assert_accessible
from tests.browser.demo_people import ORGANISER, sign_in

STANDARDS = "quantum-standards-priorities"
SUPPLY_CHAIN = "quantum-supply-chain-dependencies"


def local_input(moment: datetime, zone: str) -> str:
    """What a datetime-local input holds for `moment` in `zone`."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


async def test_an_organiser_runs_a_call_from_creation_to_outcome_in_chromium(
    demo_server: str, browser_page: Page
) -> None:
    page = browser_page
    await sign_in(page, demo_server, *ORGANISER)
    now = datetime.now(UTC)

    # The workspace, then a new call with a question, scheduled to open tomorrow.
    await page.goto(demo_server + "/organise/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Workspace")
    await assert_accessible(page)
    await page.get_by_role("link", name="Create a call").click()
    await assert_accessible(page)
    await page.get_by_label("Title").fill("Quantum sensing in navigation")
    await page.get_by_label("Web address").fill("quantum-sensing-navigation")
    await page.get_by_label("Topic").select_option(index=1)
    await page.get_by_label("Summary").fill("Where could quantum sensors replace satellite timing?")
    await page.get_by_label("Time zone").select_option("Europe/London")
    await page.get_by_label("Opens at").fill(local_input(now + timedelta(days=1), "Europe/London"))
    await page.get_by_label("Closes at").fill(
        local_input(now + timedelta(days=30), "Europe/London")
    )
    await page.get_by_role("button", name="Create the call").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Quantum sensing in navigation")
    await page.get_by_role("button", name="Add a question").click()
    await page.get_by_label("Kind of answer").select_option("long_text")
    await page.get_by_label("Question", exact=True).fill("Which uses matter most, and why?")
    await page.get_by_role("button", name="Save question").click()
    await expect(page.locator("main")).to_contain_text("Which uses matter most, and why?")
    await page.get_by_role("button", name="Publish").click()
    await expect(page.get_by_role("status")).to_contain_text("published")
    await assert_accessible(page)

    # An open call's responses, and its moderation queue with a phone number to hide.
    await page.goto(demo_server + "/organise/")
    await expect(page.locator("main table")).to_contain_text(
        "Priorities for quantum technology standards"
    )
    await page.goto(f"{demo_server}/organise/calls/{STANDARDS}/responses")
    await expect(page.locator("main table")).to_contain_text("QC-")
    await assert_accessible(page)
    await page.goto(f"{demo_server}/organise/calls/{STANDARDS}/moderation")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Moderation queue")
    await assert_accessible(page)
    await page.goto(f"{demo_server}/organise/calls/{STANDARDS}/responses?q={QUEUED_PHONE_NUMBER}")
    await page.locator("main table tbody th a").first.click()
    await expect(page.locator("main")).to_contain_text(QUEUED_PHONE_NUMBER)
    await assert_accessible(page)
    await page.get_by_label("Text to hide").fill(QUEUED_PHONE_NUMBER)
    await page.get_by_label("Reason").fill("Phone number")
    await page.get_by_role("button", name="Hide this text").click()
    await expect(page.locator("main")).to_contain_text("[redacted]")
    await assert_accessible(page)
    await page.locator("#decision").get_by_role("button", name="Publish").click()
    await expect(page.get_by_role("status")).to_contain_text("ublished")
    tracking = (await page.get_by_role("heading", level=1).inner_text()).split()[-1]

    public = await page.request.get(f"{demo_server}/calls/{STANDARDS}/responses/?q=direct+line")
    assert public.status == 200
    public_html = await public.text()
    assert "[redacted]" in public_html and QUEUED_PHONE_NUMBER not in public_html

    # The analysis, and the form letter grouped as one campaign.
    await page.goto(f"{demo_server}/organise/calls/{SUPPLY_CHAIN}/analysis")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Analysis")
    await expect(page.locator("main svg").first).to_be_visible()
    await expect(page.locator("main table").first).to_be_visible()
    await assert_accessible(page)
    await page.goto(f"{demo_server}/organise/calls/{SUPPLY_CHAIN}/campaigns")
    await expect(page.locator("main")).to_contain_text("80")
    await assert_accessible(page)

    # The three exports of everything, for the call's team.
    base = f"{demo_server}/organise/calls/{STANDARDS}/responses/export"
    csv_body = await (await page.request.get(base + ".csv")).text()
    rows = list(csv.DictReader(io.StringIO(csv_body.lstrip("\ufeff"))))
    assert any(tracking in row.values() for row in rows)
    lines = (await (await page.request.get(base + ".jsonl")).text()).splitlines()
    assert len(lines) == len(rows) and all(json.loads(line) for line in lines)
    book = openpyxl.load_workbook(io.BytesIO(await (await page.request.get(base + ".xlsx")).body()))
    assert book.active is not None and book.active.max_row == len(rows) + 1

    # Close the call now, then publish its outcome.
    await page.goto(f"{demo_server}/organise/calls/{STANDARDS}/edit")
    zone = await page.get_by_label("Time zone").input_value()
    await page.get_by_label("Closes at").fill(local_input(datetime.now(UTC), zone))
    await page.get_by_role("button", name="Save details").click()
    await page.goto(f"{demo_server}/organise/calls/{STANDARDS}/outcome")
    await assert_accessible(page)
    await page.get_by_label("Outcome").fill(
        "Thank you. NIST and NPL will publish a joint list of priorities in the spring."
    )
    await page.get_by_role("button", name="Publish outcome").click()
    await expect(page.get_by_role("status")).to_contain_text("utcome")
    await page.goto(f"{demo_server}/calls/{STANDARDS}")
    await expect(page.locator("main")).to_contain_text("joint list of priorities")
    await assert_accessible(page)
