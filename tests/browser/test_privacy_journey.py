"""Export my data and delete my account, in Chromium on the demonstration data, axe on each page.

A demo respondent downloads the ZIP of their data from their account, finds their responses in it,
then deletes the account; afterwards they cannot sign in and their published responses are
anonymous.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from playwright.async_api import Page, expect
from tortoise import Tortoise

from config.database import tortoise_config
from consult.responses.models import Consent, Publication, RespondentType, Response
from tests.browser.conftest import assert_accessible
from tests.browser.demo_people import sign_in

PASSWORD = "stakeholder-demo-qubit-lattice"


async def respondent_published_by_name(database_url: str) -> str:
    """The email of a demo respondent with a response published under their own name."""
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        response = (
            await Response.filter(
                consent=Consent.PUBLISH_NAMED,
                publication=Publication.PUBLISHED,
                respondent_type=RespondentType.INDIVIDUAL,
                respondent__email__startswith="respondent-",
            )
            .select_related("respondent")
            .order_by("id")
            .first()
        )
        assert response is not None and response.respondent is not None
        return response.respondent.email
    finally:
        await Tortoise.close_connections()


async def test_a_person_downloads_their_data_then_deletes_their_account(
    demo_server: str, demo_database_url: str, browser_page: Page, tmp_path: Path
) -> None:
    page = browser_page
    email = await respondent_published_by_name(demo_database_url)
    await sign_in(page, demo_server, email, PASSWORD)
    name = (await page.locator(".summary-list__value").first.inner_text()).strip()

    await page.get_by_role("link", name="Your data").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    await assert_accessible(page)
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="Download your data (ZIP)").click()
    download = await waiting.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    data = json.loads(zipfile.ZipFile(saved).read("data.json"))
    assert data["account"]["email"] == email
    assert data["responses"], "the demo respondent has responses"
    named = [
        r["call_address"]
        for r in data["responses"]
        if r["publication"] == "published" and r["publication_consent"] == "publish_named"
    ]
    assert named, "the demo respondent has a response published with their name"
    search = f"{demo_server}{named[0]}/responses/?q={name}"
    before = await _results_with_name(page, search, name)
    assert before >= 1

    await page.goto(demo_server + "/account/data")
    await page.get_by_role("link", name="Delete your account").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")
    await assert_accessible(page)
    await page.get_by_role("button", name="Delete my account").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await assert_accessible(page)
    await page.get_by_label("Your password").fill(PASSWORD)
    await page.get_by_label("Type “delete my account” to confirm").fill("delete my account")
    await page.get_by_role("button", name="Delete my account").click()
    await expect(page.get_by_text("Your account has been deleted.")).to_be_visible()

    await page.goto(demo_server + "/account/signin")
    await page.get_by_label("Email address").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    assert await _results_with_name(page, search, name) == before - 1


async def _results_with_name(page: Page, search: str, name: str) -> int:
    """How many published responses on the search page show `name` as their author."""
    await page.goto(search)
    titles = page.locator("article.published-response h2, article.published-response h3")
    return sum(1 for text in await titles.all_inner_texts() if text.startswith(name))
