"""Comments on calls: who may post and when, moderation, replies, reports, safety of the markup."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from bs4 import Tag
from starlette.applications import Starlette

from base.settings import Limit
from consult.calls.models import Call, CallState
from consult.comments import services
from consult.comments.models import Comment, CommentReport, CommentStatus
from consult.comments.queries import published_count, threads_for
from core.clock import FixedClock
from core.models import AuditEntry, Person, Topic
from core.vocabulary import Role
from tests.conftest import START
from tests.factories import make_person
from tests.support import NewAccount, csrf_from, field_error, page, post_form, sign_up

SLUG = "quantum-standards"
ADA = NewAccount()
GRACE = NewAccount(email="grace.hopper@example.gov", display_name="Grace Hopper")
ALAN = NewAccount(email="alan.turing@example.org", display_name="Alan Turing")


async def make_call(clock: FixedClock, *, slug: str = SLUG, premoderate: bool = True) -> Call:
    topic, _ = await Topic.get_or_create(slug="standards", defaults={"name": "Standards"})
    return await Call.create(
        slug=slug,
        topic=topic,
        title="Standards for post-quantum cryptography",
        summary="Which standards should the partnership work on first?",
        opens_at=clock.now() - timedelta(days=1),
        closes_at=clock.now() + timedelta(days=10),
        state=CallState.PUBLISHED,
        premoderate_comments=premoderate,
    )


async def verified(client: httpx.AsyncClient, account: NewAccount = ADA) -> Person:
    """Sign up (which signs the client in) and confirm the email address."""
    await sign_up(client, account)
    await Person.filter(email=account.email).update(verified_at=START)
    return await Person.get(email=account.email)


async def organiser_of(client: httpx.AsyncClient, call: Call | None) -> Person:
    person = await verified(client, GRACE)
    await Person.filter(id=person.id).update(role=Role.ORGANISER)
    if call is not None:
        await call.team.add(person)
    return await Person.get(id=person.id)


def browser(app: Starlette) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 50001))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def other_client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser (another person, or a visitor)."""
    async with browser(app) as http:
        yield http


async def post_comment(
    client: httpx.AsyncClient, body: str, *, slug: str = SLUG, parent_id: int | None = None
) -> httpx.Response:
    data = {"body": body} | ({"parent_id": str(parent_id)} if parent_id is not None else {})
    return await post_form(
        client, f"/calls/{slug}/comments", data, form_page=f"/calls/{slug}/comments/new"
    )


async def section(client: httpx.AsyncClient, slug: str = SLUG) -> Tag:
    response = await client.get(f"/calls/{slug}/comments/new")
    assert response.status_code == 200
    found = page(response).find("section", id="comments")
    assert isinstance(found, Tag)
    return found


def bodies(comments: Tag) -> list[str]:
    return [body.get_text(" ", strip=True) for body in comments.select(".comment__body")]


def text(element: Tag | None) -> str:
    assert element is not None, "element not on the page"
    return element.get_text(" ", strip=True)


async def moderate(client: httpx.AsyncClient, comment: Comment, decision: str) -> httpx.Response:
    return await post_form(
        client,
        f"/organise/calls/{SLUG}/comments/{comment.id}/moderate",
        {"decision": decision},
        form_page=f"/organise/calls/{SLUG}/comments",
    )


async def test_comment_on_premoderated_call_waits_hidden_until_approved(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock)
    ada = await verified(client)

    response = await post_comment(client, "We need *common* test vectors.")

    assert response.status_code == 303
    assert response.headers["location"] == f"/calls/{SLUG}#comments"
    [comment] = await Comment.all()
    assert (comment.author_id, comment.status, comment.body) == (  # type: ignore[attr-defined]
        ada.id,
        CommentStatus.PENDING,
        "We need *common* test vectors.",
    )
    assert comment.created_at == START
    public = await section(other_client)
    assert bodies(public) == []
    assert "0 comments" in text(public)
    own_page = page(await client.get(f"/calls/{SLUG}/comments/new"))
    notices = [text(n) for n in own_page.select(".notification-banner__text")]
    assert notices == ["Your comment will appear once an organiser has approved it"]
    own = own_page.find("section", id="comments")
    assert isinstance(own, Tag)
    assert bodies(own) == ["We need common test vectors."]
    assert text(own.select_one(f"#comment-{comment.id} .tag")) == "Awaiting moderation"
    assert "0 comments" in text(own)  # not public yet, so not counted


async def test_organiser_of_the_call_approves_and_the_comment_appears_publicly(
    app: Starlette, client: httpx.AsyncClient, other_client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock)
    await verified(client)
    await post_comment(client, "Interoperability first.")
    comment = await Comment.get()
    organiser = await organiser_of(other_client, call)

    response = await moderate(other_client, comment, "approve")

    assert response.status_code == 303
    assert response.headers["location"] == f"/organise/calls/{SLUG}/comments"
    stored = await Comment.get(id=comment.id)
    assert stored.status == CommentStatus.APPROVED
    assert stored.moderated_by_id == organiser.id  # type: ignore[attr-defined]
    assert stored.moderated_at == START
    [entry] = await AuditEntry.all()
    assert (entry.actor_id, entry.action, entry.object_type, entry.object_id) == (  # type: ignore[attr-defined]
        organiser.id,
        "comment.approved",
        "comment",
        str(comment.id),
    )
    assert entry.detail == {"call": SLUG, "from": "pending", "to": "approved"}
    async with browser(app) as visitor:
        public = await section(visitor)
    assert bodies(public) == ["Interoperability first."]
    assert "1 comment" in text(public)
    assert text(public.select_one(f"#comment-{comment.id}-author")) == "Ada Lovelace"
    assert public.select(".tag") == []


async def test_organiser_rejects_a_published_comment_and_it_disappears(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock, premoderate=False)
    await verified(client)
    await post_comment(client, "Buy cheap watches at example.com")
    comment = await Comment.get()
    organiser = await organiser_of(other_client, call)

    response = await moderate(other_client, comment, "reject")

    assert response.status_code == 303
    assert (await Comment.get(id=comment.id)).status == CommentStatus.REJECTED
    [entry] = await AuditEntry.all()
    assert (entry.actor_id, entry.action) == (organiser.id, "comment.rejected")  # type: ignore[attr-defined]
    assert entry.detail == {"call": SLUG, "from": "approved", "to": "rejected"}
    assert bodies(await section(client)) == []  # not even its author sees a rejected comment


async def test_call_without_premoderation_publishes_at_once(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock, premoderate=False)
    await verified(client)

    response = await post_comment(client, "Published straight away.")

    assert response.status_code == 303
    assert (await Comment.get()).status == CommentStatus.APPROVED
    notices = page(await client.get(f"/calls/{SLUG}/comments/new")).select(
        ".notification-banner__text"
    )
    assert [text(n) for n in notices] == ["Your comment has been published"]
    public = await section(other_client)
    assert bodies(public) == ["Published straight away."]
    assert "1 comment" in text(public)


async def test_reply_appears_under_its_parent(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock, premoderate=False)
    await verified(client)
    await post_comment(client, "Top-level point.")
    parent = await Comment.get()
    await verified(other_client, ALAN)

    reply_page = await other_client.get(f"/calls/{SLUG}/comments/new?reply_to={parent.id}")
    form = page(reply_page).find("form", id="comment-form")
    assert isinstance(form, Tag)
    assert form.find("input", attrs={"name": "parent_id"})["value"] == str(parent.id)  # type: ignore[index]
    response = await post_comment(other_client, "A reply.", parent_id=parent.id)

    assert response.status_code == 303
    reply = await Comment.get(body="A reply.")
    assert reply.parent_id == parent.id  # type: ignore[attr-defined]
    public = await section(client)
    thread = public.select_one(f"li:has(> #comment-{parent.id})")
    assert thread is not None
    assert bodies(thread) == ["Top-level point.", "A reply."]
    assert [text(b) for b in thread.select(".comments__replies .comment__body")] == ["A reply."]
    assert "2 comments" in text(public)
    replies_links = [a for a in public.find_all("a") if text(a).startswith("Reply")]
    assert len(replies_links) == 1  # only top-level comments take replies


async def test_reply_to_a_reply_is_refused(client: httpx.AsyncClient, clock: FixedClock) -> None:
    await make_call(clock, premoderate=False)
    await verified(client)
    await post_comment(client, "Top-level point.")
    parent = await Comment.get()
    await post_comment(client, "First reply.", parent_id=parent.id)
    reply = await Comment.get(body="First reply.")

    response = await post_comment(client, "Reply to the reply.", parent_id=reply.id)

    assert response.status_code == 400
    assert "only reply to a comment, not to a reply" in field_error(response, "comment-body")
    assert await Comment.all().count() == 2


async def test_reply_to_a_comment_of_another_call_is_refused(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock, premoderate=False)
    await make_call(clock, slug="supply-chain-call", premoderate=False)
    await verified(client)
    await post_comment(client, "On the other call.", slug="supply-chain-call")
    elsewhere = await Comment.get()

    response = await post_comment(client, "Sneaky reply.", parent_id=elsewhere.id)

    assert response.status_code == 400
    assert "not on this call" in field_error(response, "comment-body")
    assert await Comment.all().count() == 1


async def test_unverified_person_cannot_comment(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock)
    await sign_up(client)

    shown = await section(client)
    response = await post_comment(client, "Let me in.")

    assert shown.find("form", id="comment-form") is None
    assert "Confirm your email address to comment" in text(shown)
    assert response.status_code == 403
    assert "Confirm your email address to comment" in response.text
    assert await Comment.all().count() == 0


async def test_signed_out_visitor_cannot_comment(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock)

    shown = await section(client)
    token = csrf_from(await client.get("/account/signin"))
    response = await client.post(
        f"/calls/{SLUG}/comments", data={"csrf_token": token, "body": "Anonymous."}
    )

    assert shown.find("form", id="comment-form") is None
    sign_in = shown.find("a", string="Sign in to comment")
    assert isinstance(sign_in, Tag)
    assert response.status_code == 303
    assert response.headers["location"] == f"/account/signin?next=/calls/{SLUG}/comments/new"
    assert await Comment.all().count() == 0


async def test_comment_after_closing_time_is_refused_and_nothing_stored(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock, premoderate=False)
    await verified(client)
    token = csrf_from(await client.get(f"/calls/{SLUG}/comments/new"))
    clock.advance(days=10)  # exactly closes_at: closed

    response = await client.post(
        f"/calls/{SLUG}/comments", data={"csrf_token": token, "body": "Just in time?"}
    )

    assert response.status_code == 403
    assert "Comments are closed" in response.text
    assert await Comment.all().count() == 0
    shown = await section(client)
    assert shown.find("form", id="comment-form") is None
    assert "Comments are closed" in text(shown)


async def test_comment_markup_cannot_run_scripts(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock, premoderate=False)
    await verified(client)
    body = (
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[x](javascript:alert(1)) and **bold** [ok](https://example.org)"
    )

    response = await post_comment(client, body)

    assert response.status_code == 303
    public = await section(other_client)
    [rendered] = public.select(".comment__body")
    assert rendered.find_all(["script", "img", "iframe"]) == []
    assert [el for el in rendered.find_all(True) if any(a.startswith("on") for a in el.attrs)] == []
    hrefs = [a.get("href", "") for a in rendered.find_all("a")]
    assert hrefs == ["https://example.org"]
    assert rendered.find("strong").get_text() == "bold"  # type: ignore[union-attr]
    assert "<script>alert(1)</script>" in rendered.get_text()  # shown as text, inert


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "Enter your comment"),
        ("x" * 5001, "Comments are at most 5,000 characters"),
        ("bell \x07 here", "Remove the invisible control characters"),
    ],
)
async def test_empty_long_or_control_character_comment_is_refused(
    client: httpx.AsyncClient, clock: FixedClock, body: str, message: str
) -> None:
    await make_call(clock)
    await verified(client)

    response = await post_comment(client, body)

    assert response.status_code == 400
    assert message in field_error(response, "comment-body")
    summary = page(response).select(".error-summary li a")
    assert [a["href"] for a in summary] == ["#comment-body"]
    assert await Comment.all().count() == 0


async def test_comment_of_5000_characters_is_accepted(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock)
    await verified(client)

    response = await post_comment(client, "x" * 5000)

    assert response.status_code == 303
    assert len((await Comment.get()).body) == 5000


async def test_posting_past_the_comment_limit_gets_429_with_retry_after(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    limit = app.state.settings.comment_limit
    await make_call(clock)
    await verified(client)
    for number in range(limit.attempts):
        assert (await post_comment(client, f"Comment {number}")).status_code == 303

    response = await post_comment(client, "One too many")

    assert response.status_code == 429
    assert response.headers["retry-after"] == str(limit.seconds)
    minutes = limit.seconds // 60
    assert f"Try again in {minutes} minutes" in text(page(response).select_one(".error-summary"))
    assert await Comment.all().count() == limit.attempts
    clock.advance(seconds=limit.seconds)
    assert (await post_comment(client, "After the window")).status_code == 303


async def test_a_report_is_recorded_once_even_if_sent_twice(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock, premoderate=False)
    await verified(client)
    await post_comment(client, "Call me on 07700 900123.")
    comment = await Comment.get()
    reporter = await verified(other_client, ALAN)
    report_page = await other_client.get(f"/comments/{comment.id}/report")
    assert report_page.status_code == 200
    assert "Call me on 07700 900123." in text(page(report_page).find("main"))

    statuses, notices = [], []
    for _ in range(2):
        response = await post_form(
            other_client, f"/comments/{comment.id}/report", {"reason": "Phone number"}
        )
        statuses.append((response.status_code, response.headers["location"]))
        shown = page(await other_client.get(f"/calls/{SLUG}/comments/new"))
        notices += [text(n) for n in shown.select(".notification-banner__text")]

    assert statuses == [(303, f"/calls/{SLUG}#comment-{comment.id}")] * 2
    assert notices == ["Thank you, organisers will look at this comment"] * 2
    [report] = await CommentReport.all()
    assert (report.comment_id, report.reporter_id, report.reason) == (  # type: ignore[attr-defined]
        comment.id,
        reporter.id,
        "Phone number",
    )
    await Person.filter(id=reporter.id).update(role=Role.ORGANISER)
    await call.team.add(reporter)
    queue = page(await other_client.get(f"/organise/calls/{SLUG}/comments"))
    assert text(queue.select_one(f"#comment-{comment.id} .moderation__reports")) == "1"


async def test_reporting_needs_a_signed_in_person_and_a_published_comment(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock)
    await verified(client)
    await post_comment(client, "Still pending.")
    pending = await Comment.get()

    visitor = await other_client.get(f"/comments/{pending.id}/report")
    await verified(other_client, ALAN)
    not_published = await other_client.get(f"/comments/{pending.id}/report")
    unknown = await other_client.get("/comments/99999999999999999999/report")

    assert visitor.status_code == 303
    assert visitor.headers["location"] == f"/account/signin?next=/comments/{pending.id}/report"
    assert not_published.status_code == 404
    assert unknown.status_code == 404
    assert await CommentReport.all().count() == 0


async def test_organiser_outside_the_call_team_cannot_moderate(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock)
    await verified(client)
    await post_comment(client, "Waiting.")
    comment = await Comment.get()
    await organiser_of(other_client, None)  # an organiser, but not of this call

    queue = await other_client.get(f"/organise/calls/{SLUG}/comments")
    token = csrf_from(await other_client.get("/account/"))
    response = await other_client.post(
        f"/organise/calls/{SLUG}/comments/{comment.id}/moderate",
        data={"csrf_token": token, "decision": "approve"},
    )

    assert queue.status_code == 403
    assert response.status_code == 403
    stored = await Comment.get(id=comment.id)
    assert (stored.status, stored.moderated_by_id, stored.moderated_at) == (  # type: ignore[attr-defined]
        CommentStatus.PENDING,
        None,
        None,
    )
    assert await AuditEntry.all().count() == 0


async def test_stakeholders_cannot_moderate_and_admins_can(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock)
    await verified(client)
    await post_comment(client, "Waiting.")
    comment = await Comment.get()

    as_stakeholder = await moderate(client, comment, "approve")
    admin = await verified(other_client, GRACE)
    await Person.filter(id=admin.id).update(role=Role.ADMIN)
    as_admin = await moderate(other_client, comment, "approve")

    assert as_stakeholder.status_code == 403
    assert as_admin.status_code == 303
    assert (await Comment.get(id=comment.id)).moderated_by_id == admin.id  # type: ignore[attr-defined]


async def test_moderation_queue_lists_pending_comments_first(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock)
    await verified(client)
    for body in ("First.", "Second.", "Third."):
        await post_comment(client, body)
        clock.advance(minutes=1)
    first = await Comment.get(body="First.")
    await organiser_of(other_client, call)
    await moderate(other_client, first, "approve")

    queue = page(await other_client.get(f"/organise/calls/{SLUG}/comments"))

    items = queue.select("ol.moderation > li")
    assert [text(item.select_one(".details__text")) for item in items] == [
        "Second.",
        "Third.",
        "First.",
    ]
    assert [text(item.select_one(".tag")) for item in items] == [
        "Awaiting moderation",
        "Awaiting moderation",
        "Approved",
    ]


async def test_moderating_an_unknown_comment_or_a_bad_decision_changes_nothing(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock)
    await verified(client)
    await post_comment(client, "Waiting.")
    comment = await Comment.get()
    await organiser_of(other_client, call)
    token = csrf_from(await other_client.get(f"/organise/calls/{SLUG}/comments"))
    base = f"/organise/calls/{SLUG}/comments"

    unknown = await other_client.post(
        f"{base}/{comment.id + 1000}/moderate", data={"csrf_token": token, "decision": "approve"}
    )
    bad = await other_client.post(
        f"{base}/{comment.id}/moderate", data={"csrf_token": token, "decision": "publish"}
    )
    no_call = await other_client.get("/organise/calls/no-such-call/comments")

    assert (unknown.status_code, bad.status_code, no_call.status_code) == (404, 400, 404)
    assert (await Comment.get(id=comment.id)).status == CommentStatus.PENDING
    assert await AuditEntry.all().count() == 0


async def test_threads_load_authors_with_the_comments(db: None, clock: FixedClock) -> None:
    call = await make_call(clock, premoderate=False)
    author = await make_person("a@example.org", "A")
    await Person.filter(id=author.id).update(verified_at=START)
    author = await Person.get(id=author.id)
    limit = Limit(10, 60)
    parent = await services.post_comment(
        author, call, "Parent", parent_id=None, now=clock.now(), limit=limit
    )
    await services.post_comment(
        author, call, "Child", parent_id=parent.id, now=clock.now(), limit=limit
    )

    threads = await threads_for(call, None)

    [thread] = threads
    # Authors came with the rows: reading them awaits nothing.
    assert [
        c.author.display_name if c.author else "" for c in (thread.comment, *thread.replies)
    ] == [
        "A",
        "A",
    ]
    assert published_count(threads) == 2


async def test_service_refuses_comments_from_unverified_people(db: None, clock: FixedClock) -> None:
    call = await make_call(clock)
    person = await make_person("b@example.org", "B")

    with pytest.raises(PermissionError, match="Confirm your email address"):
        await services.post_comment(
            person, call, "Hello", parent_id=None, now=clock.now(), limit=Limit(5, 60)
        )

    assert await Comment.all().count() == 0


async def test_comment_of_a_deleted_account_stays_without_a_name(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock, premoderate=False)
    ada = await verified(client)
    await post_comment(client, "Still relevant.")
    await Person.filter(id=ada.id).delete()

    public = await section(other_client)

    assert bodies(public) == ["Still relevant."]
    assert text(public.select_one(".comment__author")) == "A former participant"


async def test_call_page_shows_the_comment_section(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock, premoderate=False)
    await verified(client)
    await post_comment(client, "On the call page.")

    visitor = page(await other_client.get(f"/calls/{SLUG}"))
    signed_in = page(await client.get(f"/calls/{SLUG}"))

    comments = visitor.find("section", id="comments")
    assert isinstance(comments, Tag)
    assert text(comments.find(id="comments-title")) == "Comments"
    assert bodies(comments) == ["On the call page."]
    assert "Sign in to comment" in text(comments)
    assert signed_in.find("form", id="comment-form") is not None


@pytest.mark.parametrize("token", [None, "forged-token-value"])
async def test_comment_forms_refuse_a_missing_or_forged_csrf_token(
    client: httpx.AsyncClient, clock: FixedClock, token: str | None
) -> None:
    call = await make_call(clock, premoderate=False)
    ada = await verified(client)
    comment = await Comment.create(call=call, author=ada, body="Hello", created_at=START)
    await Person.filter(id=ada.id).update(role=Role.ORGANISER)
    await call.team.add(ada)
    data = {"body": "Forged", "reason": "Forged", "decision": "reject"}
    if token:
        data["csrf_token"] = token

    paths = [
        f"/calls/{SLUG}/comments",
        f"/comments/{comment.id}/report",
        f"/organise/calls/{SLUG}/comments/{comment.id}/moderate",
    ]
    statuses = [(await client.post(path, data=data)).status_code for path in paths]

    assert statuses == [403, 403, 403]
    assert [c.body for c in await Comment.all()] == ["Hello"]
    assert (await Comment.get()).status == CommentStatus.PENDING
    assert await CommentReport.all().count() == 0
    assert await AuditEntry.all().count() == 0
