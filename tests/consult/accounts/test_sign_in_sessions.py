"""Signed-in sessions kept in the database: a copied cookie dies with its session, the events that
end a person's other sessions, the list on the account page, and the idle and absolute limits."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
from starlette.applications import Starlette

from config.app import SESSION_COOKIE
from consult.accounts import totp, two_step
from consult.accounts.sessions import browser_of
from consult.retention import apply_retention
from core.clock import FixedClock
from core.models import Person, SignInSession
from core.vocabulary import Role
from tests.consult.accounts.two_step_steps import PASSWORD, sign_in_with_code, turn_on
from tests.factories import person_with_role
from tests.support import Mailbox, csrf_from, links_in, page, post_form, sign_in, sign_up

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
EMAIL = "ada.lovelace@example.org"


@asynccontextmanager
async def browser(
    app: Starlette, *, user_agent: str = IPHONE, cookies: dict[str, str] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """Another browser on the same app: its own cookies (or a copy of someone's) and user agent."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.30", 50000))
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://testserver",
        headers={"User-Agent": user_agent},
        cookies=cookies,
    ) as other:
        yield other


def cookie_token(client: httpx.AsyncClient) -> str:
    """The random token in a signed-in browser's cookie (itsdangerous: payload.time.signature)."""
    payload = client.cookies[SESSION_COOKIE].split(".")[0]
    return json.loads(base64.b64decode(payload))["sid"]


async def signed_in(client: httpx.AsyncClient) -> bool:
    answer = await client.get("/account/")
    if answer.status_code == 303:
        assert answer.headers["location"].startswith("/account/signin")
        return False
    assert answer.status_code == 200
    return True


# ---------------------------------------------------------------- A copy of the cookie


async def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    await sign_up(client)
    account = await client.get("/account/")
    copied, token = dict(client.cookies), csrf_from(account)

    signed_out = await client.post("/account/signout", data={"csrf_token": token})

    assert signed_out.status_code == 303
    assert await SignInSession.all().count() == 0
    async with browser(app, cookies=copied) as thief:
        assert not await signed_in(thief)
        changed = await thief.post(
            "/account/profile",
            data={
                "csrf_token": token,
                "display_name": "Mallory",
                "organisation": "",
                "sector": "other",
                "country": "",
                "time_zone": "Europe/London",
            },
        )
        assert changed.status_code == 303  # a visitor's: sent to sign in
        assert changed.headers["location"].startswith("/account/signin")
        signed_out_again = await thief.post("/account/signout", data={"csrf_token": token})
        assert signed_out_again.status_code == 403  # its CSRF token went with the session
    assert (await Person.get(email=EMAIL)).display_name == "Ada Lovelace"


async def test_the_cookie_holds_a_random_token_and_the_table_only_its_hash(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    await client.get("/account/")

    token = cookie_token(client)
    [row] = await SignInSession.all()

    assert len(base64.urlsafe_b64decode(token + "==")) == 32  # 256 random bits
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(await SignInSession.all().values(), default=str)
    # The pages' data (here the CSRF token) is in the row, not in the cookie.
    assert row.data["csrf"] == csrf_from(await client.get("/account/"))
    assert "csrf" not in client.cookies[SESSION_COOKIE]


async def test_signing_in_again_in_the_same_browser_ends_the_session_it_had(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    await sign_up(client)
    before = dict(client.cookies)

    assert (await sign_in(client, EMAIL, PASSWORD)).status_code == 303

    assert await SignInSession.all().count() == 1
    async with browser(app, cookies=before) as old_copy:
        assert not await signed_in(old_copy)
    assert await signed_in(client)


# ---------------------------------------------------------------- What ends the other sessions


async def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    await sign_up(client)
    async with browser(app) as phone:
        await sign_in(phone, EMAIL, PASSWORD)
        changed = await post_form(
            client,
            "/account/password",
            {"current_password": PASSWORD, "password": "another long passphrase"},
        )
        assert changed.status_code == 303
        assert not await signed_in(phone)
    assert await signed_in(client)
    assert await SignInSession.all().count() == 1


async def test_a_password_reset_ends_every_session_of_the_person(
    app: Starlette, client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await sign_up(client)
    mailbox.clear()
    async with browser(app) as phone:
        await sign_in(phone, EMAIL, PASSWORD)
        async with browser(app, user_agent=FIREFOX) as elsewhere:
            await post_form(elsewhere, "/account/password/forgot", {"email": EMAIL})
            [message] = mailbox.to(EMAIL)
            [link] = [u for u in links_in(message) if "/account/password/reset/" in u]
            path = link.removeprefix("http://testserver")
            done = await post_form(elsewhere, path, {"password": "another long passphrase"})
            assert done.status_code == 303
            assert not await signed_in(elsewhere)
        assert not await signed_in(phone)
    assert not await signed_in(client)
    assert await SignInSession.all().count() == 0


async def test_an_admin_changing_a_role_ends_that_persons_sessions_only(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ada = await person_with_role(client, EMAIL, Role.STAKEHOLDER, "Ada Lovelace")
    async with browser(app) as admin_browser:
        await person_with_role(admin_browser, "admin@example.gov", Role.ADMIN, "Alan Turing")
        form = await admin_browser.get(f"/organise/people/{ada.id}/role")
        done = await admin_browser.post(
            f"/organise/people/{ada.id}/role",
            data={"csrf_token": csrf_from(form), "role": "organiser"},
        )
        assert done.status_code == 303
        assert (await Person.get(id=ada.id)).role == Role.ORGANISER
        assert not await signed_in(client)
        assert await signed_in(admin_browser)
    assert await SignInSession.filter(person_id=ada.id).count() == 0


async def test_turning_two_step_on_or_off_ends_the_other_sessions_and_keeps_this_one(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await sign_up(client)
    async with browser(app) as phone:
        await sign_in(phone, EMAIL, PASSWORD)
        key, _codes = await turn_on(client, clock)
        assert await signed_in(client)
        assert not await signed_in(phone)

        clock.advance(seconds=30)
        assert (
            await sign_in_with_code(phone, EMAIL, totp.code_at(key, clock.now()))
        ).status_code == 303
        assert await signed_in(phone)
        off = await post_form(client, "/account/two-step/off", {"password": PASSWORD})
        assert off.status_code == 303
        assert await signed_in(client)
        assert not await signed_in(phone)
    assert await SignInSession.all().count() == 1


async def test_two_step_turned_off_by_an_admin_or_on_the_server_ends_the_persons_sessions(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    ada = await person_with_role(client, EMAIL, Role.ORGANISER, "Ada Lovelace")
    await turn_on(client, clock)
    async with browser(app) as admin_browser:
        await person_with_role(admin_browser, "admin@example.gov", Role.ADMIN, "Alan Turing")
        form = await admin_browser.get(f"/organise/people/{ada.id}/role")
        off = await admin_browser.post(
            f"/organise/people/{ada.id}/two-step-off", data={"csrf_token": csrf_from(form)}
        )
        assert off.status_code == 303
        assert not await signed_in(client)
        assert await signed_in(admin_browser)

    await sign_in(client, EMAIL, PASSWORD)
    clock.advance(seconds=30)
    await turn_on(client, clock)
    assert await signed_in(client)
    # What `consult createadmin` does for a locked-out person on the server.
    await two_step.turn_off_for(await Person.get(id=ada.id), actor=None, via="cli")
    assert not await signed_in(client)
    assert await SignInSession.filter(person_id=ada.id).count() == 0


async def test_deleting_the_account_ends_its_sessions_everywhere(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    await sign_up(client)
    async with browser(app) as phone:
        await sign_in(phone, EMAIL, PASSWORD)
        copied = dict(phone.cookies)
        deleted = await post_form(
            client, "/account/delete", {"password": PASSWORD, "confirmation": "delete my account"}
        )
        assert deleted.status_code == 303
        assert not await signed_in(phone)
    async with browser(app, cookies=copied) as copy:
        assert not await signed_in(copy)
    assert not await signed_in(client)
    assert await SignInSession.all().count() == 0


# ---------------------------------------------------------------- The account page


async def test_the_account_page_lists_the_sessions_and_signs_out_of_the_others(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    await sign_up(client)
    async with browser(app, user_agent=FIREFOX) as laptop, browser(app) as phone:
        await sign_in(laptop, EMAIL, PASSWORD)
        await sign_in(phone, EMAIL, PASSWORD)
        listed = await laptop.get("/account/")
        rows = [
            [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
            for row in page(listed).select("#sign-ins tbody tr")
        ]
        assert [row[0] for row in rows] == [
            "Safari on iPhone",  # the phone: the most recently seen first (the ids break a tie)
            "Firefox on Windows This session",
            "python-httpx/" + httpx.__version__,
        ]
        assert len(page(listed).select("#sign-ins .this-session")) == 1

        forged = await laptop.post("/account/signout/others", data={"csrf_token": "forged"})
        assert forged.status_code == 403
        assert await signed_in(phone)

        ended = await laptop.post("/account/signout/others", data={"csrf_token": csrf_from(listed)})
        assert ended.status_code == 303
        after = await laptop.get("/account/")
        assert "You have signed out of 2 other sessions." in after.text
        assert len(page(after).select("#sign-ins tbody tr")) == 1
        assert "Sign out of all other sessions" not in after.text
        assert not await signed_in(phone)
        assert await signed_in(laptop)
    assert not await signed_in(client)
    assert await SignInSession.all().count() == 1


def test_the_browser_is_named_in_plain_words_or_shown_as_sent() -> None:
    assert browser_of(FIREFOX) == "Firefox on Windows"
    assert browser_of(IPHONE) == "Safari on iPhone"
    edge = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
    )
    assert browser_of(edge) == "Edge on Windows"
    chrome_android = (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36"
    )
    assert browser_of(chrome_android) == "Chrome on Android"
    assert browser_of("curl/8.5.0") == "curl/8.5.0"
    assert browser_of("x" * 300) == "x" * 80
    assert browser_of("") == "Unknown browser"


# ---------------------------------------------------------------- Limits, by the app's clock


async def test_a_session_idle_for_session_idle_minutes_ends_by_the_app_clock(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    app.state.settings = replace(app.state.settings, session_idle_minutes=30)
    await sign_up(client)
    clock.advance(minutes=29)
    assert await signed_in(client)  # seen again: the idle timer restarts
    clock.advance(minutes=29)
    assert await signed_in(client)

    clock.advance(minutes=30)

    assert not await signed_in(client)
    assert await SignInSession.all().count() == 0


async def test_last_seen_is_written_at_most_once_a_minute(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await sign_up(client)
    started = clock.now()
    clock.advance(seconds=59)
    await client.get("/account/")
    assert (await SignInSession.get()).last_seen_at == started
    assert "set-cookie" not in (await client.get("/account/")).headers

    clock.advance(seconds=1)
    renewed = await client.get("/account/")

    assert (await SignInSession.get()).last_seen_at == clock.now()
    assert renewed.headers["set-cookie"].startswith(f"{SESSION_COOKIE}=")  # Max-Age restarts


async def test_the_daily_retention_job_deletes_sessions_that_ran_out(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    settings = app.state.settings = replace(app.state.settings, session_idle_minutes=30)
    await sign_up(client)
    async with browser(app) as phone:
        await sign_in(phone, EMAIL, PASSWORD)
        clock.advance(minutes=settings.session_idle_minutes - 1)
        assert await signed_in(phone)
        clock.advance(minutes=2)

        await apply_retention(settings, now=clock.now())

        [kept] = await SignInSession.all()
        assert kept.user_agent == IPHONE
        assert await signed_in(phone)
