"""The OpenAPI document and the app agree on the edges Schemathesis found: dates that cannot be,
NUL and lone surrogates, the request example, an empty country and the filters' values.

Each test reads the document as served and sends the request to the real app (SQLite and
PostgreSQL): what the document calls invalid is refused with a 4xx problem, and what it shows as
an example is accepted."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from consult.responses.models import Answer, Response
from core.clock import FixedClock
from tests.consult.api.helpers import (
    Organisation,
    full_answers,
    organisation_with_token,
    post_response,
    submission,
)
from tests.factories import make_call
from tests.support import page

PROBLEM = "application/problem+json"


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    return dict((await client.get("/api/v1/openapi.json")).json())


@pytest.fixture
async def qubit(app: Starlette, clock: FixedClock) -> Organisation:
    return await organisation_with_token(
        "ops@qubitworks.example", "Qubit Works Ltd", now=clock.now()
    )


def parameter(document: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    found = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name]
    return dict(found[0])


def allows(schema: dict[str, Any], value: str) -> bool:
    """Whether a string schema of the document (a pattern, an enum, or any of them) takes `value`."""
    if "anyOf" in schema:
        return any(allows(s, value) for s in schema["anyOf"])
    if "enum" in schema:
        return value in schema["enum"]
    return re.search(schema.get("pattern", ""), value) is not None


async def test_a_date_with_year_month_or_day_zero_is_a_400_problem_and_outside_the_document(
    client: httpx.AsyncClient, document: dict[str, Any]
) -> None:
    when = parameter(document, "/sessions", "from")["schema"]

    refused = await client.get("/api/v1/sessions", params={"from": "0000-00-00"})
    impossible = await client.get("/api/v1/sessions", params={"from": "2027-02-30"})

    assert not allows(when, "0000-00-00")
    assert not allows(when, "2027-13-01T09:00:00Z")
    assert allows(when, "2027-02-30")  # a schema cannot know February: the app says 422
    assert allows(when, "2027-01-31T09:00:00.5+05:30")
    assert (refused.status_code, refused.headers["content-type"]) == (400, PROBLEM)
    assert refused.json()["detail"] == (
        "`from` must be a date (2027-01-31) or a date-time (2027-01-31T09:00:00Z)."
    )
    assert (impossible.status_code, impossible.json()["detail"]) == (
        422,
        "`from` is not a real date.",
    )


async def test_a_nul_in_a_path_or_query_value_is_a_400_naming_it_before_any_query(
    client: httpx.AsyncClient, document: dict[str, Any]
) -> None:
    slug = parameter(document, "/topics/{slug}", "slug")["schema"]
    topic = parameter(document, "/calls", "topic")["schema"]

    in_path = await client.get("/api/v1/topics/a%00b")
    in_query = await client.get("/api/v1/calls", params={"topic": "a\x00b"})
    on_a_page = await client.get("/topics/a%00b")

    assert not allows(slug, "a\x00b") and not allows(topic, "a\x00b")
    assert allows(slug, "quantum-standards")
    assert (in_path.status_code, in_path.headers["content-type"]) == (400, PROBLEM)
    assert in_path.json()["detail"] == "The address must not hold a NUL character."
    assert (in_query.status_code, in_query.json()["detail"]) == (
        400,
        "`topic` must not hold a NUL character.",
    )
    assert on_a_page.status_code == 400
    assert "`topic`" not in on_a_page.text
    assert page(on_a_page).find("h1").get_text(strip=True) == (
        "Sorry, we could not understand that request"
    )


async def test_a_nul_or_lone_surrogate_in_a_body_string_is_a_422_naming_it_as_documented(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation, document: dict[str, Any]
) -> None:
    call = await make_call(clock.now())
    body = document["components"]["schemas"]["ResponseSubmission"]
    text = body["properties"]["answers"]["items"]["properties"]["text"]
    answers = await full_answers(call)

    refused = []
    for bad in ("a\x00b", "a\ud800b"):
        answers[0]["text"] = bad
        refused.append(
            await client.post(
                f"/api/v1/calls/{call.slug}/responses",
                content=_json_with_escapes(submission(answers)),
                headers={
                    **qubit.headers,
                    "Idempotency-Key": str(uuid.uuid4()),
                    "Content-Type": "application/json",
                },
            )
        )

    assert "NUL" in body["description"] and "unpaired surrogate" in body["description"]
    assert not allows(text, "a\x00b") and not allows(text, "a\ud800b")
    assert allows(text, "Métrologie — 量子")
    for answer in refused:
        assert (answer.status_code, answer.headers["content-type"]) == (422, PROBLEM)
        assert [e["pointer"] for e in answer.json()["errors"]] == ["/answers/0/text"]
    assert await Response.filter(call_id=call.id).count() == 0


def _json_with_escapes(data: object) -> bytes:
    return json.dumps(data).encode()  # ensure_ascii: NUL and surrogates as \u escapes


async def test_the_documents_request_example_is_accepted_for_the_call_it_names(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation
) -> None:
    await make_call(clock.now(), slug="an-older-open-call")
    call = await make_call(clock.now(), slug="quantum-standards")  # the newest open call
    document = (await client.get("/api/v1/openapi.json")).json()
    post = document["paths"]["/calls/{slug}/responses"]["post"]
    slug = next(p for p in post["parameters"] if p["name"] == "slug")["example"]
    example = post["requestBody"]["content"]["application/json"]["example"]

    accepted = await post_response(client, qubit, slug, example)

    assert slug == call.slug
    assert accepted.status_code == 201, accepted.text
    stored = await Response.get(call_id=call.id)
    assert await Answer.filter(response_id=stored.id).count() == len(example["answers"]) == 6
    put = document["paths"]["/responses/{tracking}"]["put"]
    assert put["requestBody"]["content"]["application/json"]["example"] == example


async def test_without_an_open_call_the_document_shows_no_request_example(
    client: httpx.AsyncClient, document: dict[str, Any]
) -> None:
    post = document["paths"]["/calls/{slug}/responses"]["post"]

    assert "example" not in post["requestBody"]["content"]["application/json"]
    assert all("example" not in p for p in post["parameters"] if p["in"] == "path")


async def test_an_empty_country_is_refused_with_422_and_the_document_lists_countries_only(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation, document: dict[str, Any]
) -> None:
    call = await make_call(clock.now())
    respondent = document["components"]["schemas"]["ResponseSubmission"]["properties"]["respondent"]
    body = submission(await full_answers(call))
    body["respondent"]["country"] = ""

    refused = await post_response(client, qubit, call.slug, body)

    assert not allows(respondent["properties"]["country"], "")
    assert allows(respondent["properties"]["country"], "GB")
    assert refused.status_code == 422
    assert {"pointer": "/respondent/country", "detail": "Choose a country"} in refused.json()[
        "errors"
    ]
    assert await Response.filter(call_id=call.id).count() == 0


async def test_filters_take_exactly_the_documents_values_and_empty_means_any(
    client: httpx.AsyncClient, clock: FixedClock, document: dict[str, Any]
) -> None:
    call = await make_call(clock.now())
    path = f"/api/v1/calls/{call.slug}/responses"
    country = parameter(document, "/calls/{slug}/responses", "country")["schema"]

    lower = await client.get(path, params={"country": "gb"})
    empty = await client.get(path, params={"country": "", "sector": "", "type": ""})

    assert not allows(country, "gb") and allows(country, "") and allows(country, "GB")
    assert (lower.status_code, lower.headers["content-type"]) == (400, PROBLEM)
    assert (
        lower.json()["detail"] == "`country` must be written exactly as the API document lists it."
    )
    assert (empty.status_code, empty.json()["total"]) == (200, 0)
