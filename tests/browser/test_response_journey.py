"""Journey 1 of SPEC §4 on the demonstration data, in Chromium, with axe on every page.

A stakeholder finds an open call from the home page, signs up and confirms the address, starts a
response, saves a draft, leaves and comes back, attaches a PDF, marks an answer commercially
sensitive, chooses to publish anonymously, submits, gets a receipt and an email, edits before the
deadline (another email), and can no longer edit once the deadline has passed.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.async_api import Page, expect
from tortoise import Tortoise

from config.database import tortoise_config
from consult.calls.models import Call, CallState, Question, QuestionKind
from tests.browser.conftest import assert_accessible
from tests.factories import TINY_PDF
from tests.support import Mailbox, links_in, text_of


async def open_call_with_a_file_question(database_url: str) -> Call:
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        now = datetime.now(UTC)
        file_questions = Question.filter(kind=QuestionKind.FILE).values_list("call_id", flat=True)
        return (
            await Call.filter(
                state=CallState.PUBLISHED,
                opens_at__lte=now,
                closes_at__gt=now,
                id__in=await file_questions,
            )
            .order_by("closes_at")
            .first()
        )
    finally:
        await Tortoise.close_connections()


async def close_call(database_url: str, call_id: int) -> None:
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        await Call.filter(id=call_id).update(closes_at=datetime.now(UTC) - timedelta(seconds=1))
    finally:
        await Tortoise.close_connections()


async def answer_every_question(page: Page, pdf: Path, long_text: str) -> None:
    """Fill each question as a person would, whatever its kind."""
    blocks = page.locator(".question-block")
    for index in range(await blocks.count()):
        block = blocks.nth(index)
        if await block.locator("textarea").count():
            await block.locator("textarea").fill(long_text)
        elif await block.locator("input[type=file]").count():
            await block.locator("input[type=file]").set_input_files(str(pdf))
        elif await block.locator("input.radios__input").count():
            options = block.locator("input.radios__input")
            await options.nth(min(3, await options.count() - 1)).check()
        elif await block.locator("fieldset input.checkboxes__input").count():
            await block.locator("fieldset input.checkboxes__input").first.check()
        elif await block.locator("input.input").count():
            await block.locator("input.input").fill("Head of quantum metrology")


async def test_a_stakeholder_answers_a_call_end_to_end_in_chromium(
    demo_server: str, demo_database_url: str, browser_page: Page, mailbox: Mailbox, tmp_path: Path
) -> None:
    page = browser_page
    call = await open_call_with_a_file_question(demo_database_url)
    assert call is not None, "the demonstration data has an open call with a file question"
    pdf = tmp_path / "evidence.pdf"
    pdf.write_bytes(TINY_PDF)

    # Finds the open call from the home page and reads it.
    await page.goto(demo_server + "/")
    await assert_accessible(page)
    await page.locator("#open-calls + ul").get_by_role("link", name=call.title).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(call.title)
    await assert_accessible(page)

    # Signs up and confirms the email address.
    await page.get_by_role("button", name="Respond to this call").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await page.get_by_role("main").get_by_role("link", name="Create an account").click()
    await page.get_by_label("Email address").fill("hedy.lamarr@example.org")
    await page.get_by_label("Password").fill("frequency hopping spread spectrum")
    await page.get_by_label("Full name").fill("Hedy Lamarr")
    await page.get_by_label("Sector").select_option("industry")
    await page.get_by_label("Country").select_option("US")
    await page.get_by_role("button", name="Create account").click()
    [verification] = await asyncio.to_thread(mailbox.wait_for, 1)
    [link] = [url for url in links_in(verification) if "/account/verify/" in url]
    await page.goto(link)
    await page.get_by_role("button", name="Confirm email address").click()
    await expect(page.get_by_role("status")).to_contain_text("confirmed")

    # Starts a response and saves a draft.
    await page.goto(f"{demo_server}/calls/{call.slug}")
    await page.get_by_role("button", name="Respond to this call").click()
    await assert_accessible(page)
    await page.get_by_role("button", name="Start now").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    await page.get_by_label("On behalf of an organisation").check()
    await page.get_by_label("Organisation name").fill("Lamarr Photonics")
    await page.get_by_label("Publish my response anonymously").check()
    await assert_accessible(page)
    await page.get_by_role("button", name="Save and come back later").click()
    await expect(page.get_by_role("status")).to_contain_text("Your draft has been saved")

    # Leaves, comes back, finds the draft.
    await page.goto(demo_server + "/")
    await page.goto(f"{demo_server}/calls/{call.slug}")
    await page.get_by_role("button", name="Continue your response").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Check your answers")
    await expect(page.locator(".summary-list").first).to_contain_text("Lamarr Photonics")
    await page.get_by_role("link", name="Back to your answers").click()

    # Answers, attaches a PDF, marks one answer commercially sensitive.
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your answers")
    await answer_every_question(
        page, pdf, "Shared cryogenic test beds would speed up photonic interconnect standards."
    )
    await page.locator("input[name$='_sensitive']").first.check()
    await assert_accessible(page)
    await page.get_by_role("button", name="Save and continue").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Check your answers")
    await expect(page.locator(".tag--red")).to_have_text("Commercially sensitive")
    await expect(page.get_by_role("main")).to_contain_text("evidence.pdf")
    await assert_accessible(page)

    # Submits; the receipt shows the tracking number and what happens next.
    await page.get_by_role("button", name="Submit response").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Response submitted")
    tracking = (await page.locator(".panel .tracking-number").inner_text()).strip()
    assert tracking.startswith("QC-")
    await expect(page.get_by_role("main")).to_contain_text("What happens next")
    await assert_accessible(page)
    messages = await asyncio.to_thread(mailbox.wait_for, 2)
    copy = text_of(messages[-1])
    assert f"Tracking number: {tracking}" in copy
    assert "[COMMERCIALLY SENSITIVE: never published]" in copy

    # Edits before the deadline: same tracking number, another email.
    await page.get_by_role("link", name="change your response").click()
    await page.get_by_role("link", name="Back to your answers").click()
    await page.locator("textarea").first.fill(
        "Revised: shared cryogenic test beds and common photonic interfaces."
    )
    await page.get_by_role("button", name="Save and continue").click()
    await page.get_by_role("button", name="Submit changes").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Changes submitted")
    await expect(page.locator(".panel .tracking-number")).to_have_text(tracking)
    messages = await asyncio.to_thread(mailbox.wait_for, 3)
    assert str(messages[-1]["Subject"]).strip().startswith("Response updated")
    assert "Revised: shared cryogenic test beds" in text_of(messages[-1])

    # After the deadline nothing can change, and the pages say why.
    await close_call(demo_database_url, call.id)
    await page.goto(f"{demo_server}/responses/{tracking}")
    await expect(page.get_by_role("main")).to_contain_text("can no longer be changed or withdrawn")
    await assert_accessible(page)
    await page.goto(f"{demo_server}/calls/{call.slug}/respond/answers")
    await expect(page.get_by_role("heading", level=1)).to_have_text("This call has closed")
    await assert_accessible(page)
