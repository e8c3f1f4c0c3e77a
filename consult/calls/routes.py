"""Routes of calls that are theirs alone (their public pages are in consult.pages): the Atom
feed, and the organisers' workspace for calls, where `/organise/calls/new` comes before the slug
routes."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from consult.calls import feed_views
from consult.calls import organise_views as views

GET_POST = ["GET", "POST"]
POST = ["POST"]
CALL = "/organise/calls/{slug}"
QUESTION = CALL + "/questions/{question_id:int}"

routes: list[BaseRoute] = [
    Route("/feeds/calls.atom", feed_views.calls_feed, name="feeds:calls"),
    # The organisers' workspace
    Route("/organise/calls", views.calls_list, name="organise:calls"),
    Route("/organise/calls/new", views.call_new, methods=GET_POST, name="organise:call_new"),
    Route(CALL, views.call_overview, name="organise:call"),
    Route(CALL + "/edit", views.call_edit, methods=GET_POST, name="organise:call_edit"),
    Route(CALL + "/publish", views.call_publish, methods=POST, name="organise:call_publish"),
    Route(CALL + "/outcome", views.call_outcome, methods=GET_POST, name="organise:call_outcome"),
    Route(
        CALL + "/questions/new", views.question_new, methods=GET_POST, name="organise:question_new"
    ),
    Route(QUESTION + "/edit", views.question_edit, methods=GET_POST, name="organise:question_edit"),
    Route(QUESTION + "/move", views.question_move, methods=POST, name="organise:question_move"),
    Route(
        QUESTION + "/delete", views.question_delete, methods=POST, name="organise:question_delete"
    ),
    Route(
        CALL + "/documents", views.document_upload, methods=POST, name="organise:document_upload"
    ),
    Route(
        CALL + "/documents/{attachment_id:int}/delete",
        views.document_delete,
        methods=POST,
        name="organise:document_delete",
    ),
]
