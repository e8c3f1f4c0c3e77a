"""The organiser workspace: the calls I run with their counts, a call's responses (filter, search,
sort, pages), the moderation queue, and the outcome editor."""

from __future__ import annotations

from datetime import timedelta

import httpx
from starlette.applications import Starlette

from consult.analysis.models import Campaign
from consult.calls.models import Call, CallState
from consult.comments.models import Comment, CommentStatus
from consult.moderation.models import NotMeReport, ReportStatus
from consult.responses.models import Consent, Publication, Response, ResponseStatus
from core.clock import FixedClock
from core.models import AuditEntry
from core.vocabulary import Role, Sector
from tests.consult.pages.workspace_helpers import (
    hours_ago,
    respond,
    table_rows,
    tracking_numbers,
)
from tests.factories import make_call, organiser_of, person_with_role, second_browser
from tests.support import csrf_from, error_summary, field_error, page, post_form

SLUG = "quantum-standards"
CALL = f"/organise/calls/{SLUG}"
TITLE = "Where are quantum standards needed?"


# ---------------------------------------------------------------- The workspace home


async def test_the_workspace_lists_the_calls_i_run_with_what_waits_for_me(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    now = clock.now()
    call = await make_call(now)
    other = await make_call(now, slug="supply-chains")
    await organiser_of(call, client)
    await respond(call, "a@example.org", submitted_at=hours_ago(now, 5))
    await respond(
        call,
        "b@example.org",
        submitted_at=hours_ago(now, 4),
        consent=Consent.PUBLISH_ANONYMOUS,
        publication=Publication.PUBLISHED,
    )
    held = await respond(
        call, "c@example.org", submitted_at=hours_ago(now, 3), publication=Publication.HELD
    )
    await respond(
        call, "d@example.org", submitted_at=hours_ago(now, 2), consent=Consent.DO_NOT_PUBLISH
    )
    await respond(
        call, "e@example.org", submitted_at=hours_ago(now, 1), status=ResponseStatus.DRAFT
    )
    await respond(other, "f@example.org", submitted_at=hours_ago(now, 1))
    await Comment.create(call=call, body="Waiting", status=CommentStatus.PENDING)
    await Comment.create(call=call, body="Approved", status=CommentStatus.APPROVED)
    await Comment.create(call=other, body="Elsewhere", status=CommentStatus.PENDING)
    for status in (ReportStatus.OPEN, ReportStatus.RESOLVED):
        await NotMeReport.create(
            response=held, name="C", email="c@example.org", status=status, created_at=now
        )

    home = await client.get("/organise/")

    assert home.status_code == 200
    # Submitted, to moderate, published, held, comments waiting, open reports.
    assert table_rows(home) == [[TITLE, "Open", "4", "1", "1", "1", "1", "1"]]
    links = {a["href"] for a in page(home).select("tbody a")}
    assert {
        f"{CALL}",
        f"{CALL}/responses",
        f"{CALL}/moderation",
        f"{CALL}/responses?status=published",
        f"{CALL}/responses?status=held",
        f"{CALL}/comments",
        f"{CALL}/reports",
    } == links
    header = page(await client.get("/")).select_one("nav[aria-label=Main] a[href='/organise/']")
    assert header is not None and header.get_text(strip=True) == "Organise"

    async with second_browser(app) as browser:
        await person_with_role(browser, "admin@example.gov", Role.ADMIN)
        everything = await browser.get("/organise/")
    calls = [a["href"] for a in page(everything).select("tbody th a")]
    assert calls == ["/organise/calls/supply-chains", CALL]  # newest first
    assert page(everything).find("a", string="Audit log") is not None


async def test_stakeholders_cannot_open_the_workspace_and_see_no_link_to_it(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    await person_with_role(client, "ada@example.org", Role.STAKEHOLDER)

    refused = await client.get("/organise/")

    assert refused.status_code == 403
    assert page(await client.get("/")).select_one("a[href='/organise/']") is None
    async with second_browser(app) as visitor:
        sent = await visitor.get("/organise/")
    assert (sent.status_code, sent.headers["location"]) == (
        303,
        "/account/signin?next=/organise/",
    )


# ---------------------------------------------------------------- A call's responses


async def four_responses(call: Call, clock: FixedClock) -> dict[str, Response]:
    """One response in each moderation state, submitted an hour apart, tracking numbers shuffled."""
    now = clock.now()
    return {
        "ada": await respond(
            call,
            "ada@example.org",
            submitted_at=hours_ago(now, 4),
            organisation="Analytical Engines Ltd",
            text="Cryogenic supply matters most.",
            sensitive="Our margin is 4%",
            tracking="QC-2026-DDDD-0001",
        ),
        "grace": await respond(
            call,
            "grace@example.org",
            name="Grace Hopper",
            submitted_at=hours_ago(now, 3),
            consent=Consent.PUBLISH_ANONYMOUS,
            publication=Publication.PUBLISHED,
            sector=Sector.ACADEMIA,
            country="US",
            text="We need QKD interfaces.",
            tracking="QC-2026-AAAA-0002",
        ),
        "marie": await respond(
            call,
            "marie@example.org",
            name="Marie Curie",
            submitted_at=hours_ago(now, 2),
            consent=Consent.DO_NOT_PUBLISH,
            sector=Sector.GOVERNMENT,
            country="FR",
            text="More cryogenic pumps, please.",
            tracking="QC-2026-CCCC-0003",
        ),
        "alan": await respond(
            call,
            "alan@example.org",
            name="Alan Turing",
            submitted_at=hours_ago(now, 1),
            publication=Publication.HELD,
            sector=Sector.CIVIL_SOCIETY,
            text="Benchmarks.",
            tracking="QC-2026-BBBB-0004",
        ),
    }


async def test_the_response_list_filters_searches_and_sorts(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await organiser_of(call, client)
    found = await four_responses(call, clock)
    await respond(call, "draft@example.org", submitted_at=clock.now(), status=ResponseStatus.DRAFT)
    campaign = await Campaign.create(call=call, template="Dear…", size=1, detected_at=clock.now())
    await Response.filter(id=found["grace"].id).update(campaign_id=campaign.id)

    async def listed(query: str = "") -> list[str]:
        shown = await client.get(f"{CALL}/responses{query}")
        assert shown.status_code == 200, error_summary(shown)
        return tracking_numbers(shown)

    newest = ["QC-2026-BBBB-0004", "QC-2026-CCCC-0003", "QC-2026-AAAA-0002", "QC-2026-DDDD-0001"]
    assert await listed() == newest  # drafts are not listed
    assert await listed("?sort=oldest") == newest[::-1]
    assert await listed("?sort=tracking") == sorted(newest)
    assert await listed("?status=to_moderate") == ["QC-2026-DDDD-0001"]
    assert await listed("?status=published") == ["QC-2026-AAAA-0002"]
    assert await listed("?status=held") == ["QC-2026-BBBB-0004"]
    assert await listed("?status=not_publishable") == ["QC-2026-CCCC-0003"]
    assert await listed("?sector=academia") == ["QC-2026-AAAA-0002"]
    assert await listed("?country=GB&sort=oldest") == ["QC-2026-DDDD-0001", "QC-2026-BBBB-0004"]
    assert await listed("?respondent_type=organisation") == ["QC-2026-DDDD-0001"]
    assert await listed("?q=CRYOGENIC") == ["QC-2026-CCCC-0003", "QC-2026-DDDD-0001"]
    assert await listed("?q=analytical+engines") == ["QC-2026-DDDD-0001"]
    assert await listed("?q=cryogenic&status=not_publishable") == ["QC-2026-CCCC-0003"]
    assert await listed("?q=nothing+like+this") == []

    rows = table_rows(await client.get(f"{CALL}/responses?sort=tracking"))
    assert rows[0][1:] == [
        "Grace Hopper",
        "Tuesday 24 November 2026, 9am GMT",
        "Publish my response anonymously",
        "None",
        "Published",
        f"Campaign {campaign.id}",
    ]
    assert rows[3][1:] == [
        "Ada Lovelace for Analytical Engines Ltd",
        "Tuesday 24 November 2026, 8am GMT",
        "Publish my response with my name",
        "1",
        "To moderate",
        "",
    ]


async def test_a_filter_the_list_does_not_offer_is_refused_with_an_error_summary(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await organiser_of(call, client)

    refused = await client.get(f"{CALL}/responses?status=everything&country=XX&sort=random")

    assert refused.status_code == 400
    assert error_summary(refused) == [
        "Choose a status from the list",
        "Choose a country from the list",
        "Choose an order from the list",
    ]
    assert field_error(refused, "status") == "Error: Choose a status from the list"


async def test_the_response_list_has_pages_of_fifty(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await organiser_of(call, client)
    await Response.bulk_create(
        [
            Response(
                call=call,
                status=ResponseStatus.SUBMITTED,
                tracking_number=f"QC-2026-P{n:03d}-0000",
                submitted_at=clock.now() - timedelta(minutes=n),
            )
            for n in range(52)
        ]
    )

    first = await client.get(f"{CALL}/responses?sort=tracking&sector=")
    second = await client.get(f"{CALL}/responses?sort=tracking&sector=&page=2")
    beyond = await client.get(f"{CALL}/responses?sort=tracking&page=99")

    assert len(tracking_numbers(first)) == 50
    assert tracking_numbers(second) == ["QC-2026-P050-0000", "QC-2026-P051-0000"]
    assert tracking_numbers(beyond) == tracking_numbers(second)
    pages = page(first).select_one("nav.pagination")
    assert pages is not None and "Page 1 of 2" in pages.get_text()
    assert pages.select_one("a[rel=next]")["href"] == "?sort=tracking&sector=&page=2"  # type: ignore[index]


# ---------------------------------------------------------------- The moderation queue


async def test_the_queue_shows_responses_to_moderate_oldest_first_with_their_previews(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    rosalind = await organiser_of(call, client)
    found = await four_responses(call, clock)
    newer = await respond(
        call,
        "ed@example.org",
        name="Ed Example",
        submitted_at=hours_ago(clock.now(), 0.5),
        consent=Consent.PUBLISH_ANONYMOUS,
    )

    queue = await client.get(f"{CALL}/moderation")

    assert queue.status_code == 200
    items = page(queue).select("ol.moderation > li")
    assert [item.h2.get_text(strip=True) for item in items] == [  # type: ignore[union-attr]
        "QC-2026-DDDD-0001",
        newer.tracking_number,
    ]
    assert "Shown as: Analytical Engines Ltd" in items[0].get_text(" ", strip=True)
    assert "Cryogenic supply matters most." in items[0].get_text()
    assert "Our margin is 4%" not in queue.text  # sensitive: never in a preview
    assert "Shown as: Anonymous respondent" in items[1].get_text(" ", strip=True)

    published = await client.post(
        f"{CALL}/responses/{found['ada'].id}/publication",
        data={"csrf_token": csrf_from(queue), "decision": "published", "back": "queue"},
    )

    assert (published.status_code, published.headers["location"]) == (303, f"{CALL}/moderation")
    ada = await Response.get(id=found["ada"].id)
    assert (ada.publication, ada.publication_decided_by_id) == (  # type: ignore[attr-defined]
        Publication.PUBLISHED,
        rosalind.id,
    )
    assert tracking_numbers_in_queue(await client.get(f"{CALL}/moderation")) == [
        newer.tracking_number
    ]
    entries = await AuditEntry.filter(action="response.published").values_list(
        "actor_id", "object_type", "object_id"
    )
    assert entries == [(rosalind.id, "response", str(ada.id))]


def tracking_numbers_in_queue(response: httpx.Response) -> list[str]:
    return [h2.get_text(strip=True) for h2 in page(response).select("ol.moderation > li > h2")]


# ---------------------------------------------------------------- The outcome


async def test_the_outcome_is_refused_before_the_call_closes_and_published_after(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now(), closes_in=timedelta(days=10))
    rosalind = await organiser_of(call, client)
    outcome = "## What we learned\n\nMetrology **first**."
    editor = await client.get(f"{CALL}/outcome")
    assert editor.status_code == 200
    assert page(editor).find("button", string="Publish outcome") is None  # not before closing

    early = await client.post(
        f"{CALL}/outcome",
        data={"csrf_token": csrf_from(editor), "outcome": outcome, "action": "publish"},
    )

    assert early.status_code == 400
    assert error_summary(early) == ["You can publish the outcome once the call has closed"]
    assert (await Call.get(id=call.id)).state == CallState.PUBLISHED

    saved = await post_form(client, f"{CALL}/outcome", {"outcome": outcome, "action": "save"})
    assert saved.status_code == 303
    stored = await Call.get(id=call.id)
    assert (stored.outcome, stored.state) == (outcome, CallState.PUBLISHED)
    assert "Outcome" not in page(await client.get(f"/calls/{SLUG}")).select_one("main").get_text()  # type: ignore[union-attr]

    clock.advance(days=11)
    empty = await post_form(client, f"{CALL}/outcome", {"outcome": " ", "action": "publish"})
    assert empty.status_code == 400
    assert error_summary(empty) == ["Write the outcome: what was learned and what happens next"]

    published = await post_form(
        client, f"{CALL}/outcome", {"outcome": outcome, "action": "publish"}
    )

    assert (published.status_code, published.headers["location"]) == (303, f"{CALL}/outcome")
    stored = await Call.get(id=call.id)
    assert (stored.state, stored.outcome, stored.outcome_published_at) == (
        CallState.OUTCOME_PUBLISHED,
        outcome,
        clock.now(),
    )
    public = page(await client.get(f"/calls/{SLUG}"))
    assert public.find("h2", string="Outcome") is not None
    assert public.select_one(".prose strong").get_text() == "first"  # type: ignore[union-attr]
    assert public.find(string="Outcome published") is not None
    entries = (
        await AuditEntry.filter(object_type="call")
        .order_by("id")
        .values_list("actor_id", "action", "object_id")
    )
    assert entries == [
        (rosalind.id, "call.outcome_saved", str(call.id)),
        (rosalind.id, "call.outcome_published", str(call.id)),
    ]


async def test_a_draft_call_has_no_outcome_to_publish(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now(), closes_in=timedelta(days=-1), state=CallState.DRAFT)
    await organiser_of(call, client)

    refused = await post_form(client, f"{CALL}/outcome", {"outcome": "Done", "action": "publish"})

    assert refused.status_code == 400
    assert error_summary(refused) == [
        "A draft call has no outcome to publish: publish the call first"
    ]
    assert (await Call.get(id=call.id)).state == CallState.DRAFT
    assert not await AuditEntry.exists(action="call.outcome_published")
