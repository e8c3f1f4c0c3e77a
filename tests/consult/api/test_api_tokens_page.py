"""/account/api-tokens: an organisation issues, sees and revokes its API tokens; the secret is
shown once and only its SHA-256 is stored."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from consult.api.models import ApiToken
from consult.api.tokens import MAX_TOKENS, hash_token, issue_token
from core.clock import FixedClock
from core.models import Person
from tests.factories import second_browser, verified_stakeholder
from tests.support import NewAccount, csrf_from, error_summary, page, post_form, sign_up

PAGE = "/account/api-tokens"


def shown_secret(response: httpx.Response) -> str | None:
    code = page(response).find(id="new-token")
    return code.get_text(strip=True) if code else None


async def test_a_new_token_is_shown_once_and_stored_only_as_its_hash(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    person = await verified_stakeholder(client)

    created = await post_form(client, PAGE, {"name": "Our submission system"})

    assert created.status_code == 201
    secret = shown_secret(created)
    assert secret is not None and secret.startswith("qc_")
    stored = await ApiToken.get(person_id=person.id)
    assert stored.token_hash == hash_token(secret)
    assert secret not in {
        str(value) for value in (await ApiToken.filter(id=stored.id).values())[0].values()
    }
    assert stored.prefix == secret[:10]
    again = await client.get(PAGE)
    assert shown_secret(again) is None
    assert secret not in again.text
    row = page(again).select_one("tbody tr")
    assert row is not None
    assert "Our submission system" in row.get_text()
    assert f"{stored.prefix}…" in row.get_text()
    assert "Never" in row.get_text()
    assert created.headers["cache-control"] == "no-store"


async def test_revoking_marks_the_token_revoked_and_the_api_refuses_it(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    person = await verified_stakeholder(client)
    secret = shown_secret(await post_form(client, PAGE, {"name": "Old system"}))
    token = await ApiToken.get(person_id=person.id)

    revoked = await post_form(client, f"{PAGE}/{token.id}/revoke", {}, form_page=PAGE)

    assert revoked.status_code == 303
    assert (await ApiToken.get(id=token.id)).revoked_at == clock.now()
    listed = await client.get(PAGE)
    assert "Revoked" in page(listed).select_one("tbody tr").get_text()  # type: ignore[union-attr]
    refused = await client.get(
        "/api/v1/responses/QC-2026-AAAA-AAAA", headers={"Authorization": f"Bearer {secret}"}
    )
    assert refused.status_code == 401


async def test_another_persons_token_cannot_be_revoked(
    client: httpx.AsyncClient, app: Starlette, clock: FixedClock
) -> None:
    owner = await verified_stakeholder(client)
    await post_form(client, PAGE, {"name": "Mine"})
    token = await ApiToken.get(person_id=owner.id)
    async with second_browser(app) as other:
        await verified_stakeholder(other, "grace@example.org")
        refused = await post_form(other, f"{PAGE}/{token.id}/revoke", {}, form_page=PAGE)
    assert refused.status_code == 404
    assert (await ApiToken.get(id=token.id)).revoked_at is None


@pytest.mark.parametrize("token_id", [0, 999_999])
async def test_revoking_an_unknown_token_is_not_found(
    client: httpx.AsyncClient, token_id: int
) -> None:
    await verified_stakeholder(client)
    refused = await post_form(client, f"{PAGE}/{token_id}/revoke", {}, form_page=PAGE)
    assert refused.status_code == 404


async def test_revoking_a_revoked_token_again_is_not_found_and_keeps_the_first_date(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    person = await verified_stakeholder(client)
    await post_form(client, PAGE, {"name": "Old system"})
    token = await ApiToken.get(person_id=person.id)
    await post_form(client, f"{PAGE}/{token.id}/revoke", {}, form_page=PAGE)
    first = clock.now()
    clock.advance(days=1)

    again = await post_form(client, f"{PAGE}/{token.id}/revoke", {}, form_page=PAGE)

    assert again.status_code == 404
    assert (await ApiToken.get(id=token.id)).revoked_at == first


async def test_each_revoke_button_names_its_token_and_revoked_ones_have_none(
    client: httpx.AsyncClient,
) -> None:
    person = await verified_stakeholder(client)
    for name in ("Submission system", "Test harness", "Retired"):
        await issue_token(person, name)
    retired = await ApiToken.get(person_id=person.id, name="Retired")
    await post_form(client, f"{PAGE}/{retired.id}/revoke", {}, form_page=PAGE)

    buttons = page(await client.get(PAGE)).select("tbody button")

    assert sorted(button.get_text(" ", strip=True) for button in buttons) == [
        "Revoke the token “Submission system”",
        "Revoke the token “Test harness”",
    ]


async def test_no_token_is_issued_past_the_limit_of_live_tokens(
    client: httpx.AsyncClient,
) -> None:
    person = await verified_stakeholder(client)
    for number in range(MAX_TOKENS):
        await issue_token(person, f"System {number}")

    refused = await post_form(client, PAGE, {"name": "One too many"})

    assert refused.status_code == 400
    assert error_summary(refused) == [
        f"You have {MAX_TOKENS} tokens already: revoke one you no longer use."
    ]
    assert page(refused).find("input", attrs={"name": "name"})["value"] == "One too many"  # type: ignore[index]
    assert await ApiToken.filter(person_id=person.id).count() == MAX_TOKENS


async def test_a_forged_csrf_token_creates_nothing(client: httpx.AsyncClient) -> None:
    person = await verified_stakeholder(client)
    await client.get(PAGE)
    refused = await client.post(PAGE, data={"name": "Forged", "csrf_token": "not-the-token"})
    assert refused.status_code == 403
    assert not await ApiToken.filter(person_id=person.id).exists()


async def test_an_account_without_an_organisation_gets_no_token(client: httpx.AsyncClient) -> None:
    await verified_stakeholder(client)
    await Person.filter(email="ada.lovelace@example.org").update(organisation="")

    shown = await client.get(PAGE)
    refused = await client.post(
        PAGE, data={"name": "Try", "csrf_token": csrf_from(await client.get("/account/profile"))}
    )

    assert page(shown).find("form", action=PAGE) is None
    assert "Add your organisation to your profile" in shown.text
    assert refused.status_code == 400
    assert "act for an organisation" in " ".join(error_summary(refused))
    assert not await ApiToken.all().exists()


async def test_an_unconfirmed_account_gets_no_token(client: httpx.AsyncClient) -> None:
    await sign_up(client, NewAccount())
    refused = await client.post(
        PAGE, data={"name": "Try", "csrf_token": csrf_from(await client.get("/account/profile"))}
    )
    assert refused.status_code == 400
    assert "Confirm your email address" in " ".join(error_summary(refused))
    assert not await ApiToken.all().exists()


@pytest.mark.parametrize("name", ["", "x" * 101, "bell\x07"])
async def test_a_bad_name_is_refused_and_creates_nothing(
    client: httpx.AsyncClient, name: str
) -> None:
    await verified_stakeholder(client)
    refused = await post_form(client, PAGE, {"name": name})
    assert refused.status_code == 400
    assert error_summary(refused)
    assert not await ApiToken.all().exists()


async def test_visitors_are_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    answered = await client.get(PAGE)
    assert answered.status_code == 303
    assert answered.headers["location"] == f"/account/signin?next={PAGE}"
