"""Markdown in, safe HTML out: render with markdown-it, then sanitise with nh3 (an allow-list)."""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


@cache
def _parser() -> MarkdownIt:
    # "js-default" ignores raw HTML in the source; nh3 still cleans the result.
    return MarkdownIt("js-default").enable("table")


def render_markdown(text: str) -> Markup:
    """HTML safe to put in a page: no scripts, no event handlers, only http(s)/mailto links."""
    html = _parser().render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)  # noqa: S704 - cleaned by nh3 just above
