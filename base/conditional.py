"""Conditional GETs of rendered feeds (RFC 9110 §8.8, §13): a strong ETag, Last-Modified and 304s,
and gzip for clients that ask for it (RFC 9110 §8.4, §12.5.3).

One response class sets the caching headers of every feed, calendar or Atom, so feed readers and
calendar clients that poll every few minutes are answered the same way. A feed is compressed once
and kept with its plain bytes (deterministically: no time stamp in the gzip header, so every
process and host gives the same bytes and the same ETag). Each encoding has its own strong ETag;
either one, sent back in If-None-Match, gets a 304, since both name the same content.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

MAX_AGE = 300


# Smaller bodies gain too little from gzip to be worth a client's inflating them.
COMPRESS_FROM = 1024
GZIP_LEVEL = 6


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    etag: str  # strong: the quoted SHA-256 of the body
    last_modified: datetime | None  # whole seconds, as HTTP dates carry them
    _gzipped: list[bytes] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def of(cls, body: bytes, last_modified: datetime | None) -> RenderedFeed:
        modified = last_modified.astimezone(UTC).replace(microsecond=0) if last_modified else None
        return cls(body, f'"{hashlib.sha256(body).hexdigest()}"', modified)

    @property
    def gzip_etag(self) -> str:
        return f'{self.etag[:-1]}-gzip"'

    @property
    def gzipped(self) -> bytes:
        """The body gzipped, made on first use and kept with the feed (mtime 0: the same bytes
        every time, in every process)."""
        if not self._gzipped:
            self._gzipped.append(gzip.compress(self.body, GZIP_LEVEL, mtime=0))
        return self._gzipped[0]

    def compressible(self) -> bool:
        return len(self.body) >= COMPRESS_FROM


def accepts_gzip(request: Request) -> bool:
    """Whether Accept-Encoding names gzip (or *) with a weight above zero."""
    for item in request.headers.get("accept-encoding", "").split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        weight = params.strip().lower().removeprefix("q=")
        try:
            return not params.strip() or float(weight) > 0
        except ValueError:
            return False
    return False


def etag_matches(if_none_match: str, *etags: str) -> bool:
    """Whether an If-None-Match header names one of `etags` (weak comparison, RFC 9110 §13.1.2)."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or any(etag in tags for etag in etags)


def not_modified(request: Request, feed: RenderedFeed) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present; otherwise If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return etag_matches(if_none_match, feed.etag, feed.gzip_etag)
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
        gzip: bool = False,
    ) -> None:
        compressed = gzip and feed.compressible()
        all_headers = {
            **(headers or {}),
            "ETag": feed.gzip_etag if compressed else feed.etag,
            "Cache-Control": f"{'private' if private else 'public'}, max-age={MAX_AGE}",
            "Vary": "Accept-Encoding",
        }
        if feed.last_modified is not None:
            all_headers["Last-Modified"] = format_datetime(feed.last_modified, usegmt=True)
        if not_modified:
            super().__init__(status_code=304, headers=all_headers)
        elif compressed:
            all_headers["Content-Encoding"] = "gzip"
            super().__init__(feed.gzipped, headers=all_headers, media_type=media_type)
        else:
            super().__init__(feed.body, headers=all_headers, media_type=media_type)
