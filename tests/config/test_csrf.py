"""Every form rejects a missing or forged CSRF token with 403 and changes nothing."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from core.clock import FixedClock
from core.notifications.preferences import unsubscribe_token
from core.vocabulary import Role
from tests.conftest import TEST_SECRET
from tests.factories import person_with_role, second_browser
from tests.route_world import CSRF_EXEMPT, post_paths, post_routes, real_objects, snapshot


@pytest.mark.parametrize("token", [None, "forged-token-value"])
async def test_every_post_route_refuses_a_missing_or_forged_csrf_token(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock, token: str | None
) -> None:
    samples = await real_objects(client, clock)
    before = await snapshot()
    paths = list(post_paths(app, samples, leave_out=CSRF_EXEMPT).values())
    assert len(paths) >= 20

    for path in paths:
        data = {
            "email": "ada.lovelace@example.org",
            "password": "x" * 20,
            "role": "stakeholder",
            "body": "hello",
        }
        if token:
            data["csrf_token"] = token
        response = await client.post(path, data=data)
        assert response.status_code == 403, path
        assert "You cannot do that" in response.text, path

    assert await snapshot() == before
    assert (await client.get("/account/")).status_code == 200  # sign-out was refused too


async def test_csrf_exemptions_name_real_post_routes(app: Starlette) -> None:
    assert CSRF_EXEMPT.issubset(route.name for route in post_routes(app))


async def test_unsubscribe_refuses_forged_tokens_with_404_and_changes_nothing(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    samples = await real_objects(client, clock)
    async with second_browser(app) as other:
        grace = await person_with_role(other, "grace@example.gov", Role.STAKEHOLDER)
    ada_id = int(samples["person_id"])
    genuine = unsubscribe_token(TEST_SECRET, ada_id, "deadline_reminders")
    signature = genuine.rsplit(".", 1)[1]
    forged = [
        samples["token"],
        unsubscribe_token(
            "another-secret-that-is-long-enough-to-sign", ada_id, "deadline_reminders"
        ),
        f"{grace.id}.deadline_reminders.{signature}",  # Ada's link altered to Grace
        f"{ada_id}.session_reminders.{signature}",  # another choice
        f"{ada_id}.no_such_choice.{signature}",
        genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB"),
        unsubscribe_token(TEST_SECRET, 999_999, "deadline_reminders"),  # nobody
    ]
    before = await snapshot()

    for token in forged:
        async with second_browser(app) as mail_provider:
            shown = await mail_provider.get(f"/unsubscribe/{token}")
            posted = await mail_provider.post(
                f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}
            )
        assert (shown.status_code, posted.status_code) == (404, 404), token

    assert await snapshot() == before
