"""Conditional GETs of rendered feeds (RFC 9110 §8.8, §13): a strong ETag, Last-Modified and 304s.

One response class sets the caching headers of every feed, calendar or Atom, so feed readers and
calendar clients that poll every few minutes are answered the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

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


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match header names `etag` (weak comparison, RFC 9110 §13.1.2)."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def not_modified(request: Request, feed: RenderedFeed) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present; otherwise If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return etag_matches(if_none_match, feed.etag)
    since = request.headers.get("if-modified-since")
    if not since or feed.last_modified is None:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return feed.last_modified <= moment


class FeedResponse(Response):
    """A feed, or 304 Not Modified, with every caching header set here and nowhere else."""

    def __init__(
        self,
        feed: RenderedFeed,
        *,
        media_type: str,
        private: bool = False,
        not_modified: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        all_headers = {
            **(headers or {}),
            "ETag": feed.etag,
            "Cache-Control": f"{'private' if private else 'public'}, max-age={MAX_AGE}",
        }
        if feed.last_modified is not None:
            all_headers["Last-Modified"] = format_datetime(feed.last_modified, usegmt=True)
        if not_modified:
            super().__init__(status_code=304, headers=all_headers)
        else:
            super().__init__(feed.body, headers=all_headers, media_type=media_type)
