"""Calendar feeds over HTTP: one response class, conditional GETs, rendered bytes cached in-process.

A request costs one query to find the feed and its fingerprint (plus the token lookup for a
personal feed). The bytes are rendered only when that fingerprint is new to this process, so any
number of processes stay correct without sharing memory: an edit anywhere changes the key.

A public feed's fingerprint is then kept for PUBLIC_FRESHNESS_SECONDS (`base.freshness`), so a
busy feed costs no query at all: calendar clients poll every hour, and an edit reaches them that
much later at most.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from base.conditional import FeedResponse, RenderedFeed, accepts_gzip, not_modified
from base.freshness import fresh
from core.web import now, settings_of
from events.feeds import (
    FeedSource,
    all_feed,
    feed_calendar,
    personal_feed,
    session_feed,
    topic_feed,
)
from events.ical import calendar_bytes
from events.tokens import person_for_calendar_token


class FeedCache:
    """Rendered feeds by (feed identity, fingerprint); the least recently used go first."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, RenderedFeed] = OrderedDict()

    def get(self, key: Hashable) -> RenderedFeed | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: Hashable, rendered: RenderedFeed) -> None:
        self._entries[key] = rendered
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class CalendarResponse(FeedResponse):
    """A calendar feed, or 304 Not Modified, named for the file a client saves it as."""

    def __init__(
        self,
        feed: RenderedFeed,
        *,
        filename: str,
        private: bool,
        not_modified: bool = False,
        gzip: bool = False,
    ) -> None:
        super().__init__(
            feed,
            media_type="text/calendar; charset=utf-8",
            private=private,
            not_modified=not_modified,
            headers={"Content-Disposition": f'inline; filename="{_safe_filename(filename)}"'},
            gzip=gzip,
        )


async def all_calendar(request: Request) -> Response:
    source = await _public_source(request, ("all", ""), lambda: all_feed(now(request)))
    assert source is not None  # the feed of everything always exists
    return await _serve(request, source, filename="qist-consult.ics")


async def topic_calendar(request: Request) -> Response:
    slug = request.path_params["slug"]
    source = await _public_source(request, ("topic", slug), lambda: topic_feed(slug, now(request)))
    if source is None:
        raise HTTPException(404)
    return await _serve(request, source, filename=f"qist-consult-{slug}.ics")


async def session_calendar(request: Request) -> Response:
    slug = request.path_params["slug"]
    source = await _public_source(
        request, ("session", slug), lambda: session_feed(slug, now(request))
    )
    if source is None:
        raise HTTPException(404)
    return await _serve(request, source, filename=f"{slug}.ics")


async def personal_calendar(request: Request) -> Response:
    person = await person_for_calendar_token(request.path_params["token"])
    if person is None:
        raise HTTPException(404)
    source = await personal_feed(person, now(request))
    return await _serve(request, source, filename="qist-consult-my-calendar.ics", private=True)


async def _serve(
    request: Request, source: FeedSource, *, filename: str, private: bool = False
) -> Response:
    cache = feed_cache(request)
    key = (source.identity, source.fingerprint.key)
    rendered = cache.get(key)
    if rendered is None:
        calendar = await feed_calendar(source, settings_of(request), now(request))
        rendered = RenderedFeed.of(calendar_bytes(calendar), source.fingerprint.last_modified)
        cache.put(key, rendered)
    return CalendarResponse(
        rendered,
        filename=filename,
        private=private,
        not_modified=not_modified(request, rendered),
        gzip=accepts_gzip(request),
    )


async def _public_source(
    request: Request, key: Hashable, load: Callable[[], Awaitable[FeedSource | None]]
) -> FeedSource | None:
    return await fresh(request).get(("feed", key), load)


def feed_cache(request: Request) -> FeedCache:
    """This process's cache of rendered feeds (made by create_app)."""
    cache: FeedCache = request.app.state.calendar_cache
    return cache


def _safe_filename(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", name)
