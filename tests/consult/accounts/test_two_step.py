"""Two-step sign-in: setting it up, the code after the password, recovery codes, turning it off,
and organisers and admins kept out of the workspace until they have it (TWO_STEP_REQUIRED=on)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import zipfile
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from base.settings import Limit
from consult.accounts import totp
from consult.accounts.sealing import seal, unseal
from consult.accounts.services import create_admin
from core.clock import FixedClock
from core.models import AuditEntry, Person, RateLimitCounter, RecoveryCode
from core.vocabulary import Role
from tests.consult.accounts.two_step_steps import (
    CODE_STEP,
    PASSWORD,
    SETUP,
    key_on,
    recovery_codes_on,
    sign_in_with_code,
    turn_on,
)
from tests.factories import make_person, person_with_role, second_browser
from tests.support import csrf_from, error_summary, page, post_form, sign_in


@pytest.fixture
def required(app: Starlette) -> Starlette:
    """The app as it runs by default and in production: organisers and admins must use it."""
    app.state.settings = replace(app.state.settings, two_step_required=True)
    return app


# ---------------------------------------------------------------- The parts


def test_codes_match_the_rfc_6238_test_vectors() -> None:
    # RFC 6238 appendix B, SHA-1 key "12345678901234567890"; six digits are the last six of eight.
    key = base64.b32encode(b"12345678901234567890").decode()
    vectors = {
        59: "94287082",
        1111111109: "07081804",
        1234567890: "89005924",
        2000000000: "69279037",
    }
    for seconds, eight_digits in vectors.items():
        assert totp.code_at(key, datetime.fromtimestamp(seconds, UTC)) == eight_digits[-6:]


def test_a_code_is_accepted_one_step_either_side_and_no_further() -> None:
    key, moment = totp.new_secret(), datetime(2026, 12, 2, 12, 0, 10, tzinfo=UTC)
    step = totp.step_at(moment)
    for drift in (-1, 0, 1):
        assert (
            totp.matching_step(key, totp.code_for_step(key, step + drift), moment) == step + drift
        )
    for drift in (-2, 2):
        assert totp.matching_step(key, totp.code_for_step(key, step + drift), moment) is None
    assert totp.matching_step(key, "12345", moment) is None
    assert totp.matching_step(key, "１２３４５６", moment) is None  # full-width digits


def test_a_sealed_key_opens_only_with_its_secret_key_and_purpose() -> None:
    secret_key = "k" * 40
    sealed = seal(secret_key, "two-step-key", "JBSWY3DPEHPK3PXP")
    assert "JBSWY3DPEHPK3PXP" not in sealed
    assert seal(secret_key, "two-step-key", "JBSWY3DPEHPK3PXP") != sealed  # a fresh nonce each time
    assert unseal(secret_key, "two-step-key", sealed) == "JBSWY3DPEHPK3PXP"
    assert unseal("j" * 40, "two-step-key", sealed) is None
    assert unseal(secret_key, "another-purpose", sealed) is None
    assert unseal(secret_key, "two-step-key", sealed[:-2] + "AA") is None
    assert unseal(secret_key, "two-step-key", "v1:not base64!") is None


# ---------------------------------------------------------------- Setting it up


async def test_an_organiser_is_sent_to_set_up_two_step_and_comes_back_to_the_workspace(
    required: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    person = await person_with_role(client, "rosalind@example.gov", Role.ORGANISER)

    sent = await client.get("/organise/calls")
    assert (sent.status_code, sent.headers["location"]) == (303, f"{SETUP}?next=/organise/calls")
    form = await client.get(sent.headers["location"])
    assert "Set up two-step sign-in to use the workspace." in form.text
    assert page(form).select_one("svg.qr-code[role=img] title") is not None
    key = key_on(form)

    wrong = await client.post(
        sent.headers["location"],
        data={
            "csrf_token": csrf_from(form),
            "code": totp.code_at(key, clock.now() - timedelta(minutes=5)),
        },
    )
    assert wrong.status_code == 400
    assert error_summary(wrong) == ["That code is not right. Type the 6 digits your app shows now."]
    assert key_on(wrong) == key  # the same key until one is confirmed
    assert not (await Person.get(id=person.id)).uses_two_step

    done = await client.post(
        sent.headers["location"],
        data={"csrf_token": csrf_from(form), "code": totp.code_at(key, clock.now())},
    )
    assert done.status_code == 200
    codes = recovery_codes_on(done)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(code.replace("-", "")) == 24 for code in codes)
    assert (
        page(done).find("a", string="I have kept my recovery codes, continue")["href"]
        == "/organise/calls"
    )
    assert (await client.get("/organise/calls")).status_code == 200

    stored = await Person.get(id=person.id)
    assert stored.two_step_key is not None and key not in stored.two_step_key
    assert stored.two_step_since == clock.now()
    hashes = set(await RecoveryCode.filter(person_id=person.id).values_list("code_hash", flat=True))
    assert hashes == {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
    assert (
        await AuditEntry.filter(action="person.two_step_on", object_id=str(person.id)).count() == 1
    )


async def test_turning_two_step_on_signs_out_the_persons_other_sessions(
    required: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await person_with_role(client, "rosalind@example.gov", Role.ORGANISER)
    async with second_browser(required) as laptop:
        await sign_in(laptop, "rosalind@example.gov", PASSWORD)
        assert (await laptop.get("/account/")).status_code == 200
        await turn_on(client, clock)
        assert (await client.get("/account/")).status_code == 200
        assert (await laptop.get("/account/")).headers["location"].startswith("/account/signin")


async def test_admins_need_two_step_for_their_pages_too(
    required: Starlette, client: httpx.AsyncClient
) -> None:
    await person_with_role(client, "admin@example.gov", Role.ADMIN, "Alan Turing")
    for path in ("/organise/people", "/organise/audit"):
        sent = await client.get(path)
        assert (sent.status_code, sent.headers["location"]) == (303, f"{SETUP}?next={path}")


async def test_stakeholders_may_use_two_step_but_are_never_made_to(
    required: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await person_with_role(client, "ada@example.org", Role.STAKEHOLDER)
    assert (await client.get("/account/")).status_code == 200
    form = await client.get(SETUP)
    assert "need two-step sign-in to use the workspace" not in form.text
    key, codes = await turn_on(client, clock)
    assert '<strong class="tag tag--green">On</strong>' in (await client.get("/account/")).text
    exported = zipfile.ZipFile(io.BytesIO((await client.get("/account/data/export.zip")).content))
    data = exported.read("data.json").decode()
    assert json.loads(data)["account"]["two_step_sign_in_since"] == clock.now().isoformat()
    assert key not in data and not any(code in data for code in codes)


async def test_with_two_step_optional_organisers_use_the_workspace_without_it(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    assert app.state.settings.two_step_required is False  # as the tests' settings have it
    await person_with_role(client, "rosalind@example.gov", Role.ORGANISER)
    assert (await client.get("/organise/")).status_code == 200


# ---------------------------------------------------------------- Signing in


async def test_signing_in_asks_for_the_code_after_the_password_and_each_code_works_once(
    required: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await person_with_role(client, "rosalind@example.gov", Role.ORGANISER)
    key, _ = await turn_on(client, clock)
    await post_form(client, "/account/signout", {}, form_page="/account/")
    clock.advance(seconds=30)  # the next code: the one used to turn it on is spent

    first = await post_form(
        client,
        "/account/signin?next=/organise/calls",
        {"email": "rosalind@example.gov", "password": PASSWORD},
        form_page="/account/signin",
    )
    assert (first.status_code, first.headers["location"]) == (303, CODE_STEP)
    # The password alone signs no one in.
    assert (await client.get("/account/")).headers["location"].startswith("/account/signin")
    assert (await client.get("/organise/")).status_code == 303

    code = totp.code_at(key, clock.now())
    wrong = await post_form(client, CODE_STEP, {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "That code is not right" in error_summary(wrong)[0]
    done = await post_form(client, CODE_STEP, {"code": code})
    assert (done.status_code, done.headers["location"]) == (303, "/organise/calls")
    assert (await client.get("/organise/calls")).status_code == 200

    # Someone who saw the code and knows the password cannot use it again, even at once.
    async with second_browser(required) as thief:
        replayed = await sign_in_with_code(thief, "rosalind@example.gov", code)
        assert replayed.status_code == 400
        assert (await thief.get("/account/")).status_code == 303


async def test_the_code_must_follow_the_password_within_five_minutes(
    required: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await person_with_role(client, "ada@example.org", Role.STAKEHOLDER)
    key, _ = await turn_on(client, clock)
    await post_form(client, "/account/signout", {}, form_page="/account/")
    await post_form(client, "/account/signin", {"email": "ada@example.org", "password": PASSWORD})
    form = await client.get(CODE_STEP)
    clock.advance(minutes=5, seconds=1)
    late = await client.post(
        CODE_STEP, data={"csrf_token": csrf_from(form), "code": totp.code_at(key, clock.now())}
    )
    assert (late.status_code, late.headers["location"]) == (303, "/account/signin")
    assert "within 5 minutes" in (await client.get("/account/signin")).text
    assert (await client.get("/account/")).status_code == 303


async def test_a_recovery_code_signs_in_once(
    required: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    person = await person_with_role(client, "ada@example.org", Role.STAKEHOLDER)
    _, codes = await turn_on(client, clock)
    await post_form(client, "/account/signout", {}, form_page="/account/")

    typed = codes[3].upper().replace("-", " ")  # as someone might type it from paper
    used = await sign_in_with_code(client, "ada@example.org", typed)
    assert (used.status_code, used.headers["location"]) == (303, "/account/")
    assert "recovery code; 9 left" in (await client.get("/account/")).text
    assert await RecoveryCode.filter(person_id=person.id, used_at=None).count() == 9
    assert await AuditEntry.filter(action="person.recovery_code_used").count() == 1

    async with second_browser(required) as other:
        again = await sign_in_with_code(other, "ada@example.org", codes[3])
        assert again.status_code == 400


async def test_wrong_codes_are_limited_per_pending_sign_in_and_then_even_a_right_one_waits(
    required: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await person_with_role(client, "ada@example.org", Role.STAKEHOLDER)
    key, _ = await turn_on(client, clock)
    await post_form(client, "/account/signout", {}, form_page="/account/")
    clock.advance(seconds=30)
    limit = required.state.settings.signin_limit
    await post_form(client, "/account/signin", {"email": "ada@example.org", "password": PASSWORD})
    right = totp.code_at(key, clock.now())
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(limit.attempts):
        assert (await post_form(client, CODE_STEP, {"code": wrong})).status_code == 400
    limited = await post_form(client, CODE_STEP, {"code": right})
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert (await client.get("/account/")).status_code == 303


async def pending_code_step(
    client: httpx.AsyncClient, clock: FixedClock, email: str = "ada@example.org"
) -> tuple[str, str, str]:
    """Sign up with two-step on, sign out, give the password: (key, wrong code, CSRF token)."""
    await person_with_role(client, email, Role.STAKEHOLDER)
    key, _ = await turn_on(client, clock)
    await post_form(client, "/account/signout", {}, form_page="/account/")
    clock.advance(seconds=30)
    first = await post_form(client, "/account/signin", {"email": email, "password": PASSWORD})
    assert first.headers["location"] == CODE_STEP
    wrong = "000000" if totp.code_at(key, clock.now()) != "000000" else "111111"
    return key, wrong, csrf_from(await client.get(CODE_STEP))


async def test_a_burst_of_wrong_codes_on_one_pending_sign_in_is_checked_only_up_to_the_limit(
    required: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    key, wrong, token = await pending_code_step(client, clock)
    person = await Person.get(email="ada@example.org")

    answers = await asyncio.gather(
        *(client.post(CODE_STEP, data={"csrf_token": token, "code": wrong}) for _ in range(100))
    )

    # SIGNIN_LIMIT is 5: five codes were checked (400), the other 95 refused unchecked.
    assert Counter(answer.status_code for answer in answers) == {400: 5, 429: 95}
    assert {a.headers["retry-after"] for a in answers if a.status_code == 429} == {"900"}
    [pending] = await RateLimitCounter.filter(key__startswith="two-step:pending:")
    assert pending.attempts == 5
    account = await RateLimitCounter.get(key=f"two-step:account:{person.id}")
    assert account.attempts == 5
    right = await client.post(
        CODE_STEP, data={"csrf_token": token, "code": totp.code_at(key, clock.now())}
    )
    assert right.status_code == 429
    assert (await Person.get(id=person.id)).two_step_last_step == person.two_step_last_step
    assert (await client.get("/account/")).status_code == 303


async def test_wrong_codes_are_limited_per_account_across_pending_sign_ins(
    required: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    required.state.settings = replace(
        required.state.settings, signin_account_limit=Limit(8, 900, 3600)
    )
    _, wrong, token = await pending_code_step(client, clock)
    for _ in range(5):
        assert (
            await client.post(CODE_STEP, data={"csrf_token": token, "code": wrong})
        ).status_code == 400
    assert (
        await client.post(CODE_STEP, data={"csrf_token": token, "code": wrong})
    ).status_code == 429

    # The password again starts a new pending sign-in with its own five, but the account has 8.
    again = await post_form(
        client, "/account/signin", {"email": "ada@example.org", "password": PASSWORD}
    )
    assert again.headers["location"] == CODE_STEP
    token = csrf_from(await client.get(CODE_STEP))
    answers = [
        (await client.post(CODE_STEP, data={"csrf_token": token, "code": wrong})).status_code
        for _ in range(4)
    ]

    assert answers == [400, 400, 400, 429]
    person = await Person.get(email="ada@example.org")
    assert (await RateLimitCounter.get(key=f"two-step:account:{person.id}")).attempts == 8
    assert sorted(
        await RateLimitCounter.filter(key__startswith="two-step:pending:").values_list(
            "attempts", flat=True
        )
    ) == [3, 5]


# ---------------------------------------------------------------- Managing it


async def test_new_recovery_codes_replace_the_old_ones(
    required: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    person = await person_with_role(client, "ada@example.org", Role.STAKEHOLDER)
    key, old_codes = await turn_on(client, clock)
    clock.advance(seconds=30)
    status = await client.get(SETUP)
    assert page(status).find(id="codes-left").get_text(strip=True) == "10 of 10"

    refused = await client.post(
        "/account/two-step/recovery-codes", data={"csrf_token": csrf_from(status), "code": "123"}
    )
    assert refused.status_code == 400
    renewed = await client.post(
        "/account/two-step/recovery-codes",
        data={"csrf_token": csrf_from(status), "code": totp.code_at(key, clock.now())},
    )
    new_codes = recovery_codes_on(renewed)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    hashes = set(await RecoveryCode.filter(person_id=person.id).values_list("code_hash", flat=True))
    assert hashes == {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in new_codes}


async def test_turning_it_off_needs_the_password_and_an_organiser_must_set_it_up_again(
    required: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    person = await person_with_role(client, "rosalind@example.gov", Role.ORGANISER)
    await turn_on(client, clock)

    wrong = await post_form(client, "/account/two-step/off", {"password": "not my password 123"})
    assert wrong.status_code == 400
    assert (await Person.get(id=person.id)).uses_two_step

    form = await client.get("/account/two-step/off")
    assert "set it up again before you next use the workspace" in form.text
    done = await client.post(
        "/account/two-step/off", data={"csrf_token": csrf_from(form), "password": PASSWORD}
    )
    assert (done.status_code, done.headers["location"]) == (303, "/account/")
    stored = await Person.get(id=person.id)
    assert (stored.two_step_key, stored.two_step_since) == (None, None)
    assert await RecoveryCode.filter(person_id=person.id).count() == 0
    assert await AuditEntry.filter(action="person.two_step_off").count() == 1
    assert (await client.get("/organise/")).headers["location"] == f"{SETUP}?next=/organise/"


async def test_an_admin_turns_it_off_for_someone_who_lost_phone_and_codes(
    required: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    person = await person_with_role(client, "rosalind@example.gov", Role.ORGANISER)
    await turn_on(client, clock)
    async with second_browser(required) as admin_browser:
        admin = await person_with_role(
            admin_browser, "admin@example.gov", Role.ADMIN, "Alan Turing"
        )
        await turn_on(admin_browser, clock)
        role_page = await admin_browser.get(f"/organise/people/{person.id}/role")
        assert "Turn off two-step sign-in" in role_page.text
        done = await admin_browser.post(
            f"/organise/people/{person.id}/two-step-off",
            data={"csrf_token": csrf_from(role_page)},
        )
        assert done.status_code == 303
    assert not (await Person.get(id=person.id)).uses_two_step
    assert await RecoveryCode.filter(person_id=person.id).count() == 0
    entry = await AuditEntry.get(action="person.two_step_off")
    assert (entry.actor_id, entry.object_id, entry.detail) == (
        admin.id,
        str(person.id),
        {"by": "admin"},
    )


async def test_createadmin_on_the_server_lets_a_locked_out_admin_back_in(db: None) -> None:
    moment = datetime(2026, 12, 2, 12, tzinfo=UTC)
    person = await make_person(
        "admin@example.gov",
        "Alan Turing",
        role=Role.ADMIN,
        two_step_key="v1:sealed",
        two_step_since=moment,
    )
    await RecoveryCode.create(person=person, code_hash="0" * 64, created_at=moment)

    await create_admin("admin@example.gov", "a new long passphrase 2026", "Alan Turing", now=moment)

    stored = await Person.get(id=person.id)
    assert (stored.two_step_key, stored.two_step_since) == (None, None)
    assert await RecoveryCode.filter(person_id=person.id).count() == 0
    entry = await AuditEntry.get(action="person.two_step_off")
    assert (entry.actor_id, entry.detail) == (None, {"by": "cli"})
