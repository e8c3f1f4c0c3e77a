"""Every form rejects a missing or forged CSRF token with 403 and changes nothing."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from tortoise import connections

from consult.calls.models import (
    Attachment,
    AttachmentKind,
    Comment,
    CommentStatus,
    Question,
    Response,
    ResponseStatus,
)
from consult.clock import FixedClock
from consult.models import Person
from consult.responses.tracking import new_tracking_number
from consult.vocabulary import Role
from events.preferences import unsubscribe_token
from tests.conftest import TEST_SECRET
from tests.factories import make_call, person_with_role, second_browser, verified_stakeholder

TABLES = (
    "person",
    "topic",
    "audit_entry",
    "rate_limit_hit",
    "call",
    "call_team",
    "question",
    "response",
    "answer",
    "attachment",
    "comment",
    "comment_report",
    "event_session",
    "session_topic",
    "session_team",
    "session_occurrence",
    "registration",
    "calendar_token",
    "api_token",
)

# POST routes that take no CSRF token, each with its reason and its own test. Keep this short.
CSRF_EXEMPT = {
    # One-click unsubscribe (RFC 8058): mail providers POST to the List-Unsubscribe address
    # without cookies, so there is no session to hold a token. The HMAC token in the URL is the
    # credential; test_unsubscribe_refuses_forged_tokens_with_404_and_changes_nothing below.
    "account:unsubscribe",
    # The JSON API ignores cookies: a write needs `Authorization: Bearer <token>`, which a page on
    # another site can neither read nor make a browser send (and no CORS is granted to writes).
    # tests/api/test_api_submission.py: without a token, 401 and nothing is created.
    "api:submit_response",
}


async def snapshot() -> dict[str, list[tuple]]:
    connection = connections.get("default")
    return {
        table: sorted(
            tuple(str(v) for v in row.values())
            for row in await connection.execute_query_dict(f"SELECT * FROM {table}")
        )
        for table in TABLES
    }


async def real_objects(client: httpx.AsyncClient, clock: FixedClock) -> dict[str, str]:
    """One of everything a POST route can name, so each route gets as far as its CSRF check."""
    admin = await verified_stakeholder(client)
    await Person.filter(id=admin.id).update(role=Role.ADMIN)
    call = await make_call(clock.now(), slug="standards")
    await call.team.add(admin)
    tracking = new_tracking_number(2026)
    response = await Response.create(
        call=call,
        respondent=admin,
        status=ResponseStatus.SUBMITTED,
        tracking_number=tracking,
        details_confirmed=True,
    )
    comment = await Comment.create(
        call=call, author=admin, body="A comment", status=CommentStatus.APPROVED
    )
    document = await Attachment.create(
        kind=AttachmentKind.CALL_DOCUMENT,
        call=call,
        original_name="brief.pdf",
        stored_name="0" * 32,
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    question = await Question.filter(call_id=call.id).first()
    assert question is not None
    return {
        "token": "not-a-real-token",
        "person_id": str(admin.id),
        "slug": call.slug,
        "attachment_id": str(document.id),
        "comment_id": str(comment.id),
        "question_id": str(question.id),
        "tracking": tracking,
        "response_id": str(response.id),
        "key": "2027-03-10T15:00:00Z",
        # Refused before any lookup (the token is checked first), so these need not exist.
        "redaction_id": "1",
        "report_id": "1",
        "campaign_id": "1",
        "token_id": "1",
    }


def post_routes(app: Starlette) -> list[Route]:
    return [
        route
        for route in app.routes
        if isinstance(route, Route) and route.methods and "POST" in route.methods
    ]


def post_paths(app: Starlette, samples: dict[str, str]) -> list[str]:
    return [
        re.sub(r"{(\w+)(:\w+)?}", lambda m: samples[m.group(1)], route.path)
        for route in post_routes(app)
        if route.name not in CSRF_EXEMPT
    ]


@pytest.mark.parametrize("token", [None, "forged-token-value"])
async def test_every_post_route_refuses_a_missing_or_forged_csrf_token(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock, token: str | None
) -> None:
    samples = await real_objects(client, clock)
    before = await snapshot()
    paths = post_paths(app, samples)
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
