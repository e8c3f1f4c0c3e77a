"""Calendar feeds over HTTP: one response class, conditional GETs, rendered bytes cached in-process.

Each request costs one query to find the feed and its fingerprint (plus the token lookup for a
personal feed). The bytes are rendered only when that fingerprint is new to this process, so any
number of processes stay correct without sharing memory: an edit anywhere changes the key.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from config.web import now, settings_of
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

MAX_AGE = 300


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    etag: str  # strong: the quoted SHA-256 of the body
    last_modified: datetime | None  # whole seconds, as HTTP dates carry them

    @classmethod
    def of(cls, body: bytes, last_modified: datetime | None) -> RenderedFeed:
        modified = last_modified.astimezone(UTC).replace(microsecond=0) if last_modified else None
        return cls(body, f'"{hashlib.sha256(body).hexdigest()}"', modified)


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


class CalendarResponse(Response):
    """A feed, or 304 Not Modified, with every caching header set here and nowhere else."""

    def __init__(
        self, feed: RenderedFeed, *, filename: str, private: bool, not_modified: bool = False
    ) -> None:
        headers = {
            "ETag": feed.etag,
            "Cache-Control": f"{'private' if private else 'public'}, max-age={MAX_AGE}",
            "Content-Disposition": f'inline; filename="{_safe_filename(filename)}"',
        }
        if feed.last_modified is not None:
            headers["Last-Modified"] = format_datetime(feed.last_modified, usegmt=True)
        if not_modified:
            super().__init__(status_code=304, headers=headers)
        else:
            super().__init__(feed.body, headers=headers, media_type="text/calendar; charset=utf-8")


def not_modified(request: Request, feed: RenderedFeed) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present; otherwise If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or feed.etag in tags
    since = request.headers.get("if-modified-since")
    if not since or feed.last_modified is None:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return feed.last_modified <= moment


async def all_calendar(request: Request) -> Response:
    return await _serve(request, await all_feed(now(request)), filename="qist-consult.ics")


async def topic_calendar(request: Request) -> Response:
    slug = request.path_params["slug"]
    source = await topic_feed(slug, now(request))
    if source is None:
        raise HTTPException(404)
    return await _serve(request, source, filename=f"qist-consult-{slug}.ics")


async def session_calendar(request: Request) -> Response:
    slug = request.path_params["slug"]
    source = await session_feed(slug, now(request))
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
        rendered, filename=filename, private=private, not_modified=not_modified(request, rendered)
    )


def feed_cache(request: Request) -> FeedCache:
    """This process's cache of rendered feeds (made by create_app)."""
    cache: FeedCache = request.app.state.calendar_cache
    return cache


def _safe_filename(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", name)
