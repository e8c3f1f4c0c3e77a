"""Routes of the public pages: home, topics, the list of calls and a call's page."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from consult.pages import call_views, views

routes: list[BaseRoute] = [
    Route("/", views.home, name="home"),
    Route("/topics/", views.topic_list, name="topics:list"),
    Route("/topics/{slug}", views.topic_detail, name="topics:detail"),
    Route("/calls/", call_views.call_list, name="calls:list"),
    Route("/calls/{slug}", call_views.call_detail, name="calls:detail"),
    Route(
        "/calls/{slug}/documents/{attachment_id:int}",
        call_views.call_document,
        name="calls:document",
    ),
]
