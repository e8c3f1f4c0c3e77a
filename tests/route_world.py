"""One of everything a POST route can name, a snapshot of the tables forms write, the POST routes
of the app and the few that take no CSRF token: shared by the tests that send every form something
it must refuse."""

from __future__ import annotations

import re
from collections.abc import Collection

import httpx
from starlette.applications import Starlette
from starlette.routing import Route
from tortoise import connections

from consult.calls.models import Attachment, AttachmentKind, Question
from consult.comments.models import Comment, CommentStatus
from consult.responses.models import ResponseStatus
from consult.responses.tracking import new_tracking_number
from core.clock import FixedClock
from core.models import Person
from core.vocabulary import Role
from tests.factories import make_call, make_response, verified_stakeholder

# POST routes that take no CSRF token, each with its reason and its own test. Keep this short.
CSRF_EXEMPT = {
    # One-click unsubscribe (RFC 8058): mail providers POST to the List-Unsubscribe address
    # without cookies, so there is no session to hold a token. The HMAC token in the URL is the
    # credential (tests/config/test_csrf.py,
    # test_unsubscribe_refuses_forged_tokens_with_404_and_changes_nothing).
    "account:unsubscribe",
    # The JSON API ignores cookies: a write needs `Authorization: Bearer <token>`, which a page on
    # another site can neither read nor make a browser send (and no CORS is granted to writes).
    # tests/consult/api/test_api_submission.py: without a token, 401 and nothing is created.
    "api:submit_response",
}

TABLES = (
    "person",
    "topic",
    "audit_entry",
    "rate_limit_counter",
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


async def snapshot(*, ignore: Collection[str] = ()) -> dict[str, list[tuple]]:
    """Every row of the tables forms write, as text; the columns named in `ignore` left out."""
    connection = connections.get("default")
    return {
        table: sorted(
            tuple(str(v) for column, v in row.items() if column not in ignore)
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
    response = await make_response(
        call,
        admin,
        status=ResponseStatus.SUBMITTED,
        tracking_number=tracking,
        details_confirmed=True,
        revision=1,
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


def post_paths(
    app: Starlette, samples: dict[str, str], *, leave_out: Collection[str] = ()
) -> dict[str, str]:
    """Route name -> the path of each POST route, its parameters filled from `samples`."""
    return {
        str(route.name): re.sub(r"{(\w+)(:\w+)?}", lambda m: samples[m.group(1)], route.path)
        for route in post_routes(app)
        if route.name not in leave_out
    }
