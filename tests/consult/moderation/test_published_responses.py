"""Published responses: the public list with filters, search and pages, and "this was not me"."""

from __future__ import annotations

import httpx
import pytest
from bs4 import Tag
from starlette.applications import Starlette

from consult.calls.models import CallState, QuestionKind
from consult.moderation.models import NotMeReport, ReportStatus
from consult.moderation.published import PAGE_SIZE
from consult.moderation.reports import report_not_me
from consult.responses.models import Response
from core.clock import FixedClock
from core.vocabulary import Sector
from tests.consult.moderation.published_data import (
    ADA_TEXT,
    DRAFT_WORD,
    HELD_WORD,
    PHONE,
    PRIVATE_WORD,
    SECRETS,
    Record,
    closed_call_with_a_record,
    publish,
    respond,
)
from tests.factories import make_call
from tests.support import csrf_from, error_summary, page, post_form

LIST = "/calls/quantum-standards/responses/"


@pytest.fixture
async def record(app: Starlette, clock: FixedClock) -> Record:
    return await closed_call_with_a_record(clock.now())


def shown_ids(response: httpx.Response) -> list[int]:
    return [
        int(str(article["id"]).removeprefix("response-"))
        for article in page(response).select("article.published-response")
    ]


def status_line(response: httpx.Response) -> str:
    element = page(response).find(id="results-count")
    return element.get_text(" ", strip=True) if element else ""


def article(response: httpx.Response, response_id: int) -> Tag:
    found = page(response).find(id=f"response-{response_id}")
    assert isinstance(found, Tag)
    return found


def answers_in(element: Tag) -> list[tuple[str, str]]:
    answers = element.select("dl.summary-list:not(.summary-list--compact) .summary-list__row")
    return [
        (row.dt.get_text(strip=True), row.dd.get_text(" ", strip=True))  # type: ignore[union-attr]
        for row in answers
    ]


async def test_the_published_page_shows_public_responses_with_their_public_answers_only(
    client: httpx.AsyncClient, record: Record
) -> None:
    response = await client.get(LIST)

    assert response.status_code == 200
    assert shown_ids(response) == [r.id for r in record.public]
    assert status_line(response) == "Showing 1 to 3 of 3 responses."
    ada = article(response, record.ada.id)
    assert ada.h2 is not None and ada.h2.get_text(" ", strip=True) == (
        f"Ada Lovelace Response {record.ada.id}"
    )
    facts = [
        (row.dt.get_text(strip=True), row.dd.get_text(" ", strip=True))  # type: ignore[union-attr]
        for row in ada.select(".summary-list--compact .summary-list__row")
    ]
    assert facts == [
        ("Responding", "As an individual"),
        ("Sector", "Academia"),
        ("Country", "United Kingdom"),
        ("Submitted", "Saturday 21 November 2026, midday GMT"),
    ]
    assert answers_in(ada) == [
        (
            "Which standards are most needed?",
            ADA_TEXT.replace(PHONE, "[redacted]"),
        ),
        ("Your job title", "Professor of metrology"),
        ("Who should lead?", "NPL"),
        ("Which areas matter?", "Metrology, Interfaces"),
        ("How urgent is this?", "4 out of 5"),
    ]
    qubit = article(response, record.qubit.id)
    assert qubit.h2 is not None and qubit.h2.get_text(" ", strip=True).startswith("Qubit Works Ltd")
    assert "Your job title" not in [prompt for prompt, _ in answers_in(qubit)]  # sensitive
    anonymous = article(response, record.anonymous.id)
    assert anonymous.h2 is not None
    assert anonymous.h2.get_text(" ", strip=True).startswith("Anonymous respondent")
    for secret in SECRETS:
        assert secret not in response.text, secret
    link = anonymous.select_one("a[href$='/not-me']")
    assert link is not None
    assert (
        link.get_text(" ", strip=True) == f"This was not me : report response {record.anonymous.id}"
    )
    assert link["href"] == f"/calls/quantum-standards/responses/{record.anonymous.id}/not-me"


async def test_the_call_page_links_to_the_published_responses_once_there_are_any(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock.now(), slug="quantum-standards")
    before = await client.get("/calls/quantum-standards")
    assert "Read the published responses" not in before.text

    await closed_call_with_a_record(clock.now(), slug="other-call")
    after = await client.get("/calls/other-call")

    link = page(after).find("a", string="Read the published responses (3)")
    assert isinstance(link, Tag) and link["href"] == "/calls/other-call/responses/"
    downloads = [a["href"] for a in page(after).select(".published-responses-link a[download]")]
    assert downloads == [
        "/calls/other-call/responses/export.csv",
        "/calls/other-call/responses/export.xlsx",
        "/calls/other-call/responses/export.jsonl",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sector=academia", ["ada"]),
        ("sector=industry", ["qubit"]),
        ("country=US", ["qubit"]),
        ("country=ca", ["anonymous"]),  # codes are read in either case
        ("type=organisation", ["qubit"]),
        ("type=individual", ["ada", "anonymous"]),
        ("sector=academia&country=US", []),
        ("sector=&country=&type=&q=", ["ada", "qubit", "anonymous"]),
    ],
)
async def test_filters_narrow_the_published_responses(
    client: httpx.AsyncClient, record: Record, query: str, expected: list[str]
) -> None:
    response = await client.get(f"{LIST}?{query}")

    assert response.status_code == 200
    assert shown_ids(response) == [getattr(record, name).id for name in expected]


async def test_filter_options_list_sectors_types_and_the_countries_responses_come_from(
    client: httpx.AsyncClient, record: Record
) -> None:
    response = await client.get(f"{LIST}?country=US")

    countries = [(o["value"], o.get_text()) for o in page(response).select("#country option")]
    assert countries == [
        ("", "All countries"),
        ("US", "United States"),
        ("GB", "United Kingdom"),
        ("CA", "Canada"),
    ]
    assert page(response).select_one("#country option[selected]")["value"] == "US"  # type: ignore[index]
    sectors = [o["value"] for o in page(response).select("#sector option")]
    assert sectors == ["", *(s.value for s in Sector)]
    assert status_line(response).startswith("Showing 1 to 1 of 1 response in United States.")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sector=banking", "Choose a sector from the list."),
        ("country=XX", "Choose a country from the list."),
        ("country=United%20Kingdom", "Choose a country from the list."),
        ("type=robot", "Choose individuals or organisations."),
        ("sector=%00", "“sector” must not hold a NUL character."),
    ],
)
async def test_unknown_filter_values_get_a_400_page(
    client: httpx.AsyncClient, record: Record, query: str, message: str
) -> None:
    response = await client.get(f"{LIST}?{query}")

    assert response.status_code == 400
    assert page(response).h1 is not None
    assert page(response).h1.get_text(strip=True) == "Sorry, we could not understand that request"  # type: ignore[union-attr]
    assert message in response.text


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("cryogenic", ["ada"]),
        ("Cryogenic METROLOGY", ["ada"]),
        ("beds", ["ada"]),  # stemmed: "beds" finds "beds" and would find "bed"
        ("interoperable control", ["anonymous"]),
        ("Qubit Works", ["qubit"]),  # a name published with consent
        ("redacted", ["ada"]),
        (PHONE, []),  # a redacted span
        ("roadmap interposers", []),  # a sensitive answer
        ("Hedy", []),  # an anonymous respondent's name
        (HELD_WORD, []),  # a held response
        (PRIVATE_WORD, []),  # no consent
        (DRAFT_WORD, []),  # a draft
        ('" OR 1=1 --', []),  # query syntax is not the visitor's to use
        ("NEAR(cryogenic metrology)", []),
    ],
)
async def test_search_finds_published_text_and_nothing_else(
    client: httpx.AsyncClient, record: Record, search: str, expected: list[str]
) -> None:
    response = await client.get(LIST, params={"q": search})

    assert response.status_code == 200
    assert shown_ids(response) == [getattr(record, name).id for name in expected]
    assert page(response).select_one("#q")["value"] == search  # type: ignore[index]


async def test_search_combines_with_filters_and_counts(
    client: httpx.AsyncClient, record: Record
) -> None:
    both = await client.get(LIST, params={"q": "cryogenic", "sector": "academia"})
    neither = await client.get(LIST, params={"q": "cryogenic", "sector": "industry"})

    assert shown_ids(both) == [record.ada.id]
    assert status_line(both).startswith(
        "Showing 1 to 1 of 1 response matching “cryogenic” from academia."
    )
    assert shown_ids(neither) == []
    assert status_line(neither).startswith("No responses matching “cryogenic” from industry.")


async def test_search_words_beyond_the_twelfth_are_ignored_and_punctuation_alone_searches_nothing(
    client: httpx.AsyncClient, record: Record
) -> None:
    many = " ".join(["cryogenic"] * 12 + ["nowhere"])
    assert shown_ids(await client.get(LIST, params={"q": many})) == [record.ada.id]
    assert len(shown_ids(await client.get(LIST, params={"q": "!!! ???"}))) == 3


async def test_pages_of_twenty_with_counts_and_links_that_keep_the_filters(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    record = await closed_call_with_a_record(clock.now())
    for number in range(PAGE_SIZE * 2 + 2):
        extra = await respond(
            record.call,
            f"r{number}@example.org",
            f"Respondent {number}",
            now=clock.now(),
            sector=Sector.ACADEMIA,
            answers={QuestionKind.LONG_TEXT: {"text": f"Cryogenic answer number {number}"}},
        )
        await publish(record.moderator, extra, clock.now())
    # 45 public responses; 43 from academia mention "cryogenic".

    first = await client.get(LIST, params={"sector": "academia", "q": "cryogenic"})
    last = await client.get(LIST, params={"sector": "academia", "q": "cryogenic", "page": "3"})
    beyond = await client.get(LIST, params={"sector": "academia", "q": "cryogenic", "page": "99"})
    nonsense = await client.get(LIST, params={"page": "²"})

    assert len(shown_ids(first)) == PAGE_SIZE
    assert status_line(first).startswith("Showing 1 to 20 of 43 responses matching")
    next_link = page(first).select_one("a[rel=next]")
    assert next_link is not None
    assert next_link["href"] == "?sector=academia&country=&type=&q=cryogenic&page=2"
    assert len(shown_ids(last)) == 3
    assert status_line(last).startswith("Showing 41 to 43 of 43 responses")
    assert page(last).select_one("a[rel=next]") is None
    assert shown_ids(beyond) == shown_ids(last)
    assert status_line(nonsense).startswith("Showing 1 to 20 of 45 responses")
    everything = (
        shown_ids(first)
        + shown_ids(
            await client.get(LIST, params={"sector": "academia", "q": "cryogenic", "page": "2"})
        )
        + shown_ids(last)
    )
    assert everything == sorted(everything) and len(set(everything)) == 43


async def test_draft_and_unknown_calls_have_no_published_responses(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock.now(), slug="still-a-draft", state=CallState.DRAFT)

    assert (await client.get("/calls/still-a-draft/responses/")).status_code == 404
    assert (await client.get("/calls/no-such-call/responses/")).status_code == 404


# "This was not me"


def not_me(record: Record, response: Response) -> str:
    return f"/calls/{record.call.slug}/responses/{response.id}/not-me"


GOOD = {
    "name": "Hedy Lamarr",
    "email": "Hedy@Example.org",
    "details": "I never responded to this call.\nPlease remove it.",
}


async def test_someone_reports_a_response_submitted_in_their_name(
    client: httpx.AsyncClient, record: Record, clock: FixedClock
) -> None:
    form = await client.get(not_me(record, record.anonymous))
    assert form.status_code == 200
    assert [label.get_text(strip=True) for label in page(form).select("form label")] == [
        "Your full name",
        "Email address",
        "What happened? (optional)",
    ]
    assert f"Response {record.anonymous.id}" in form.text

    sent = await client.post(
        not_me(record, record.anonymous), data={"csrf_token": csrf_from(form), **GOOD}
    )

    assert sent.status_code == 303
    assert sent.headers["location"] == not_me(record, record.anonymous) + "/sent"
    [report] = await NotMeReport.all()
    assert (report.response_id, report.name, report.email, report.details, report.status) == (
        record.anonymous.id,
        "Hedy Lamarr",
        "Hedy@example.org",
        "I never responded to this call.\nPlease remove it.",
        ReportStatus.OPEN,
    )
    assert report.created_at == clock.now()
    confirmation = await client.get(sent.headers["location"])
    assert page(confirmation).h1.get_text(strip=True) == "Report sent"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"name": "", "email": "", "details": ""},
            ["Enter your full name", "Enter your email address"],
        ),
        (
            {"name": "Hedy", "email": "not-an-address", "details": ""},
            ["Enter an email address in the correct format, like name@example.org"],
        ),
        (
            {"name": "H" * 101, "email": "h@example.org", "details": ""},
            ["Enter your name in at most 100 characters"],
        ),
        (
            {"name": "Hedy", "email": "h@example.org", "details": "x" * 5001},
            ["Tell us in at most 5,000 characters"],
        ),
        (
            {"name": "Hedy\x00", "email": "h@example.org", "details": "bell\x07"},
            [
                "Remove the invisible control characters from this answer.",
                "Remove the invisible control characters from this answer.",
            ],
        ),
    ],
)
async def test_a_report_with_mistakes_gets_400_with_an_error_summary_and_stores_nothing(
    client: httpx.AsyncClient, record: Record, data: dict[str, str], errors: list[str]
) -> None:
    response = await post_form(client, not_me(record, record.ada), data)

    assert response.status_code == 400
    assert error_summary(response) == errors
    assert await NotMeReport.all().count() == 0


async def test_only_published_responses_can_be_reported(
    client: httpx.AsyncClient, record: Record
) -> None:
    token = csrf_from(await client.get(not_me(record, record.ada)))
    for response in (record.held, record.private, record.draft):
        assert (await client.get(not_me(record, response))).status_code == 404
        posted = await client.post(not_me(record, response), data={"csrf_token": token, **GOOD})
        assert posted.status_code == 404
        assert (await client.get(not_me(record, response) + "/sent")).status_code == 404
    for path in (
        "/calls/quantum-standards/responses/99999/not-me",
        "/calls/quantum-standards/responses/99999999999999999999/not-me",
        f"/calls/another-call/responses/{record.ada.id}/not-me",
    ):
        assert (await client.get(path)).status_code == 404, path
    assert await NotMeReport.all().count() == 0


async def test_reports_past_the_limit_get_429_with_retry_after(
    app: Starlette, client: httpx.AsyncClient, record: Record, clock: FixedClock
) -> None:
    limit = app.state.settings.not_me_limit
    token = csrf_from(await client.get(not_me(record, record.ada)))
    for _ in range(limit.attempts):
        sent = await client.post(not_me(record, record.ada), data={"csrf_token": token, **GOOD})
        assert sent.status_code == 303

    refused = await client.post(not_me(record, record.ada), data={"csrf_token": token, **GOOD})

    assert refused.status_code == 429
    assert refused.headers["retry-after"] == str(limit.seconds)
    assert "Too many reports" in refused.text
    assert await NotMeReport.all().count() == limit.attempts
    clock.advance(seconds=limit.seconds)
    again = await client.post(not_me(record, record.ada), data={"csrf_token": token, **GOOD})
    assert again.status_code == 303


async def test_the_service_refuses_a_response_that_is_not_public(
    app: Starlette, record: Record, clock: FixedClock
) -> None:
    with pytest.raises(LookupError):
        await report_not_me(record.private, "Pat", "pat@example.org", "", clock.now())
    report = await report_not_me(
        await Response.get(id=record.qubit.id), " Grace ", "grace@example.org", "", clock.now()
    )
    assert (report.response_id, report.name, report.created_at) == (
        record.qubit.id,
        "Grace",
        clock.now(),
    )
