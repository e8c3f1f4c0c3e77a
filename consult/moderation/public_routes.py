"""Routes of published responses: the public list, and "this was not me" on each response."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from consult.moderation import public_views as views

RESPONSE = "/calls/{slug}/responses/{response_id:int}"

routes: list[BaseRoute] = [
    Route("/calls/{slug}/responses/", views.published, name="responses:published"),
    Route(RESPONSE + "/not-me", views.not_me, methods=["GET", "POST"], name="responses:not_me"),
    Route(RESPONSE + "/not-me/sent", views.not_me_sent, name="responses:not_me_sent"),
]
