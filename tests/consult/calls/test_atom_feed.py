"""The Atom feed of calls, read as feed readers read it (feedparser), on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import feedparser
import httpx

from consult.calls.models import Call, CallState
from consult.calls.services import CallDetails, update_call
from core.clock import FixedClock
from core.vocabulary import Role
from tests.factories import make_call, make_person, make_topic
from tests.support import page

# The plain bytes: httpx asks for gzip unless told otherwise (compression has its own tests).
PLAIN = {"Accept-Encoding": "identity"}
FEED = "/feeds/calls.atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"


async def _parsed(client: httpx.AsyncClient) -> feedparser.FeedParserDict:
    answered = await client.get(FEED)
    assert answered.status_code == 200
    assert answered.headers["content-type"] == ATOM_TYPE
    parsed = feedparser.parse(answered.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _changed(call: Call, updated_at: datetime) -> None:
    """Set when the call was last edited (`auto_now` would take the wall clock)."""
    await Call.filter(id=call.id).update(updated_at=updated_at)


async def test_the_feed_is_well_formed_atom_with_its_title_id_and_links(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock.now())

    parsed = await _parsed(client)

    assert parsed.feed.title == "QIST Consult: calls for input"
    assert parsed.feed.id == "tag:testserver,2026:calls"
    assert parsed.feed.author == "QIST Consult"
    assert [(link.rel, link.type, link.href) for link in parsed.feed.links] == [
        ("self", "application/atom+xml", "http://testserver/feeds/calls.atom"),
        ("alternate", "text/html", "http://testserver/calls/"),
    ]


async def test_the_feed_lists_exactly_the_public_calls_most_recently_changed_first(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    now = clock.now()
    long_ago = timedelta(days=-60)
    edited_last_week = await make_call(now, slug="edited-last-week", opens_in=long_ago)
    edited_yesterday = await make_call(now, slug="edited-yesterday", opens_in=long_ago)
    upcoming = await make_call(now, slug="opens-next-week", opens_in=timedelta(days=7))
    draft = await make_call(now, slug="secret-draft", state=CallState.DRAFT)
    await _changed(edited_last_week, now - timedelta(days=7))
    await _changed(edited_yesterday, now - timedelta(days=1))
    await _changed(upcoming, now - timedelta(days=3))
    await _changed(draft, now)

    parsed = await _parsed(client)

    assert [entry.link for entry in parsed.entries] == [
        "http://testserver/calls/edited-yesterday",
        "http://testserver/calls/opens-next-week",
        "http://testserver/calls/edited-last-week",
    ]
    calls = [edited_yesterday, upcoming, edited_last_week]
    assert [entry.id for entry in parsed.entries] == [
        f"tag:testserver,2026:call:{call.id}" for call in calls
    ]
    assert {entry.title for entry in parsed.entries} == {"Where are quantum standards needed?"}
    assert [entry.updated for entry in parsed.entries] == [
        _instant(now - timedelta(days=days)) for days in (1, 3, 7)
    ]
    created = [(await Call.get(id=call.id)).created_at for call in calls]
    assert [entry.published for entry in parsed.entries] == [_instant(c) for c in created]
    assert parsed.feed.updated == parsed.entries[0].updated
    assert all(entry.summary == edited_last_week.summary for entry in parsed.entries)


async def test_each_entry_says_its_phase_and_dates_in_words_and_only_a_published_outcome(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    # The clock reads 24 November 2026, 12:00 UTC (12:00 GMT in London).
    now = clock.now()
    upcoming = await make_call(
        now, slug="upcoming", opens_in=timedelta(days=3), closes_in=timedelta(days=30)
    )
    await make_call(now, slug="open")
    closed = await make_call(
        now, slug="closed", opens_in=timedelta(days=-40), closes_in=timedelta(days=-10)
    )
    finished = await make_call(
        now, slug="finished", opens_in=timedelta(days=-40), closes_in=timedelta(days=-20)
    )
    await Call.filter(id=closed.id).update(outcome="A saved draft of the outcome.")
    await Call.filter(id=finished.id).update(
        state=CallState.OUTCOME_PUBLISHED,
        outcome="Most respondents asked for joint test beds.",
        outcome_published_at=now - timedelta(days=5),
    )

    parsed = await _parsed(client)

    content = {entry.link.rsplit("/", 1)[-1]: entry.content[0] for entry in parsed.entries}
    assert {slug: part.type for slug, part in content.items()} == dict.fromkeys(
        ("upcoming", "open", "closed", "finished"), "text/plain"
    )
    summary = upcoming.summary
    assert content["upcoming"].value == (
        f"{summary}\n\nOpens for responses on 27 November 2026, 12:00 GMT "
        "and closes on 24 December 2026, 12:00 GMT."
    )
    assert content["open"].value == (
        f"{summary}\n\nOpen for responses until 4 December 2026, 12:00 GMT."
    )
    assert content["closed"].value == (
        f"{summary}\n\nClosed on 14 November 2026, 12:00 GMT. "
        "The organisers are reading the responses."
    )
    assert content["finished"].value == (
        f"{summary}\n\nClosed on 4 November 2026, 12:00 GMT. The outcome has been published."
        "\n\nOutcome:\nMost respondents asked for joint test beds."
    )


async def test_an_edit_keeps_the_entry_id_moves_it_first_and_changes_its_updated_time(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    now = clock.now()
    first = await make_call(now, slug="first-call", opens_in=timedelta(days=-30))
    second = await make_call(now, slug="second-call", opens_in=timedelta(days=-30))
    await _changed(first, now - timedelta(days=2))
    await _changed(second, now - timedelta(days=1))
    before = await _parsed(client)
    again = await _parsed(client)
    organiser = await make_person("rosalind@example.gov", role=Role.ORGANISER)
    call = await Call.get(id=first.id)
    details = CallDetails(
        title=call.title,
        slug=call.slug,
        topic_id=(await make_topic()).id,
        summary=call.summary,
        body=call.body,
        timezone=call.timezone,
        opens_at=call.opens_at,
        closes_at=call.closes_at,
        premoderate_comments=call.premoderate_comments,
    )

    assert await update_call(organiser, call, replace(details, title="Standards, retitled")) == [
        "title"
    ]
    after = await _parsed(client)

    first_id, second_id = (f"tag:testserver,2026:call:{c.id}" for c in (first, second))
    assert [e.id for e in before.entries] == [e.id for e in again.entries] == [second_id, first_id]
    assert [e.id for e in after.entries] == [first_id, second_id]
    assert after.entries[0].title == "Standards, retitled"
    assert after.entries[0].link == "http://testserver/calls/first-call"
    assert before.entries[1].updated == _instant(now - timedelta(days=2))
    assert after.entries[0].updated == _instant((await Call.get(id=first.id)).updated_at)
    assert after.entries[0].updated > before.entries[1].updated
    assert after.entries[1].updated == before.entries[0].updated


async def test_an_entry_changes_when_its_call_opens_by_the_clock_without_an_edit(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    now = clock.now()
    call = await make_call(now, slug="opens-tomorrow", opens_in=timedelta(days=1))
    await _changed(call, now - timedelta(days=3))
    before = await client.get(FEED)

    clock.advance(days=2)
    after = await client.get(FEED, headers={"If-Modified-Since": before.headers["last-modified"]})

    assert after.status_code == 200
    entry = feedparser.parse(after.content).entries[0]
    assert entry.updated == _instant(now + timedelta(days=1))
    assert "Open for responses until 4 December 2026, 12:00 GMT." in entry.content[0].value
    assert after.headers["last-modified"] == format_datetime(now + timedelta(days=1), usegmt=True)


async def test_the_feed_holds_the_fifty_calls_changed_most_recently(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    now = clock.now()
    for number in range(50):
        await make_call(
            now, slug=f"call-{number:02}", opens_in=timedelta(days=-30), with_questions=False
        )
    await Call.all().update(updated_at=now - timedelta(days=1))
    old_edit = await make_call(
        now, slug="edited-long-ago", opens_in=timedelta(days=-30), with_questions=False
    )
    opened_an_hour_ago = await make_call(
        now, slug="opened-an-hour-ago", opens_in=timedelta(hours=-1), with_questions=False
    )
    await _changed(old_edit, now - timedelta(days=20))
    await _changed(opened_an_hour_ago, now - timedelta(days=20))

    parsed = await _parsed(client)

    links = [entry.link.rsplit("/", 1)[-1] for entry in parsed.entries]
    assert len(links) == 50
    assert links[0] == "opened-an-hour-ago"
    assert "edited-long-ago" not in links


async def test_the_category_of_an_entry_is_the_calls_topic(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    topic = await make_topic("supply-chain", "Supply chain")
    await Call.filter(id=call.id).update(topic_id=topic.id)

    parsed = await _parsed(client)

    assert [(tag.term, tag.label) for tag in parsed.entries[0].tags] == [
        ("supply-chain", "Supply chain")
    ]


async def test_an_unchanged_feed_answers_304_to_its_etag_and_to_if_modified_since(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await _changed(call, clock.now() - timedelta(hours=5))
    first = await client.get(FEED, headers=PLAIN)

    by_tag = await client.get(FEED, headers={**PLAIN, "If-None-Match": first.headers["etag"]})
    by_date = await client.get(
        FEED, headers={**PLAIN, "If-Modified-Since": first.headers["last-modified"]}
    )
    other_tag = await client.get(
        FEED,
        headers={
            **PLAIN,
            "If-None-Match": '"other"',
            "If-Modified-Since": first.headers["last-modified"],
        },
    )

    assert first.headers["etag"] == f'"{hashlib.sha256(first.content).hexdigest()}"'
    assert first.headers["last-modified"] == format_datetime(
        clock.now() - timedelta(hours=5), usegmt=True
    )
    assert first.headers["cache-control"] == "public, max-age=300"
    assert (by_tag.status_code, by_date.status_code, other_tag.status_code) == (304, 304, 200)
    assert by_tag.content == b""
    assert by_tag.headers["etag"] == first.headers["etag"]
    assert other_tag.content == first.content


async def test_head_answers_the_feeds_headers_without_a_body(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock.now())
    got = await client.get(FEED, headers=PLAIN)

    head = await client.head(FEED, headers=PLAIN)

    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == ATOM_TYPE
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-length"] == str(len(got.content))


async def test_an_empty_feed_is_valid_and_keeps_one_etag(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock.now(), state=CallState.DRAFT)
    first = await client.get(FEED)
    clock.advance(days=30)

    second = await client.get(FEED)

    parsed = await _parsed(client)
    assert parsed.entries == []
    assert parsed.feed.updated == "2026-01-01T00:00:00Z"
    assert first.headers["etag"] == second.headers["etag"]


async def test_titles_are_escaped_by_the_xml_writer(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    # A control character cannot appear in XML at all: it is dropped, not left to break the feed.
    await Call.filter(id=call.id).update(title="Qubits & <b>gates</b> ]]>\x0b")

    parsed = await _parsed(client)

    assert parsed.entries[0].title == "Qubits & <b>gates</b> ]]>"


async def test_every_page_advertises_the_feed_in_its_head(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock.now())
    for path in ("/", "/calls/", "/calls/quantum-standards"):
        link = page(await client.get(path)).select_one(
            'head link[rel="alternate"][type="application/atom+xml"]'
        )
        assert link is not None, path
        assert (link["href"], link["title"]) == (FEED, "Calls for input (Atom)"), path


async def test_the_calls_page_links_to_the_feed_for_people(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    links = page(await client.get("/calls/")).select(f'main a[href="{FEED}"]')

    assert [link.get_text(strip=True) for link in links] == ["Follow new calls (Atom feed)"]
