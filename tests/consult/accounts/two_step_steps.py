"""Two-step sign-in as a person goes through it: set up from the key on the page, sign in by code."""

from __future__ import annotations

import httpx

from consult.accounts import totp
from core.clock import FixedClock
from tests.support import NewAccount, csrf_from, error_summary, page, post_form

PASSWORD = NewAccount().password
SETUP = "/account/two-step"
CODE_STEP = "/account/signin/code"


def key_on(response: httpx.Response) -> str:
    """The key the setup page offers for typing by hand."""
    element = page(response).find(id="two-step-key")
    assert element is not None, "the setup page shows no key"
    return element.get_text().replace(" ", "")


def recovery_codes_on(response: httpx.Response) -> list[str]:
    return [item.get_text(strip=True) for item in page(response).select("#recovery-codes li")]


async def turn_on(client: httpx.AsyncClient, clock: FixedClock) -> tuple[str, list[str]]:
    """Set two-step sign-in up as a person would: read the key, type the app's code."""
    form = await client.get(SETUP)
    key = key_on(form)
    answer = await client.post(
        SETUP,
        data={"csrf_token": csrf_from(form), "code": totp.code_at(key, clock.now())},
    )
    assert answer.status_code == 200, error_summary(answer)
    return key, recovery_codes_on(answer)


async def sign_in_with_code(
    client: httpx.AsyncClient, email: str, code: str, *, next_path: str = ""
) -> httpx.Response:
    target = "/account/signin" + (f"?next={next_path}" if next_path else "")
    first = await post_form(client, target, {"email": email, "password": PASSWORD})
    assert (first.status_code, first.headers["location"]) == (303, CODE_STEP)
    return await post_form(client, CODE_STEP, {"code": code})
