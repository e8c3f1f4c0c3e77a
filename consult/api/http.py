"""HTTP plumbing of the JSON API: JSON bodies in and out, ETags, CORS, query values, read limits."""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypedDict, overload
from urllib.parse import urlencode

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from base.conditional import etag_matches
from consult.api.problems import FieldError, Problem

JSON_TYPE = "application/json"
API_V1 = "/api/v1"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Link, Retry-After",
}
PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "GET, HEAD",
    "Access-Control-Allow-Headers": "Accept, If-None-Match",
    "Access-Control-Max-Age": "86400",
}
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
CURSOR_DIGITS = 9  # below 2**31: PostgreSQL's integer ids
# Written as the OpenAPI document states them (ASCII digits; years 0001–9999, months 01–12, days
# 01–31, hours 00–23): `0000-00-00` is not a date of this form at all (400). A day the month
# lacks (30 February) matches and is refused as no real date (422).
_YEAR = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
_DAY = f"{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_CLOCK = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,6})?"
_OFFSET = "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
DATE = re.compile(_DAY)
DATE_TIME = re.compile(f"{_DAY}T{_CLOCK}{_OFFSET}")


def dumps(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


@overload
def instant(value: datetime) -> str: ...
@overload
def instant(value: None) -> None: ...
@overload
def instant(value: datetime | None) -> str | None: ...
def instant(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with a Z, as every time in the API is written."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def json_response(
    request: Request,
    data: object,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    public: bool = True,
) -> Response:
    """JSON with a strong ETag; a 304 when the client's copy is current (GET and HEAD)."""
    body = dumps(data)
    etag = etag_of(body)
    cache = "public, max-age=60" if public else "private, no-store"
    all_headers = {"ETag": etag, "Cache-Control": cache, "Vary": "Accept", **(headers or {})}
    if request.method in ("GET", "HEAD") and status == 200:
        if_none_match = request.headers.get("if-none-match")
        if if_none_match and etag_matches(if_none_match, etag):
            return Response(status_code=304, headers=all_headers)
    return Response(body, status_code=status, media_type=JSON_TYPE, headers=all_headers)


class CorsForReads:
    """CORS for the read API: any site may GET open data; writes get no CORS headers at all, so
    browsers on other sites cannot use a token (tokens belong in servers, not web pages)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_V1):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS":
            await Response(status_code=204, headers=PREFLIGHT_HEADERS)(scope, receive, send)
            return
        if method not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in CORS_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_cors)


class ReadLimiter:
    """Reads per address per window, counted in this process (SPEC §11 allows per-process
    counters): a shared table would cost a write for every read. Fixed windows, bounded memory."""

    def __init__(self, attempts: int, seconds: int) -> None:
        self.attempts = attempts
        self.seconds = seconds
        self._windows: dict[str, tuple[float, int]] = {}

    def check(self, address: str, *, clock: Any = time.monotonic) -> None:
        moment = clock()
        started, count = self._windows.get(address, (moment, 0))
        if moment - started >= self.seconds:
            started, count = moment, 0
        if count >= self.attempts:
            retry = max(1, math.ceil(started + self.seconds - moment))
            raise Problem(
                429,
                f"Too many requests from your address: try again in {retry} seconds.",
                headers={"Retry-After": str(retry)},
            )
        if len(self._windows) > 50_000:
            self._windows = {a: w for a, w in self._windows.items() if moment - w[0] < self.seconds}
        self._windows[address] = (started, count + 1)


def query_limit(request: Request) -> int:
    text = request.query_params.get("limit")
    if text is None:
        return DEFAULT_LIMIT
    if not (text.isascii() and text.isdigit() and len(text) <= 3 and 1 <= int(text) <= MAX_LIMIT):
        raise Problem(400, f"`limit` must be a whole number from 1 to {MAX_LIMIT}.")
    return int(text)


def encode_cursor(last_id: int) -> str:
    return str(last_id)


def decode_cursor(request: Request) -> int:
    """The id the page continues from (0 for the first page). Cursors are plain ids: the lists
    are ordered by id, so any id is a place to continue from, and none can skip or repeat a row."""
    text = request.query_params.get("cursor")
    if text is None:
        return 0
    if not (text.isascii() and text.isdigit() and len(text) <= CURSOR_DIGITS):
        raise Problem(400, "`cursor` must be the value given in `links.next`.")
    return int(text)


def query_instant(request: Request, name: str) -> datetime | None:
    """An RFC 3339 date-time, or a date meaning its midnight UTC, from the query string: 400 when
    it is not written that way, 422 when it is but names no real moment (30 February)."""
    text = request.query_params.get(name)
    if text is None:
        return None
    is_date = DATE.fullmatch(text) is not None
    if not (is_date or DATE_TIME.fullmatch(text)):
        raise Problem(
            400, f"`{name}` must be a date (2027-01-31) or a date-time (2027-01-31T09:00:00Z)."
        )
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if is_date:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except (ValueError, OverflowError):
        raise Problem(422, f"`{name}` is not a real date.") from None


async def json_body(request: Request) -> tuple[bytes, dict[str, Any]]:
    """The raw body and its JSON object: 415 when not JSON, 400 when unreadable or not an object."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != JSON_TYPE:
        raise Problem(415, "Send the request body as JSON with `Content-Type: application/json`.")
    raw = await request.body()
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Problem(400, "The request body is not valid JSON (UTF-8).") from None
    unstorable = _unstorable(data)
    if unstorable is not None:
        raise Problem(
            422,
            "The request body holds characters that cannot be stored.",
            [FieldError(unstorable, "Remove the NUL character or unpaired surrogate")],
        )
    if not isinstance(data, dict):
        raise Problem(
            422, "The request body must be a JSON object.", [FieldError("", "Expected an object")]
        )
    return raw, data


def _unstorable(value: object, pointer: str = "") -> str | None:
    """The JSON Pointer of the first string holding a NUL or a lone surrogate, or None. JSON's
    escapes can write both; no database column can hold them."""
    if isinstance(value, str):
        bad = "\x00" in value or (not value.isascii() and _has_surrogate(value))
        return pointer if bad else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _unstorable(key, pointer) or _unstorable(item, f"{pointer}/{key}")
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _unstorable(item, f"{pointer}/{index}")
            if found is not None:
                return found
    return None


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class PageLinks(TypedDict):
    self: str
    next: str | None


def page_links(request: Request, next_cursor: str | None) -> PageLinks:
    """`self` and `next` links of a cursor-paged list, keeping the other query values."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    following = None
    if next_cursor is not None:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        following = f"{request.url.path}?{urlencode([*params, ('cursor', next_cursor)])}"
    return {"self": here, "next": following}
