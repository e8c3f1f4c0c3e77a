"""/feeds/calls.atom: the calls anyone may read, most recently changed first, for feed readers."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from base.conditional import FeedResponse, RenderedFeed, accepts_gzip, not_modified
from consult.calls.atom import CallEntry, atom_feed, feed_updated
from consult.calls.models import Call, CallPhase
from consult.calls.queries import recently_changed_calls
from core.templating import format_datetime_in
from core.web import now, settings_of

ENTRIES = 50
ATOM_TYPE = "application/atom+xml; charset=utf-8"


async def calls_feed(request: Request) -> Response:
    settings, moment = settings_of(request), now(request)
    entries = [
        call_entry(
            call,
            moment,
            settings.url_for_path(request.url_for("calls:detail", slug=call.slug).path),
        )
        for call in await recently_changed_calls(moment, limit=ENTRIES)
    ]
    body = atom_feed(
        entries,
        host=urlsplit(settings.base_url).hostname or "localhost",
        self_url=settings.url_for_path(request.url_for("feeds:calls").path),
        calls_url=settings.url_for_path(request.url_for("calls:list").path),
    )
    feed = RenderedFeed.of(body, feed_updated(entries))
    return FeedResponse(
        feed,
        media_type=ATOM_TYPE,
        not_modified=not_modified(request, feed),
        gzip=accepts_gzip(request),
    )


def call_entry(call: Call, now: datetime, url: str) -> CallEntry:
    phase = call.phase(now)
    return CallEntry(
        call_id=call.id,
        title=call.title,
        summary=call.summary,
        status=status_in_words(call, phase),
        outcome=call.outcome if phase == CallPhase.OUTCOME_PUBLISHED else "",
        url=url,
        topic_slug=call.topic.slug,
        topic_name=call.topic.name,
        published=call.created_at,
        # Not just updated_at: the status words above change when the call opens or closes.
        updated=call.changed_at(now),
    )


def status_in_words(call: Call, phase: CallPhase) -> str:
    """The phase and its dates in the organiser's zone, e.g. "Open for responses until …"."""
    closes = format_datetime_in(call.closes_at, call.timezone)
    if phase == CallPhase.UPCOMING:
        opens = format_datetime_in(call.opens_at, call.timezone)
        return f"Opens for responses on {opens} and closes on {closes}."
    if phase == CallPhase.OPEN:
        return f"Open for responses until {closes}."
    if phase == CallPhase.CLOSED:
        return f"Closed on {closes}. The organisers are reading the responses."
    return f"Closed on {closes}. The outcome has been published."
