"""The read API: what it lists, how it pages and caches, and that it shows no more than the pages.

Runs on SQLite and PostgreSQL through the real app. The record of responses comes from
tests.consult.moderation.published_data: responses in every state, a redaction and a sensitive answer, each
secret a word that appears nowhere else.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from starlette.applications import Starlette

from consult.calls.models import CallState
from consult.comments.models import Comment, CommentStatus
from core.clock import FixedClock
from events.models import OccurrenceOverride, Visibility
from tests.consult.moderation.published_data import SECRETS, Record, closed_call_with_a_record
from tests.factories import make_call, make_person, make_session, make_topic, weekly_session

PROBLEM = "application/problem+json"
RESPONSES = "/api/v1/calls/quantum-standards/responses"


@pytest.fixture
async def record(app: Starlette, clock: FixedClock) -> Record:
    return await closed_call_with_a_record(clock.now())


async def test_published_responses_are_exactly_the_public_ones_with_redactions_applied(
    client: httpx.AsyncClient, record: Record
) -> None:
    answered = await client.get(RESPONSES)

    assert answered.status_code == 200
    body = answered.json()
    assert [r["id"] for r in body["data"]] == [r.id for r in record.public]
    assert body["total"] == 3
    for secret in SECRETS:
        assert secret not in answered.text
    ada = body["data"][0]
    assert ada["author"] == "Ada Lovelace"
    assert "Ring me on [redacted] for details." in ada["answers"][0]["text"]
    assert body["data"][2]["author"] == "Anonymous respondent"
    assert all(a["kind"] != "file" for r in body["data"] for a in r["answers"])


async def test_filters_match_the_page_and_unknown_values_are_a_400_problem(
    client: httpx.AsyncClient, record: Record
) -> None:
    industry = await client.get(RESPONSES, params={"sector": "industry"})
    searched = await client.get(RESPONSES, params={"q": "interoperable"})
    bad = await client.get(RESPONSES, params={"sector": "pirates"})

    assert [r["id"] for r in industry.json()["data"]] == [record.qubit.id]
    assert [r["id"] for r in searched.json()["data"]] == [record.anonymous.id]
    assert bad.status_code == 400
    assert bad.headers["content-type"] == PROBLEM
    assert bad.json()["detail"] == "Choose a sector from the list."


async def test_the_cursor_walks_every_response_once_in_order(
    client: httpx.AsyncClient, record: Record
) -> None:
    seen: list[int] = []
    url: str | None = f"{RESPONSES}?limit=2&sector="
    while url:
        page = (await client.get(url)).json()
        seen.extend(r["id"] for r in page["data"])
        assert page["total"] == 3
        url = page["links"]["next"]
    assert seen == [r.id for r in record.public]


async def test_a_cursor_that_is_not_an_id_is_a_400(
    client: httpx.AsyncClient, record: Record
) -> None:
    refused = await client.get(RESPONSES, params={"cursor": "bm90LWEtY3Vyc29y"})
    assert refused.status_code == 400
    assert "cursor" in refused.json()["detail"]


async def test_an_unchanged_resource_answers_304_to_its_etag_and_anyone_may_read_it(
    client: httpx.AsyncClient, record: Record
) -> None:
    first = await client.get(RESPONSES, headers={"Origin": "https://data.example"})
    again = await client.get(RESPONSES, headers={"If-None-Match": first.headers["etag"]})

    assert first.headers["access-control-allow-origin"] == "*"
    assert "ETag" in first.headers["access-control-expose-headers"]
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]


async def test_a_preflight_allows_reads_only(client: httpx.AsyncClient, record: Record) -> None:
    preflight = await client.options(
        RESPONSES,
        headers={"Origin": "https://data.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-methods"] == "GET, HEAD"
    posted = await client.post(RESPONSES, json={}, headers={"Origin": "https://data.example"})
    assert "access-control-allow-origin" not in posted.headers


async def test_calls_list_public_calls_only_and_a_call_carries_its_questions(
    client: httpx.AsyncClient, clock: FixedClock, record: Record
) -> None:
    await make_call(clock.now(), slug="a-draft", state=CallState.DRAFT)
    listed = (await client.get("/api/v1/calls")).json()
    closed = (await client.get("/api/v1/calls", params={"status": "closed"})).json()
    detail = (await client.get("/api/v1/calls/quantum-standards")).json()
    draft = await client.get("/api/v1/calls/a-draft")

    assert [c["slug"] for c in listed["data"]] == ["quantum-standards"]
    assert [c["slug"] for c in closed["data"]] == ["quantum-standards"]
    assert detail["status"] == "closed"
    assert detail["accepts_responses"] is False
    assert detail["published_responses"] == 3
    assert [q["kind"] for q in detail["questions"]] == [
        "long_text",
        "short_text",
        "single_choice",
        "multiple_choice",
        "scale",
        "file",
    ]
    assert detail["questions"][2]["options"] == ["NIST", "NPL", "Jointly"]
    assert draft.status_code == 404
    assert draft.headers["content-type"] == PROBLEM


async def test_topics_are_listed_with_links(client: httpx.AsyncClient, app: Starlette) -> None:
    await make_topic("supply-chain", "Supply chain")
    topics = (await client.get("/api/v1/topics")).json()["data"]
    one = await client.get("/api/v1/topics/supply-chain")
    assert [t["slug"] for t in topics] == ["supply-chain"]
    assert one.json()["links"]["calendar"].endswith("/calendar/topics/supply-chain.ics")
    assert (await client.get("/api/v1/topics/nope")).status_code == 404


async def test_only_approved_comments_are_listed_with_their_thread(
    client: httpx.AsyncClient, clock: FixedClock, record: Record
) -> None:
    author = await make_person("commenter@example.org", "Carol Commenter")
    top = await Comment.create(
        call=record.call, author=author, body="**Good** call", status=CommentStatus.APPROVED
    )
    await Comment.create(
        call=record.call, author=author, parent=top, body="Me too", status=CommentStatus.APPROVED
    )
    await Comment.create(
        call=record.call, author=author, body="waiting word", status=CommentStatus.PENDING
    )
    await Comment.create(
        call=record.call, author=author, body="rejected word", status=CommentStatus.REJECTED
    )

    answered = await client.get("/api/v1/calls/quantum-standards/comments")

    data = answered.json()["data"]
    assert [(c["body"], c["parent_id"]) for c in data] == [
        ("**Good** call", None),
        ("Me too", top.id),
    ]
    assert data[0]["body_html"] == "<p><strong>Good</strong> call</p>\n"
    assert "waiting word" not in answered.text and "rejected word" not in answered.text


async def test_sessions_expand_a_series_inside_the_range_with_changes_marked(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    london = ZoneInfo("Europe/London")
    first = datetime(2027, 3, 16, 15, tzinfo=london).astimezone(UTC)
    series = await weekly_session(
        "standards-weekly",
        first,
        "Europe/London",
        6,
        minutes=60,
        online_url="https://meet.example/secret-room",
    )
    await OccurrenceOverride.create(
        session=series, original_start=first + timedelta(weeks=1), cancelled=True
    )
    await make_session(
        "invitation-only",
        first,
        title="Closed door",
        minutes=60,
        visibility=Visibility.INVITATION,
    )

    listed = await client.get("/api/v1/sessions", params={"from": "2027-03-20", "to": "2027-04-10"})
    one = await client.get(
        "/api/v1/sessions/standards-weekly", params={"from": "2027-03-01", "to": "2027-12-31"}
    )

    assert [s["slug"] for s in listed.json()["data"]] == ["standards-weekly"]
    dates = listed.json()["data"][0]["occurrences"]
    # 23 March (cancelled), 30 March (UK summer time from the 28th: still 15:00 in London), 6 April.
    assert [(o["starts_at"], o["cancelled"]) for o in dates] == [
        ("2027-03-23T15:00:00Z", True),
        ("2027-03-30T14:00:00Z", False),
        ("2027-04-06T14:00:00Z", False),
    ]
    assert len(one.json()["occurrences"]) == 6
    assert "secret-room" not in listed.text + one.text
    assert listed.json()["data"][0]["online"] is True
    assert (await client.get("/api/v1/sessions/invitation-only")).status_code == 404


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"from": "yesterday"}, 400),
        ({"from": "2027-01-01T09:00:00"}, 400),  # no offset: which 09:00?
        ({"from": "2027-02-30"}, 422),
        ({"from": "2027-01-01", "to": "2028-06-01"}, 422),
        ({"from": "2027-02-01", "to": "2027-01-01"}, 422),
        ({"from": "9999-12-31"}, 422),
    ],
)
async def test_a_malformed_range_is_a_400_and_an_impossible_one_a_422(
    client: httpx.AsyncClient, app: Starlette, params: dict[str, str], status: int
) -> None:
    refused = await client.get("/api/v1/sessions", params=params)
    assert refused.status_code == status
    assert refused.headers["content-type"] == PROBLEM


async def test_unknown_paths_and_methods_under_the_api_are_problems(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    missing = await client.get("/api/v1/nothing-here")
    wrong = await client.delete("/api/v1/topics")
    assert (missing.status_code, wrong.status_code) == (404, 405)
    assert missing.headers["content-type"] == wrong.headers["content-type"] == PROBLEM
    assert "GET" in wrong.headers["allow"]


async def test_reads_are_limited_per_address_with_retry_after(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    from consult.api.http import ReadLimiter

    app.state.api_read_limiter = ReadLimiter(3, 60)
    statuses = [(await client.get("/api/v1/topics")).status_code for _ in range(4)]
    limited = await client.get("/api/v1/topics")
    assert statuses == [200, 200, 200, 429]
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.headers["content-type"] == PROBLEM


async def test_the_openapi_document_and_its_reference_page_describe_every_route(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    from starlette.routing import Route

    document = (await client.get("/api/v1/openapi.json")).json()
    reference = await client.get("/api/docs")

    assert document["openapi"] == "3.1.0"
    described = {
        (method.upper(), "/api/v1" + path)
        for path, item in document["paths"].items()
        for method in item
    }
    routed = {
        (method, route.path)
        for route in app.routes
        if isinstance(route, Route)
        and route.path.startswith("/api/v1/")
        and route.name != "api:openapi"
        for method in (route.methods or ()) - {"HEAD"}
    }
    assert routed == described
    assert reference.status_code == 200
    for item in document["paths"].values():
        for operation in item.values():
            assert f'id="{operation["operationId"]}"' in reference.text
    assert "cdn" not in reference.text.lower()
    json.dumps(document)  # serialisable as it is served
