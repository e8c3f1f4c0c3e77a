"""Public routes of calls that are theirs alone (their pages are in consult.pages)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from consult.calls import feed_views

routes: list[BaseRoute] = [
    Route("/feeds/calls.atom", feed_views.calls_feed, name="feeds:calls"),
]
