"""The Atom feed of calls, read as feed readers read it (feedparser), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import httpx
from starlette.applications import Starlette

from consult.calls.models import Call, CallState
from consult.clock import FixedClock
from tests.factories import make_call
from tests.support import page

FEED = "/feeds/calls.atom"


async def _parsed(client: httpx.AsyncClient) -> feedparser.FeedParserDict:
    answered = await client.get(FEED)
    assert answered.status_code == 200
    assert answered.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(answered.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


async def test_the_feed_lists_public_calls_newest_update_first_and_no_drafts(
    client: httpx.AsyncClient, clock: FixedClock, app: Starlette
) -> None:
    older = await make_call(clock.now(), slug="older-call")
    newer = await make_call(clock.now(), slug="newer-call", opens_in=timedelta(days=3))
    await make_call(clock.now(), slug="secret-draft", state=CallState.DRAFT)
    await Call.filter(id=older.id).update(updated_at=clock.now() - timedelta(days=2))
    await Call.filter(id=newer.id).update(updated_at=clock.now() - timedelta(days=1))

    parsed = await _parsed(client)

    assert parsed.feed.title == "QIST Consult: calls for input"
    assert parsed.feed.links[0].href == "http://testserver/feeds/calls.atom"
    assert [e.link for e in parsed.entries] == [
        "http://testserver/calls/newer-call",
        "http://testserver/calls/older-call",
    ]
    first = parsed.entries[0]
    assert first.title == "Where are quantum standards needed?"
    assert first.tags[0].term == "standards"
    assert first.id == f"tag:testserver,2026:call:{newer.id}"
    assert "Opens for responses on" in first.content[0].value
    assert "Open for responses until" in parsed.entries[1].content[0].value
    assert parsed.feed.updated == first.updated


async def test_an_edit_moves_the_call_first_with_a_new_updated_time_and_the_same_id(
    client: httpx.AsyncClient, clock: FixedClock, app: Starlette
) -> None:
    first = await make_call(clock.now(), slug="first-call")
    second = await make_call(clock.now(), slug="second-call")
    await Call.filter(id=first.id).update(updated_at=clock.now() - timedelta(days=2))
    await Call.filter(id=second.id).update(updated_at=clock.now() - timedelta(days=1))
    before = await _parsed(client)

    await Call.filter(id=first.id).update(title="Standards: a new title", updated_at=clock.now())
    after = await _parsed(client)

    assert [e.id for e in before.entries][::-1] == [e.id for e in after.entries]
    assert after.entries[0].title == "Standards: a new title"
    assert after.entries[0].updated != before.entries[1].updated


async def test_an_unchanged_feed_answers_304_to_its_etag_and_to_if_modified_since(
    client: httpx.AsyncClient, clock: FixedClock, app: Starlette
) -> None:
    await make_call(clock.now())
    first = await client.get(FEED)
    by_tag = await client.get(FEED, headers={"If-None-Match": first.headers["etag"]})
    by_date = await client.get(FEED, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert (by_tag.status_code, by_date.status_code) == (304, 304)
    assert by_tag.content == b""
    assert first.headers["cache-control"] == "public, max-age=300"


async def test_titles_are_escaped_by_the_xml_writer(
    client: httpx.AsyncClient, clock: FixedClock, app: Starlette
) -> None:
    call = await make_call(clock.now())
    await Call.filter(id=call.id).update(title="Qubits & <b>gates</b> ]]>")
    parsed = await _parsed(client)
    assert parsed.entries[0].title == "Qubits & <b>gates</b> ]]>"


async def test_every_page_advertises_the_feed(
    client: httpx.AsyncClient, clock: FixedClock, app: Starlette
) -> None:
    await make_call(clock.now())
    for path in ("/", "/calls/", "/calls/quantum-standards"):
        link = page(await client.get(path)).find(
            "link", rel="alternate", type="application/atom+xml"
        )
        assert link is not None and link["href"] == FEED, path
