"""Public routes of calls."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from consult.calls import feed_views, views

routes: list[BaseRoute] = [
    Route("/calls/", views.call_list, name="calls:list"),
    Route("/calls/{slug}", views.call_detail, name="calls:detail"),
    Route(
        "/calls/{slug}/documents/{attachment_id:int}", views.call_document, name="calls:document"
    ),
    Route("/feeds/calls.atom", feed_views.calls_feed, name="feeds:calls"),
]
