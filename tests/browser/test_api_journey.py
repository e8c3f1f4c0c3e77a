"""An organisation's systems respond through the API, in Chromium on the demonstration data.

Priya (Qubit Foundry Ltd) creates a token on her account page, reads the API reference, her
organisation's system submits a response with it, she finds the receipt in her browser, revokes
the token, and the API refuses it from then on. axe runs on every page.
"""

from __future__ import annotations

import uuid

import httpx
from playwright.async_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.demo_people import STAKEHOLDER, sign_in
from tests.support import Mailbox


def _answer(question: dict[str, object]) -> dict[str, object]:
    kind, options = question["kind"], question["options"]
    assert isinstance(options, list)
    if kind in ("long_text", "short_text"):
        return {"question_id": question["id"], "text": "Submitted by our own system."}
    if kind in ("single_choice", "multiple_choice"):
        return {"question_id": question["id"], "choices": options[:1]}
    if kind == "scale":
        return {"question_id": question["id"], "scale": 4}
    return {"question_id": question["id"]}  # a file question left unanswered (optional here)


async def submit_through_the_api(server: str, token: str) -> str:
    """The organisation's system: answer the first open call it can; the tracking number."""
    async with httpx.AsyncClient() as http:
        return await _submit(http, server, token)


async def _submit(http: httpx.AsyncClient, server: str, token: str) -> str:
    calls = (await http.get(f"{server}/api/v1/calls", params={"status": "open"})).json()["data"]
    for summary in calls:
        call = (await http.get(summary["links"]["self"])).json()
        answered = await http.post(
            f"{server}/api/v1/calls/{call['slug']}/responses",
            json={
                "respondent": {"sector": "industry", "country": "GB", "consent": "publish_named"},
                "answers": [_answer(q) for q in call["questions"]],
            },
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
        )
        if answered.status_code == 201:
            return str(answered.json()["tracking_number"])
        assert answered.status_code in (409, 422), answered.text
    raise AssertionError("no open call in the demo data took an API response")


async def test_an_organisation_submits_through_the_api_with_a_token_from_its_account_page(
    demo_server: str, browser_page: Page, mailbox: Mailbox
) -> None:
    page = browser_page
    await sign_in(page, demo_server, *STAKEHOLDER)

    await page.get_by_role("link", name="API tokens").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    await assert_accessible(page)
    await page.get_by_label("Name").fill("Foundry submission system")
    await page.get_by_role("button", name="Create token").click()
    await expect(page.get_by_role("heading", name="Copy your new token now")).to_be_visible()
    await assert_accessible(page)
    token = (await page.locator("#new-token").inner_text()).strip()

    await page.get_by_role("link", name="QIST Consult API").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("QIST Consult API")
    await assert_accessible(page)

    tracking = await submit_through_the_api(demo_server, token)
    assert any(tracking in str(message) for message in mailbox.messages)

    await page.goto(f"{demo_server}/responses/{tracking}")
    await expect(page.get_by_text(tracking).first).to_be_visible()
    await assert_accessible(page)

    await page.goto(f"{demo_server}/account/api-tokens")
    await page.get_by_role("button", name="Revoke the token “Foundry submission system”").click()
    await expect(page.get_by_text("Revoked", exact=True)).to_be_visible()
    await assert_accessible(page)
    async with httpx.AsyncClient() as http:
        refused = await http.get(
            f"{demo_server}/api/v1/responses/{tracking}",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert refused.status_code == 401
