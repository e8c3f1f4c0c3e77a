"""Which mail a person gets: the notification-settings page, the one-click unsubscribe links of
RFC 8058, and the time zone on the profile — on both databases."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from core.models import Person
from core.notifications.preferences import choice_of, unsubscribe_token
from core.vocabulary import Role
from tests.conftest import TEST_SECRET
from tests.factories import person_with_role, second_browser
from tests.support import NewAccount, csrf_from, field_error, page, post_form, sign_up

STAKEHOLDER_CHOICES = ["deadline_reminders", "session_invitations", "session_reminders"]
ALL_CHOICES = [*STAKEHOLDER_CHOICES, "organiser_digest", "call_updates"]
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def unsubscribe_path(app: Starlette, person_id: int, kind: str) -> str:
    """The path the List-Unsubscribe header of a message of `kind` to this person carries."""
    choice = choice_of(kind)
    assert choice is not None
    token = unsubscribe_token(TEST_SECRET, person_id, choice.key)
    return str(app.url_path_for("account:unsubscribe", token=token))


def offered(response: httpx.Response) -> dict[str, bool]:
    """The settings page's checkboxes: choice key → checked."""
    boxes = page(response).select('form input[type="checkbox"][name="wanted"]')
    return {str(box["value"]): box.has_attr("checked") for box in boxes}


async def signed_up(client: httpx.AsyncClient, role: Role = Role.STAKEHOLDER) -> Person:
    return await person_with_role(client, "ada.lovelace@example.org", role, "Ada Lovelace")


async def opt_outs(person: Person) -> list[str]:
    return (await Person.get(id=person.id)).mail_opt_outs


async def test_settings_page_stores_the_unchecked_choices_as_opt_outs(
    client: httpx.AsyncClient,
) -> None:
    person = await signed_up(client)
    shown = await client.get("/account/notifications")
    assert offered(shown) == dict.fromkeys(STAKEHOLDER_CHOICES, True)

    response = await client.post(
        "/account/notifications",
        data={"csrf_token": csrf_from(shown), "wanted": ["session_invitations"]},
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/account/notifications"
    assert await opt_outs(person) == ["deadline_reminders", "session_reminders"]
    again = await client.get("/account/notifications")
    assert offered(again) == {
        "deadline_reminders": False,
        "session_invitations": True,
        "session_reminders": False,
    }
    notice = page(again).select_one(".notification-banner--success")
    assert notice.get_text(strip=True) == "Your notification settings are saved"


async def test_settings_page_with_nothing_checked_turns_off_every_choice_shown(
    client: httpx.AsyncClient,
) -> None:
    person = await signed_up(client)

    response = await post_form(client, "/account/notifications", {})

    assert response.status_code == 303
    assert await opt_outs(person) == STAKEHOLDER_CHOICES


async def test_settings_page_shows_each_choice_with_its_hint(client: httpx.AsyncClient) -> None:
    await signed_up(client)

    response = await client.get("/account/notifications")

    item = page(response).find(id="wanted-0")
    assert item["value"] == "deadline_reminders"
    assert page(response).find("label", attrs={"for": "wanted-0"}).get_text(strip=True) == (
        "Reminders before a call closes"
    )
    hint = page(response).find(id=item["aria-describedby"])
    assert hint.get_text(strip=True) == (
        "48 hours and 24 hours before the deadline, when you have a response you have not sent."
    )


async def test_organiser_choices_are_shown_only_to_organisers_and_admins(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    await signed_up(client)
    stakeholder_page = await client.get("/account/notifications")
    async with second_browser(app) as other:
        await person_with_role(other, "rosalind@example.gov", Role.ORGANISER)
        organiser_page = await other.get("/account/notifications")
    async with second_browser(app) as other:
        await person_with_role(other, "grace@example.gov", Role.ADMIN)
        admin_page = await other.get("/account/notifications")

    assert list(offered(stakeholder_page)) == STAKEHOLDER_CHOICES
    assert "Daily digest for organisers" not in stakeholder_page.text
    assert list(offered(organiser_page)) == ALL_CHOICES
    assert list(offered(admin_page)) == ALL_CHOICES


async def test_saving_settings_keeps_the_opt_out_of_a_choice_not_shown(
    client: httpx.AsyncClient,
) -> None:
    person = await signed_up(client)
    # Turned off while an organiser; the page no longer shows it to a stakeholder.
    await Person.filter(id=person.id).update(mail_opt_outs=["organiser_digest"])

    response = await post_form(
        client, "/account/notifications", {"wanted": ["deadline_reminders", "session_reminders"]}
    )

    assert response.status_code == 303
    assert await opt_outs(person) == ["session_invitations", "organiser_digest"]


async def test_a_stakeholder_cannot_post_an_organiser_choice_and_nothing_changes(
    client: httpx.AsyncClient,
) -> None:
    person = await signed_up(client)

    response = await post_form(
        client, "/account/notifications", {"wanted": ["deadline_reminders", "organiser_digest"]}
    )

    assert response.status_code == 400
    assert field_error(response, "wanted") == (
        "Error: 'organiser_digest' is not a valid choice for this field."
    )
    assert await opt_outs(person) == []


async def test_settings_page_sends_strangers_to_sign_in_and_back(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/account/notifications")

    assert response.status_code == 303
    assert response.headers["location"] == "/account/signin?next=/account/notifications"


async def test_account_home_links_to_the_settings_page(client: httpx.AsyncClient) -> None:
    await signed_up(client)

    response = await client.get("/account/")

    link = page(response).find("a", string="Notification settings")
    assert link["href"] == "/account/notifications"


async def test_one_click_post_without_cookies_turns_off_exactly_that_choice_and_is_idempotent(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    person = await signed_up(client)
    await Person.filter(id=person.id).update(mail_opt_outs=["deadline_reminders"])
    # The path a session reminder's List-Unsubscribe header carries.
    path = unsubscribe_path(app, person.id, "session_24h")

    async with second_browser(app) as mail_provider:
        first = await mail_provider.post(path, data=ONE_CLICK)
        after_first = await opt_outs(person)
        mail_provider.cookies.clear()  # providers keep no cookies between messages
        second = await mail_provider.post(path, data=ONE_CLICK)
        sent_cookies = [
            request.headers.get("cookie") for request in (first.request, second.request)
        ]

    assert sent_cookies == [None, None]
    assert first.status_code == second.status_code == 200
    assert after_first == ["deadline_reminders", "session_reminders"]
    assert await opt_outs(person) == ["deadline_reminders", "session_reminders"]
    heading = page(second).find("h1").get_text(strip=True)
    assert heading == "You will no longer get “Reminders before sessions”"
    assert page(second).find("a", string="notification settings")["href"] == (
        "/account/notifications"
    )


async def test_unsubscribe_get_asks_first_and_changes_nothing(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    person = await signed_up(client)
    path = f"/unsubscribe/{unsubscribe_token(TEST_SECRET, person.id, 'deadline_reminders')}"

    async with second_browser(app) as reader:
        checked = await reader.head(path)  # mail scanners and link previews
        shown = await reader.get(path)
        assert await opt_outs(person) == []
        form = page(shown).find("main").find("form")
        fields = {field["name"]: field["value"] for field in form.find_all("input")}
        clicked = await reader.post(form["action"], data=fields)

    assert (checked.status_code, shown.status_code) == (200, 200)
    assert page(shown).find("h1").get_text(strip=True) == "Stop “Reminders before a call closes”?"
    assert form["action"] == path
    assert fields == ONE_CLICK  # no CSRF token: the link is the credential
    assert clicked.status_code == 200
    assert await opt_outs(person) == ["deadline_reminders"]


async def test_unsubscribe_post_without_the_one_click_body_changes_nothing(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    person = await signed_up(client)
    path = unsubscribe_path(app, person.id, "deadline_24h")

    async with second_browser(app) as other:
        response = await other.post(path, data={"List-Unsubscribe": "Later"})

    assert response.status_code == 400
    assert await opt_outs(person) == []


async def test_unsubscribe_token_for_one_person_altered_to_another_is_refused_with_404(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ada = await signed_up(client)
    async with second_browser(app) as other:
        grace = await person_with_role(other, "grace@example.gov", Role.STAKEHOLDER)
    token = unsubscribe_token(TEST_SECRET, ada.id, "session_reminders")
    altered = token.replace(f"{ada.id}.", f"{grace.id}.", 1)
    assert altered != token

    async with second_browser(app) as attacker:
        shown = await attacker.get(f"/unsubscribe/{altered}")
        posted = await attacker.post(f"/unsubscribe/{altered}", data=ONE_CLICK)

    assert (shown.status_code, posted.status_code) == (404, 404)
    assert page(posted).find("h1").get_text(strip=True) == "Page not found"
    assert await opt_outs(ada) == []
    assert await opt_outs(grace) == []


async def test_unsubscribe_for_a_person_who_no_longer_exists_is_404(
    app: Starlette,
) -> None:
    path = unsubscribe_path(app, 999_999, "session_1h")

    async with second_browser(app) as mail_provider:
        response = await mail_provider.post(path, data=ONE_CLICK)

    assert response.status_code == 404


async def test_profile_saves_the_time_zone(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    shown = await client.get("/account/profile")
    zone = page(shown).find(id="time_zone")
    assert zone.find("option", selected=True)["value"] == "Europe/London"
    assert page(shown).find(id=zone["aria-describedby"]).get_text(strip=True) == (
        "Your daily digest and reminders show times in this zone"
    )

    response = await post_form(
        client, "/account/profile", {**profile_of(NewAccount()), "time_zone": "America/Chicago"}
    )

    assert response.status_code == 303
    assert (await Person.get(email="ada.lovelace@example.org")).time_zone == "America/Chicago"
    again = await client.get("/account/profile")
    assert page(again).find(id="time_zone").find("option", selected=True)["value"] == (
        "America/Chicago"
    )


async def test_profile_refuses_an_unknown_time_zone_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)

    response = await post_form(
        client,
        "/account/profile",
        {**profile_of(NewAccount(display_name="Ada King")), "time_zone": "Mars/Olympus_Mons"},
    )

    assert response.status_code == 400
    assert field_error(response, "time_zone") == "Error: Not a valid choice."
    person = await Person.get(email="ada.lovelace@example.org")
    assert (person.time_zone, person.display_name) == ("Europe/London", "Ada Lovelace")


def profile_of(account: NewAccount) -> dict[str, str]:
    return {
        "display_name": account.display_name,
        "organisation": account.organisation,
        "sector": account.sector,
        "country": account.country,
    }
