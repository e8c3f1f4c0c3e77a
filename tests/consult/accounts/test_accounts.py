"""Accounts: sign-up, email verification, sign-in, password reset, profile — on both databases."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
from starlette.applications import Starlette

from base.settings import Limit
from consult.accounts.passwords import hashing
from core.clock import FixedClock
from core.models import Person, RateLimitCounter
from tests.support import (
    Mailbox,
    NewAccount,
    csrf_from,
    error_summary,
    field_error,
    links_in,
    page,
    post_form,
    sign_in,
    sign_up,
    text_of,
)


async def verification_link(mailbox: Mailbox, email: str) -> str:
    [message] = mailbox.to(email)
    [link] = [url for url in links_in(message) if "/account/verify/" in url]
    return link.removeprefix("http://testserver")


async def test_sign_up_stores_lowercased_email_and_argon2id_hash_and_mails_a_link(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    response = await sign_up(client, NewAccount(email="Ada.Lovelace@Example.ORG"))

    assert response.status_code == 303
    assert response.headers["location"] == "/account/signup/check-email"
    person = await Person.get(email="ada.lovelace@example.org")
    assert person.password_hash.startswith("$argon2id$")
    assert "correct horse" not in person.password_hash
    assert (person.display_name, person.organisation, person.sector, person.country) == (
        "Ada Lovelace",
        "Analytical Engines Ltd",
        "industry",
        "GB",
    )
    assert person.verified_at is None
    [message] = mailbox.to("ada.lovelace@example.org")
    assert message["Subject"] == "Confirm your email address for QIST Consult"
    assert "The link works for 48 hours" in text_of(message)
    assert message.get_body(preferencelist=("html",)) is not None
    check = await client.get("/account/signup/check-email")
    assert "ada.lovelace@example.org" in page(check).find("main").get_text()


async def test_email_is_unique_regardless_of_case(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    other = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    response = await sign_up(other, NewAccount(email="ADA.LOVELACE@example.org"))

    assert response.status_code == 400
    assert "already exists" in field_error(response, "email")
    assert await Person.filter(email="ada.lovelace@example.org").count() == 1


async def test_sign_up_refuses_common_and_short_passwords_and_stores_nothing(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    common = await sign_up(client, NewAccount(password="password1234"))
    short = await sign_up(client, NewAccount(password="tooshort1"))

    assert common.status_code == 400
    assert "too common" in field_error(common, "password")
    assert short.status_code == 400
    assert "at least 12 characters" in field_error(short, "password")
    assert await Person.all().count() == 0
    assert mailbox.messages == []


async def test_sign_up_errors_are_summarised_and_linked_to_each_field(
    client: httpx.AsyncClient,
) -> None:
    response = await post_form(
        client, "/account/signup", {"email": "not-an-email", "sector": "nonsense"}
    )

    assert response.status_code == 400
    assert page(response).title.get_text().startswith("Error: ")
    links = [a["href"] for a in page(response).select(".error-summary a")]
    assert links == ["#email", "#password", "#display_name", "#sector", "#country"]
    email_input = page(response).find(id="email")
    assert email_input["aria-describedby"] == "email-error"
    assert email_input["aria-invalid"] == "true"
    assert "Enter an email address in the correct format" in error_summary(response)[0]


async def test_verification_link_confirms_only_on_post_and_only_once(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await sign_up(client)
    link = await verification_link(mailbox, "ada.lovelace@example.org")

    shown = await client.get(link)
    assert shown.status_code == 200
    assert (
        await Person.get(email="ada.lovelace@example.org")
    ).verified_at is None  # GET changes nothing

    confirmed = await client.post(link, data={"csrf_token": csrf_from(shown)})
    assert confirmed.status_code == 303
    person = await Person.get(email="ada.lovelace@example.org")
    assert person.verified_at is not None

    again = await client.get(link)
    assert again.status_code == 303  # spent: "already confirmed", nothing changes
    assert (await Person.get(id=person.id)).verified_at == person.verified_at


async def test_verification_link_expires_after_the_configured_hours(
    client: httpx.AsyncClient, mailbox: Mailbox, clock: FixedClock
) -> None:
    await sign_up(client)
    link = await verification_link(mailbox, "ada.lovelace@example.org")
    clock.advance(hours=48, seconds=1)

    response = await client.get(link)

    assert response.status_code == 400
    assert "This link does not work" in page(response).find("h1").get_text()
    assert (await Person.get(email="ada.lovelace@example.org")).verified_at is None


async def test_a_tampered_verification_link_is_refused(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await sign_up(client)
    link = await verification_link(mailbox, "ada.lovelace@example.org")
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")

    response = await client.get(forged)

    assert response.status_code == 400
    assert (await Person.get(email="ada.lovelace@example.org")).verified_at is None


async def test_sign_in_with_the_right_password_opens_the_account_page(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    client.cookies.clear()

    response = await sign_in(client, "ADA.lovelace@example.org", "correct horse battery staple")

    assert response.status_code == 303
    assert response.headers["location"] == "/account/"
    account = await client.get("/account/")
    assert "Ada Lovelace" in page(account).find("main").get_text()
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()


async def test_sign_in_with_a_wrong_password_gives_one_message_for_both_fields(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    client.cookies.clear()

    wrong_password = await sign_in(client, "ada.lovelace@example.org", "not the password at all")
    unknown_email = await sign_in(client, "nobody@example.org", "not the password at all")

    for response in (wrong_password, unknown_email):
        assert response.status_code == 400
        assert (
            field_error(response, "email") == "Error: The email address or password is not right."
        )
    assert (await client.get("/account/")).status_code == 303


async def test_sign_in_is_limited_per_account_and_address_with_retry_after(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await sign_up(client)
    client.cookies.clear()
    for _ in range(5):
        assert (
            await sign_in(client, "ada.lovelace@example.org", "wrong password guess")
        ).status_code == 400

    limited = await sign_in(client, "ada.lovelace@example.org", "correct horse battery staple")

    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "900"
    assert "Try again in 15 minutes" in page(limited).find(class_="error-summary").get_text(
        " ", strip=True
    )
    clock.advance(seconds=901)
    assert (
        await sign_in(client, "ada.lovelace@example.org", "correct horse battery staple")
    ).status_code == 303


async def test_sign_in_is_limited_per_address_across_accounts(client: httpx.AsyncClient) -> None:
    for number in range(20):  # four times the per-account allowance, spread over many accounts
        await sign_in(client, f"guess{number}@example.org", "wrong password guess")

    response = await sign_in(client, "someone.else@example.org", "wrong password guess")

    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0


@asynccontextmanager
async def browser_at(app: Starlette, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser of its own, with its own cookies, at this network address."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        yield browser


async def counted(key: str) -> int:
    """The attempts counted under a rate-limit key in its current window (0 if none)."""
    counter = await RateLimitCounter.get_or_none(key=key)
    return counter.attempts if counter else 0


async def test_a_burst_of_wrong_passwords_is_checked_only_up_to_the_limit(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    await sign_up(client)
    client.cookies.clear()
    token = csrf_from(await client.get("/account/signin"))
    form = {"csrf_token": token, "email": "ada.lovelace@example.org", "password": "wrong guess!"}

    answers = await asyncio.gather(*(client.post("/account/signin", data=form) for _ in range(30)))

    # SIGNIN_LIMIT is 5: five passwords were checked (400), the other 25 refused unchecked.
    assert Counter(answer.status_code for answer in answers) == {400: 5, 429: 25}
    assert {a.headers["retry-after"] for a in answers if a.status_code == 429} == {"900"}
    email = "ada.lovelace@example.org"
    assert await counted(f"signin:account:{email}:address:203.0.113.10") == 5
    assert await counted("signin:address:203.0.113.10") == 5
    assert await counted(f"signin:account:{email}") == 5


async def test_an_attacker_elsewhere_does_not_lock_the_owner_out_but_the_account_ceiling_holds(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    app.state.settings = replace(app.state.settings, signin_account_limit=Limit(8, 900, 3600))
    email, password = "ada.lovelace@example.org", "correct horse battery staple"
    await sign_up(client)
    client.cookies.clear()
    async with browser_at(app, "198.51.100.66") as attacker:
        for _ in range(5):
            assert (await sign_in(attacker, email, "wrong guess!")).status_code == 400
        assert (await sign_in(attacker, email, "wrong guess!")).status_code == 429

    owner = await sign_in(client, email, password)

    assert (owner.status_code, owner.headers["location"]) == (303, "/account/")
    assert await counted(f"signin:account:{email}") == 5  # the owner's success did not count
    # Guesses spread over addresses still stop at the account's ceiling (8 here), for everyone.
    async with browser_at(app, "198.51.100.67") as second:
        for _ in range(3):
            assert (await sign_in(second, email, "wrong guess!")).status_code == 400
    async with browser_at(app, "198.51.100.68") as third:
        refused = await sign_in(third, email, "wrong guess!")
    client.cookies.clear()
    owner_again = await sign_in(client, email, password)
    for answer in (refused, owner_again):
        assert answer.status_code == 429
        assert answer.headers["retry-after"] == "900"
    assert await counted(f"signin:account:{email}") == 8


async def test_the_account_ceiling_waits_twice_as_long_each_time_it_fills(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    app.state.settings = replace(app.state.settings, signin_account_limit=Limit(3, 900, 3600))
    email = "ada.lovelace@example.org"
    await sign_up(client)
    client.cookies.clear()
    waits = []
    for _ in range(4):
        for _ in range(3):
            assert (await sign_in(client, email, "wrong guess!")).status_code == 400
        refused = await sign_in(client, email, "wrong guess!")
        assert refused.status_code == 429
        waits.append(int(refused.headers["retry-after"]))
        clock.advance(seconds=waits[-1])

    assert waits == [900, 1800, 3600, 3600]  # doubled each time, up to the longest window
    # A window that did not fill is followed by one half as long.
    assert (await sign_in(client, email, "wrong guess!")).status_code == 400
    clock.advance(seconds=3600)
    for _ in range(3):
        assert (await sign_in(client, email, "wrong guess!")).status_code == 400
    assert (await sign_in(client, email, "wrong guess!")).headers["retry-after"] == "1800"


async def test_a_wrong_password_for_the_longest_email_address_is_refused_without_error(
    client: httpx.AsyncClient,
) -> None:
    # 254 characters: the rate-limit keys naming it are longer than their column.
    email = f"{'a' * 64}@{'b' * 63}.{'c' * 63}.{'d' * 57}.org"
    assert len(email) == 254

    answer = await sign_in(client, email, "wrong guess!")

    assert answer.status_code == 400
    assert field_error(answer, "email") == "Error: The email address or password is not right."
    keys = await RateLimitCounter.all().values_list("key", flat=True)
    assert len(keys) == 3
    assert all(len(key) <= 200 for key in keys)


async def test_the_server_answers_other_requests_while_a_password_is_being_checked(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    client.cookies.clear()
    token = csrf_from(await client.get("/account/signin"))
    form = {"csrf_token": token, "email": "ada.lovelace@example.org", "password": "wrong guess!"}
    # Keep every hashing thread busy, so the sign-in's password check has to wait for one.
    gate = threading.Event()
    busy = [asyncio.create_task(hashing.run(gate.wait)) for _ in range(hashing.size)]
    try:
        signing_in = asyncio.create_task(client.post("/account/signin", data=form))
        # Wait until its password check is queued behind them (the timeout only turns a
        # regression into a failure instead of a hang; nothing here measures time).
        async with asyncio.timeout(60):
            while hashing.jobs < hashing.size + 1:  # noqa: ASYNC110 (a count, no event to await)
                await asyncio.sleep(0.01)

        health = await client.get("/healthz")

        assert health.json() == {"status": "ok"}
        assert not signing_in.done()  # still waiting for its password check
    finally:
        gate.set()
    await asyncio.gather(*busy)
    answer = await signing_in
    assert answer.status_code == 400
    assert field_error(answer, "email") == "Error: The email address or password is not right."


async def test_sign_up_is_limited_per_address(app: Starlette) -> None:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        for number in range(5):
            browser.cookies.clear()
            assert (
                await sign_up(browser, NewAccount(email=f"person{number}@example.org"))
            ).status_code == 303
        browser.cookies.clear()
        response = await sign_up(browser, NewAccount(email="one.too.many@example.org"))

    assert response.status_code == 429
    assert response.headers["retry-after"] == "3600"
    assert not await Person.exists(email="one.too.many@example.org")


async def test_password_reset_sets_a_new_password_once_and_ends_old_sessions(
    app: Starlette, client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await sign_up(client)  # `client` stays signed in: an "old session"
    mailbox.clear()
    transport = httpx.ASGITransport(app=app, client=("203.0.113.99", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        sent = await post_form(
            other, "/account/password/forgot", {"email": "ada.lovelace@example.org"}
        )
        assert sent.status_code == 200
        [message] = mailbox.to("ada.lovelace@example.org")
        [link] = [
            u.removeprefix("http://testserver")
            for u in links_in(message)
            if "/password/reset/" in u
        ]

        reset = await post_form(other, link, {"password": "a brand new passphrase"})
        assert reset.status_code == 303
        second_use = await other.get(link)
        assert second_use.status_code == 400

        assert (
            await sign_in(other, "ada.lovelace@example.org", "correct horse battery staple")
        ).status_code == 400
        assert (
            await sign_in(other, "ada.lovelace@example.org", "a brand new passphrase")
        ).status_code == 303

    person = await Person.get(email="ada.lovelace@example.org")
    assert person.auth_version == 2
    assert person.verified_at is not None  # the reset link proved the address
    assert (await client.get("/account/")).status_code == 303  # the old session has ended


async def test_password_reset_answers_the_same_for_unknown_addresses(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    response = await post_form(client, "/account/password/forgot", {"email": "nobody@example.org"})

    assert response.status_code == 200
    assert "If nobody@example.org has an account" in page(response).find("main").get_text(
        " ", strip=True
    )
    assert mailbox.messages == []


async def test_profile_changes_are_saved(client: httpx.AsyncClient) -> None:
    await sign_up(client)

    response = await post_form(
        client,
        "/account/profile",
        {
            "display_name": "Ada King",
            "organisation": "",
            "sector": "academia",
            "country": "US",
            "time_zone": "Europe/London",
        },
    )

    assert response.status_code == 303
    person = await Person.get(email="ada.lovelace@example.org")
    assert (person.display_name, person.organisation, person.sector, person.country) == (
        "Ada King",
        "",
        "academia",
        "US",
    )
    account = await client.get("/account/")
    assert "United States" in page(account).find("main").get_text()


async def test_profile_refuses_an_unknown_country_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)

    response = await post_form(
        client, "/account/profile", {"display_name": "Ada", "sector": "academia", "country": "XX"}
    )

    assert response.status_code == 400
    assert field_error(response, "country") == "Error: Not a valid choice."
    assert (await Person.get(email="ada.lovelace@example.org")).country == "GB"


async def test_account_pages_send_strangers_to_sign_in_and_back(client: httpx.AsyncClient) -> None:
    response = await client.get("/account/profile")

    assert response.status_code == 303
    assert response.headers["location"] == "/account/signin?next=/account/profile"


async def test_sign_in_never_redirects_off_site(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    client.cookies.clear()
    token = csrf_from(await client.get("/account/signin"))

    response = await client.post(
        "/account/signin?next=//evil.example/steal",
        data={
            "csrf_token": token,
            "email": "ada.lovelace@example.org",
            "password": "correct horse battery staple",
        },
    )

    assert response.headers["location"] == "/account/"


async def test_change_password_needs_the_current_one(client: httpx.AsyncClient) -> None:
    await sign_up(client)

    wrong = await post_form(
        client,
        "/account/password",
        {"current_password": "guess guess guess", "password": "another long passphrase"},
    )
    right = await post_form(
        client,
        "/account/password",
        {"current_password": "correct horse battery staple", "password": "another long passphrase"},
    )

    assert wrong.status_code == 400
    assert "not right" in field_error(wrong, "current_password")
    assert right.status_code == 303
    assert (await client.get("/account/")).status_code == 200  # this session carries on
    client.cookies.clear()
    assert (
        await sign_in(client, "ada.lovelace@example.org", "another long passphrase")
    ).status_code == 303


async def test_sign_out_ends_the_session(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    account = await client.get("/account/")

    response = await client.post("/account/signout", data={"csrf_token": csrf_from(account)})

    assert response.status_code == 303
    assert (await client.get("/account/")).status_code == 303


async def test_a_session_ends_session_max_hours_after_sign_in_however_active(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    lifetime = 6
    app.state.settings = replace(app.state.settings, session_max_hours=lifetime)
    await sign_up(client)
    for _hour in range(lifetime - 1):
        clock.advance(hours=1)
        assert (await client.get("/account/")).status_code == 200  # active: the idle timer restarts
    clock.advance(minutes=59)
    assert (await client.get("/account/")).status_code == 200
    clock.advance(minutes=2)
    ended = await client.get("/account/")
    assert ended.status_code == 303
    assert ended.headers["location"].startswith("/account/signin")


async def test_a_mail_server_that_is_down_does_not_lose_the_account(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    app.state.settings = replace(app.state.settings, smtp_url="smtp://127.0.0.1:1")

    response = await sign_up(client)

    assert response.status_code == 303
    assert await Person.exists(email="ada.lovelace@example.org")
    check = await client.get("/account/signup/check-email")
    assert "We could not send the email just now" in page(check).get_text()


async def test_sign_up_is_limited_per_email_address_across_networks(app: Starlette) -> None:
    responses = []
    for number in range(6):
        transport = httpx.ASGITransport(app=app, client=(f"198.51.100.{number}", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
            responses.append(
                await sign_up(browser, NewAccount(password=f"attempt {number} passphrase!"))
            )

    assert [r.status_code for r in responses] == [303, 400, 400, 400, 400, 429]
    assert await Person.filter(email="ada.lovelace@example.org").count() == 1
