"""Routes for answering a call and for one's own responses."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from consult.responses import views

GET_POST = ["GET", "POST"]

routes: list[BaseRoute] = [
    Route("/calls/{slug}/respond", views.start, methods=GET_POST, name="responses:start"),
    Route(
        "/calls/{slug}/respond/details", views.details, methods=GET_POST, name="responses:details"
    ),
    Route(
        "/calls/{slug}/respond/answers", views.answers, methods=GET_POST, name="responses:answers"
    ),
    Route(
        "/calls/{slug}/respond/files/{attachment_id:int}/delete",
        views.remove_file,
        methods=["POST"],
        name="responses:remove_file",
    ),
    Route("/calls/{slug}/respond/check", views.check, name="responses:check"),
    Route("/calls/{slug}/respond/submit", views.submit, methods=["POST"], name="responses:submit"),
    Route("/responses/{tracking}", views.receipt, name="responses:receipt"),
    Route(
        "/responses/{tracking}/files/{attachment_id:int}",
        views.response_file,
        name="responses:file",
    ),
    Route(
        "/responses/{tracking}/withdraw",
        views.withdraw,
        methods=GET_POST,
        name="responses:withdraw",
    ),
]
