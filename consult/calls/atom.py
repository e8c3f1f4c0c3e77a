"""The Atom feed of calls (RFC 4287), built from plain data with ElementTree: nothing is
concatenated by hand, so every title and summary is escaped by the XML writer. No I/O here."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
FEED_TITLE = "QIST Consult: calls for input"
FEED_SUBTITLE = (
    "New and updated calls for input of the US–UK partnership on quantum information science "
    "and technology."
)
# The updated time of a feed with no calls: fixed, so an empty feed keeps one ETag.
EMPTY_FEED_UPDATED = datetime(2026, 1, 1, tzinfo=UTC)
# Characters XML 1.0 cannot carry even escaped (most C0 controls): one pasted into a title would
# make the whole feed unreadable, so they are dropped.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class CallEntry:
    call_id: int
    title: str
    summary: str
    status: str  # the phase in words, with its dates: "Open for responses until …"
    outcome: str  # empty until the outcome is published
    url: str
    topic_slug: str
    topic_name: str
    published: datetime
    updated: datetime


def tag_uri(host: str, specific: str) -> str:
    """A tag URI (RFC 4151): an id that stays the same whatever the call's slug or title become."""
    return f"tag:{host},2026:{specific}"


def feed_updated(entries: Sequence[CallEntry]) -> datetime:
    """The feed's `updated`, also its Last-Modified: the newest entry's, or a fixed instant."""
    return max((entry.updated for entry in entries), default=EMPTY_FEED_UPDATED)


def atom_feed(entries: Sequence[CallEntry], *, host: str, self_url: str, calls_url: str) -> bytes:
    """The feed as UTF-8 bytes, with the entries in the order given (newest update first)."""
    # The namespace is declared once on the root and every name left unprefixed, as Atom is
    # usually written, without touching ElementTree's process-wide prefix registry.
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": "en-GB"})
    _text(feed, "id", tag_uri(host, "calls"))
    _text(feed, "title", FEED_TITLE)
    _text(feed, "subtitle", FEED_SUBTITLE)
    _text(feed, "updated", _instant(feed_updated(entries)))
    _link(feed, self_url, "self", "application/atom+xml")
    _link(feed, calls_url, "alternate", "text/html")
    author = ET.SubElement(feed, "author")
    _text(author, "name", "QIST Consult")
    _text(feed, "generator", "QIST Consult")
    for entry in entries:
        item = ET.SubElement(feed, "entry")
        _text(item, "id", tag_uri(host, f"call:{entry.call_id}"))
        _text(item, "title", entry.title)
        _link(item, entry.url, "alternate", "text/html")
        _text(item, "published", _instant(entry.published))
        _text(item, "updated", _instant(entry.updated))
        _element(item, "category", term=entry.topic_slug, label=entry.topic_name)
        _text(item, "summary", entry.summary)
        _text(item, "content", _content(entry), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _content(entry: CallEntry) -> str:
    parts = [entry.summary, entry.status]
    if entry.outcome:
        parts.append(f"Outcome:\n{entry.outcome}")
    return "\n\n".join(parts)


def _instant(value: datetime) -> str:
    """RFC 3339 in UTC, whole seconds: "2026-11-24T12:00:00Z"."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _element(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, tag, {k: NOT_XML.sub("", v) for k, v in attributes.items()})


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> None:
    _element(parent, tag, **attributes).text = NOT_XML.sub("", text)


def _link(parent: ET.Element, href: str, rel: str, kind: str) -> None:
    _element(parent, "link", href=href, rel=rel, type=kind)
