"""The read API: topics, calls with questions, sessions with occurrences, published responses and
approved comments. Everything here is public; each view reads through the same queries and
publication rules as the pages."""

from __future__ import annotations

from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response
from tortoise.expressions import F

from consult.api import serialise
from consult.api.http import (
    decode_cursor,
    encode_cursor,
    instant,
    json_response,
    page_links,
    query_instant,
    query_limit,
)
from consult.api.lookups import absolute_urls, count_read, public_call_or_404
from consult.api.problems import Problem
from consult.calls.models import CallPhase
from consult.calls.queries import documents_of, in_phase, public_calls, questions_of
from consult.comments.models import CommentStatus
from consult.comments.queries import threads_for
from consult.moderation.public import public_views
from consult.moderation.published import BadFilter, Filters, published_count, published_responses
from consult.responses.models import RespondentType
from core.markdown import render_markdown
from core.queries import topic_by_slug, topics_in_order
from core.vocabulary import Sector, countries
from core.web import now
from events.models import Session, Visibility
from events.queries import change_of, rule_of
from events.recurrence import occurrences

DEFAULT_RANGE = timedelta(days=90)
LONGEST_RANGE = timedelta(days=366)
CALL_STATUSES = tuple(p.value for p in CallPhase if p != CallPhase.DRAFT)
CALL_STATUS_RULE = f"`status` must be one of: {', '.join(CALL_STATUSES)}."
FILTER_VALUES = {
    "sector": frozenset(s.value for s in Sector),
    "country": frozenset(code for code, _ in countries()),
    "type": frozenset(t.value for t in RespondentType),
}


async def topics(request: Request) -> Response:
    count_read(request)
    url = absolute_urls(request)
    body: serialise.TopicListOut = {
        "data": [serialise.topic(t, url) for t in await topics_in_order()]
    }
    return json_response(request, body)


async def topic(request: Request) -> Response:
    count_read(request)
    found = await topic_by_slug(request.path_params["slug"])
    if found is None:
        raise Problem(404, "There is no topic with this slug.")
    return json_response(request, serialise.topic(found, absolute_urls(request)))


async def calls(request: Request) -> Response:
    """Public calls, newest first, filtered by topic and status, in pages chosen by a cursor."""
    count_read(request)
    moment = now(request)
    query = public_calls()
    topic_slug = request.query_params.get("topic")
    if topic_slug is not None:
        query = query.filter(topic__slug=topic_slug)
    status = request.query_params.get("status")
    if status is not None:
        if status not in CALL_STATUSES:
            raise Problem(400, CALL_STATUS_RULE)
        query = query.filter(in_phase(CallPhase(status), moment))
    before, limit = decode_cursor(request), query_limit(request)
    if before:
        query = query.filter(id__lt=before)
    rows = await query.order_by("-id").limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    url = absolute_urls(request)
    body: serialise.CallListOut = {
        "data": [serialise.call(c, url, moment) for c in rows],
        "links": page_links(request, encode_cursor(rows[-1].id) if more else None),
    }
    return json_response(request, body)


async def call(request: Request) -> Response:
    count_read(request)
    found = await public_call_or_404(request)
    await found.fetch_related("topic")
    documents = await documents_of(found)
    for document in documents:
        document.call = found
    data = serialise.call_detail(
        found,
        absolute_urls(request),
        now(request),
        await questions_of(found),
        documents,
        await published_count(found),
    )
    return json_response(request, data)


async def call_responses(request: Request) -> Response:
    """Published responses, exactly as the public pages show them, oldest first, by cursor."""
    count_read(request)
    found = await public_call_or_404(request)
    try:
        filters = Filters.parse(request.query_params)
    except BadFilter as bad:
        raise Problem(400, str(bad)) from None
    _check_filter_values(request)
    after, limit = decode_cursor(request), query_limit(request)
    query = published_responses(found, filters)
    total = await query.count()
    query = query.filter(id__gt=after)
    if filters.terms:
        # As on the pages: "id" + 0 keeps PostgreSQL on the search index (consult.moderation.published).
        query = query.annotate(position=F("id") + 0).order_by("position", "id")
    else:
        query = query.order_by("id")
    rows = await query.limit(limit + 1)
    more = len(rows) > limit
    views = await public_views(rows[:limit])
    url = absolute_urls(request)
    body: serialise.PublishedResponseListOut = {
        "data": [serialise.public_response(v, found.slug, url) for v in views],
        "total": total,
        "links": page_links(request, encode_cursor(rows[limit - 1].id) if more else None),
    }
    return json_response(request, body)


def _check_filter_values(request: Request) -> None:
    """Exactly the values the document lists: the page's filters also take " gb ", the API takes
    what it says (400 otherwise). Empty means any, as on the page."""
    for name, allowed in FILTER_VALUES.items():
        value = request.query_params.get(name)
        if value and value not in allowed:
            raise Problem(400, f"`{name}` must be written exactly as the API document lists it.")


async def call_comments(request: Request) -> Response:
    """Approved comments, oldest first; a reply names its parent (threads are one level deep)."""
    count_read(request)
    found = await public_call_or_404(request)
    body: serialise.CommentListOut = {"data": []}
    for thread in await threads_for(found, None):
        for item in (thread.comment, *thread.replies):
            if item.status == CommentStatus.APPROVED:
                body["data"].append(serialise.comment(item, str(render_markdown(item.body))))
    return json_response(request, body)


def _range(request: Request) -> tuple[datetime, datetime]:
    """[from, to) of a sessions request. Well-formed values that make no range are a 422."""
    start = query_instant(request, "from") or now(request)
    try:
        end = query_instant(request, "to") or start + DEFAULT_RANGE
    except OverflowError:
        raise Problem(422, "`from` is too far in the future.") from None
    if end <= start:
        raise Problem(422, "`to` must come after `from`.")
    if end - start > LONGEST_RANGE:
        raise Problem(422, "Ask for at most 366 days at a time.")
    return start, end


async def sessions(request: Request) -> Response:
    """Public sessions with their occurrences inside [from, to) (default: the next 90 days)."""
    count_read(request)
    start, end = _range(request)
    query = Session.filter(visibility=Visibility.PUBLIC, starts_at__lt=end)
    topic_slug = request.query_params.get("topic")
    if topic_slug is not None:
        query = query.filter(topics__slug=topic_slug).distinct()
    rows = await query.prefetch_related("topics", "overrides", "call").order_by("starts_at", "id")
    url = absolute_urls(request)
    body: serialise.SessionListOut = {"data": [], "from": instant(start), "to": instant(end)}
    for row in rows:
        dates = occurrences(
            rule_of(row),
            [change_of(o) for o in row.overrides],
            window_start=start,
            window_end=end,
        )
        if dates:
            body["data"].append(serialise.session(row, url, dates))
    return json_response(request, body)


async def session(request: Request) -> Response:
    count_read(request)
    start, end = _range(request)
    row = await Session.get_or_none(
        slug=request.path_params["slug"], visibility=Visibility.PUBLIC
    ).prefetch_related("topics", "overrides", "call")
    if row is None:
        raise Problem(404, "There is no public session with this slug.")
    dates = occurrences(
        rule_of(row), [change_of(o) for o in row.overrides], window_start=start, window_end=end
    )
    body: serialise.SessionDetailOut = {
        **serialise.session(row, absolute_urls(request), dates),
        "from": instant(start),
        "to": instant(end),
    }
    return json_response(request, body)
