"""The Atom feed of calls (RFC 4287), built from plain data with ElementTree: nothing is
concatenated by hand, so every title and summary is escaped by the XML writer."""

from __future__ import annotations

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


@dataclass(frozen=True)
class CallEntry:
    call_id: int
    title: str
    summary: str
    status: str  # in words, with dates: "Open for responses until …"
    outcome: str
    url: str
    topic_slug: str
    topic_name: str
    published: datetime
    updated: datetime


def tag_uri(host: str, specific: str) -> str:
    """A tag URI (RFC 4151): an id that stays the same whatever the call's slug or title become."""
    return f"tag:{host},2026:{specific}"


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _text(parent: ET.Element, name: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
    element.text = text
    return element


def _link(parent: ET.Element, href: str, rel: str, kind: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", {"href": href, "rel": rel, "type": kind})


def atom_feed(entries: Sequence[CallEntry], *, host: str, self_url: str, calls_url: str) -> bytes:
    """The feed as UTF-8 bytes, newest update first, as `entries` are given."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "en-GB"})
    _text(feed, "id", tag_uri(host, "calls"))
    _text(feed, "title", FEED_TITLE)
    _text(feed, "subtitle", FEED_SUBTITLE)
    updated = max((e.updated for e in entries), default=EMPTY_FEED_UPDATED)
    _text(feed, "updated", _instant(updated))
    _link(feed, self_url, "self", "application/atom+xml")
    _link(feed, calls_url, "alternate", "text/html")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "QIST Consult")
    _text(feed, "generator", "QIST Consult")
    for entry in entries:
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(item, "id", tag_uri(host, f"call:{entry.call_id}"))
        _text(item, "title", entry.title)
        _link(item, entry.url, "alternate", "text/html")
        _text(item, "published", _instant(entry.published))
        _text(item, "updated", _instant(entry.updated))
        ET.SubElement(
            item, f"{{{ATOM}}}category", {"term": entry.topic_slug, "label": entry.topic_name}
        )
        _text(item, "summary", entry.summary)
        content = f"{entry.summary}\n\n{entry.status}"
        if entry.outcome:
            content += f"\n\nOutcome:\n{entry.outcome}"
        _text(item, "content", content, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
