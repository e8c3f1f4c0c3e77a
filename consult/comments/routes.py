"""Routes of comments: posting and reporting on calls, and the organisers' moderation queue."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from consult.comments import views

routes: list[BaseRoute] = [
    Route(
        "/calls/{slug}/comments", views.post_comment, methods=["GET", "POST"], name="comments:post"
    ),
    Route("/calls/{slug}/comments/new", views.new_comment, name="comments:new"),
    Route(
        "/comments/{comment_id:int}/report",
        views.report_comment,
        methods=["GET", "POST"],
        name="comments:report",
    ),
    Route(
        "/organise/calls/{slug}/comments",
        views.moderation_queue,
        name="comments:moderation",
    ),
    Route(
        "/organise/calls/{slug}/comments/{comment_id:int}/moderate",
        views.moderate,
        methods=["POST"],
        name="comments:moderate",
    ),
]
