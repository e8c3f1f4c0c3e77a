"""Links that put sessions into someone's calendar: one event (Google, Outlook) or a whole feed.

Pure: plain values in, URLs out. Every parameter is percent-encoded with spaces as %20, because
Outlook shows a "+" literally where a form-encoded space would be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

GOOGLE_EVENT = "https://calendar.google.com/calendar/render"
OUTLOOK_EVENT = "https://outlook.live.com/calendar/0/deeplink/compose"
GOOGLE_SUBSCRIBE = "https://calendar.google.com/calendar/r"
OUTLOOK_SUBSCRIBE = "https://outlook.live.com/calendar/0/addfromweb"
DETAILS_MAX = 300  # add links travel in a URL: keep the description short


@dataclass(frozen=True)
class EventDetails:
    """One event as a calendar service's "add" page wants it."""

    title: str
    starts_at: datetime
    ends_at: datetime
    details: str
    location: str


@dataclass(frozen=True)
class EventLinks:
    google: str
    outlook: str


@dataclass(frozen=True)
class SubscribeLinks:
    feed: str  # the http(s) address, for copying
    webcal: str
    google: str
    outlook: str


def _query(params: dict[str, str]) -> str:
    return urlencode(params, quote_via=quote)


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("calendar links need aware datetimes")
    return instant.astimezone(UTC)


def google_event_link(event: EventDetails) -> str:
    dates = f"{_utc(event.starts_at):%Y%m%dT%H%M%SZ}/{_utc(event.ends_at):%Y%m%dT%H%M%SZ}"
    params = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": dates,
        "details": event.details,
        "location": event.location,
    }
    return f"{GOOGLE_EVENT}?{_query(params)}"


def outlook_event_link(event: EventDetails) -> str:
    params = {
        "subject": event.title,
        "startdt": f"{_utc(event.starts_at):%Y-%m-%dT%H:%M:%SZ}",
        "enddt": f"{_utc(event.ends_at):%Y-%m-%dT%H:%M:%SZ}",
        "body": event.details,
        "location": event.location,
    }
    return f"{OUTLOOK_EVENT}?{_query(params)}"


def event_links(event: EventDetails) -> EventLinks:
    return EventLinks(google_event_link(event), outlook_event_link(event))


def short_details(description: str, url: str) -> str:
    """The first paragraph of a description, cut to a sentence-sized length, then the page URL."""
    first = description.strip().split("\n\n", 1)[0].replace("\n", " ").strip()
    if len(first) > DETAILS_MAX:
        first = first[: DETAILS_MAX - 1].rsplit(" ", 1)[0] + "…"
    return f"{first}\n\n{url}" if first else url


def webcal_url(feed_url: str) -> str:
    """The feed's address with the webcal scheme, which calendar applications open as a subscription."""
    parts = urlsplit(feed_url)
    if parts.scheme not in {"http", "https"}:
        raise ValueError(f"a feed address must be http or https; got {feed_url!r}")
    return urlunsplit(("webcal", *parts[1:]))


def subscribe_links(feed_url: str, name: str) -> SubscribeLinks:
    webcal = webcal_url(feed_url)
    return SubscribeLinks(
        feed=feed_url,
        webcal=webcal,
        google=f"{GOOGLE_SUBSCRIBE}?{_query({'cid': webcal})}",
        outlook=f"{OUTLOOK_SUBSCRIBE}?{_query({'url': feed_url, 'name': name})}",
    )
