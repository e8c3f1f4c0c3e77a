"""/feeds/calls.atom: the calls anyone may read, most recently changed first, for feed readers."""

from __future__ import annotations

from email.utils import format_datetime
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from config.templating import format_datetime_in
from config.web import now, settings_of
from consult.calls.atom import EMPTY_FEED_UPDATED, CallEntry, atom_feed
from consult.calls.models import Call, CallPhase
from consult.calls.queries import public_calls
from events.calendar_views import RenderedFeed, not_modified

ENTRIES = 50
MAX_AGE = 300
ATOM_TYPE = "application/atom+xml; charset=utf-8"


def status_in_words(call: Call, phase: CallPhase) -> str:
    closes = format_datetime_in(call.closes_at, call.timezone)
    if phase == CallPhase.UPCOMING:
        opens = format_datetime_in(call.opens_at, call.timezone)
        return f"Opens for responses on {opens} and closes on {closes}."
    if phase == CallPhase.OPEN:
        return f"Open for responses until {closes}."
    if phase == CallPhase.CLOSED:
        return f"Closed on {closes}. The organisers are reading the responses."
    return f"Closed on {closes}. The outcome has been published."


async def calls_feed(request: Request) -> Response:
    settings, moment = settings_of(request), now(request)
    calls = await public_calls().order_by("-updated_at", "-id").limit(ENTRIES)
    entries = [
        CallEntry(
            call_id=call.id,
            title=call.title,
            summary=call.summary,
            status=status_in_words(call, call.phase(moment)),
            outcome=call.outcome if call.outcome_published_at else "",
            url=settings.url_for_path(request.url_for("calls:detail", slug=call.slug).path),
            topic_slug=call.topic.slug,
            topic_name=call.topic.name,
            published=call.created_at,
            updated=call.updated_at,
        )
        for call in calls
    ]
    body = atom_feed(
        entries,
        host=urlsplit(settings.base_url).hostname or "localhost",
        self_url=settings.url_for_path(request.url_for("feeds:calls").path),
        calls_url=settings.url_for_path(request.url_for("calls:list").path),
    )
    feed = RenderedFeed.of(body, max((e.updated for e in entries), default=EMPTY_FEED_UPDATED))
    headers = {"ETag": feed.etag, "Cache-Control": f"public, max-age={MAX_AGE}"}
    if feed.last_modified is not None:
        headers["Last-Modified"] = format_datetime(feed.last_modified, usegmt=True)
    if not_modified(request, feed):
        return Response(status_code=304, headers=headers)
    return Response(feed.body, headers=headers, media_type=ATOM_TYPE)
