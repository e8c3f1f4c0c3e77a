"""Public call pages: lists and filters, one call with its deadline, documents and Markdown."""

from __future__ import annotations

from datetime import timedelta

import httpx
from starlette.applications import Starlette

from consult.calls.models import Attachment, AttachmentKind, Call, CallState
from core.clock import FixedClock
from core.uploads import store_upload
from tests.factories import TINY_PDF, make_call, make_topic
from tests.support import page


async def some_calls(clock: FixedClock) -> None:
    now = clock.now()
    await make_call(now, slug="closes-soon", closes_in=timedelta(days=3), with_questions=False)
    await make_call(now, slug="closes-later", closes_in=timedelta(days=20), with_questions=False)
    await make_call(
        now,
        slug="opens-next-week",
        opens_in=timedelta(days=7),
        closes_in=timedelta(days=30),
        with_questions=False,
    )
    await make_call(
        now,
        slug="closed-last-month",
        opens_in=timedelta(days=-60),
        closes_in=timedelta(days=-30),
        with_questions=False,
    )
    await make_call(now, slug="still-a-draft", state=CallState.DRAFT, with_questions=False)


def slugs(response: httpx.Response) -> list[str]:
    return [a["href"].rsplit("/", 1)[-1] for a in page(response).select(".card__title a")]


async def test_all_calls_list_open_ones_first_closing_soonest_then_upcoming_then_closed(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await some_calls(clock)

    response = await client.get("/calls/")

    assert slugs(response) == [
        "closes-soon",
        "closes-later",
        "opens-next-week",
        "closed-last-month",
    ]
    assert "5 calls" not in response.text and "4 calls." in response.text


async def test_calls_filter_by_status_and_topic(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await some_calls(clock)

    assert slugs(await client.get("/calls/?status=open")) == ["closes-soon", "closes-later"]
    assert slugs(await client.get("/calls/?status=upcoming")) == ["opens-next-week"]
    assert slugs(await client.get("/calls/?status=closed")) == ["closed-last-month"]
    assert slugs(await client.get("/calls/?topic=standards&status=open")) == [
        "closes-soon",
        "closes-later",
    ]
    await make_topic("workforce", "Workforce and skills")
    assert slugs(await client.get("/calls/?topic=workforce")) == []
    # Unknown filter values are ignored, not errors.
    assert len(slugs(await client.get("/calls/?status=draft&page=abc"))) == 4


async def test_the_home_page_lists_open_calls_closing_soonest_first(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await some_calls(clock)

    html = page(await client.get("/"))

    open_list = html.select_one("#open-calls + ul")
    assert [a.get_text(strip=True) for a in open_list.select(".card__title a")] == [
        "Where are quantum standards needed?"
    ] * 2
    assert [a["href"] for a in open_list.select(".card__title a")] == [
        "/calls/closes-soon",
        "/calls/closes-later",
    ]
    assert "Closes in 3 days" in open_list.get_text()


async def test_the_call_page_shows_the_deadline_in_its_zone_and_both_capitals(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(
        clock.now(), closes_in=timedelta(days=3, hours=5)
    )  # 2026-11-27 17:00 UTC
    await Call.filter(id=call.id).update(timezone="America/New_York")

    html = page(await client.get(f"/calls/{call.slug}"))

    deadline = html.select_one(".deadline").get_text(" ", strip=True)
    assert "This call closes in 3 days." in deadline
    assert "Friday 27 November 2026, midday EST" in deadline
    assert "London: Friday 27 November 2026, 5pm GMT" in deadline
    assert (
        html.select_one(".deadline time")["datetime"] == "2026-11-23T12:00:00+00:00"
    )  # opened a day ago
    assert [li.find("strong").get_text() for li in html.select(".question-list > li")][:2] == [
        "Which standards are most needed?",
        "Your job title",
    ]


async def test_the_call_body_is_markdown_rendered_then_sanitised(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await Call.filter(id=call.id).update(
        body="## Scope\n\n**Bold** <script>alert(1)</script> [x](javascript:alert(1))"
    )

    html = page(await client.get(f"/calls/{call.slug}"))

    prose = html.select(".prose")[-1]
    assert prose.find("h2").get_text() == "Scope" and prose.find("strong").get_text() == "Bold"
    assert html.find("script") is None
    assert all(not a.get("href", "").startswith("javascript") for a in html.find_all("a"))


async def test_documents_download_as_attachments_and_only_from_their_call(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    other = await make_call(clock.now(), slug="another-call")
    stored = store_upload(
        app.state.settings.upload_dir, "Briefing note.pdf", TINY_PDF, max_bytes=10_000
    )
    document = await Attachment.create(
        kind=AttachmentKind.CALL_DOCUMENT,
        call=call,
        original_name=stored.original_name,
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        title="Briefing note",
    )

    link = page(await client.get(f"/calls/{call.slug}")).find("a", string="Briefing note")
    response = await client.get(link["href"])

    assert response.status_code == 200
    assert response.content == TINY_PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="Briefing note.pdf"'
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    assert (await client.get(f"/calls/{other.slug}/documents/{document.id}")).status_code == 404


async def test_the_topic_page_lists_its_open_upcoming_and_closed_calls(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await some_calls(clock)

    html = page(await client.get("/topics/standards"))

    headings = [h.get_text(strip=True) for h in html.select("main h2")]
    assert headings[:3] == ["Open calls for input", "Opening soon", "Closed calls"]
    assert "Upcoming sessions" in headings
    assert "still-a-draft" not in str(html)


async def test_odd_page_numbers_fall_back_to_the_first_page(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await some_calls(clock)

    for page_text in ("²", "٣", "-1", "9" * 40, ""):
        response = await client.get("/calls/", params={"page": page_text})
        assert response.status_code == 200, page_text
        assert len(slugs(response)) == 4
