"""Routes of the organiser workspace for sessions. `/organise/sessions/new` comes before the slug
routes; an occurrence is named by `occurrence_key` of its original start, e.g. 2027-03-10T15:00:00Z.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from events import organise_views as views

GET_POST = ["GET", "POST"]
POST = ["POST"]
SESSION = "/organise/sessions/{slug}"
OCCURRENCE = SESSION + "/occurrences/{key}"

routes: list[BaseRoute] = [
    Route("/organise/sessions", views.sessions_list, name="organise_sessions:list"),
    Route(
        "/organise/sessions/new", views.session_new, methods=GET_POST, name="organise_sessions:new"
    ),
    Route("/organise/slots", views.slot_finder, name="organise_sessions:slots"),
    Route(SESSION, views.session_overview, name="organise_sessions:overview"),
    Route(SESSION + "/edit", views.session_edit, methods=GET_POST, name="organise_sessions:edit"),
    Route(
        SESSION + "/cancel", views.session_cancel, methods=GET_POST, name="organise_sessions:cancel"
    ),
    Route(SESSION + "/attendees", views.attendees, name="organise_sessions:attendees"),
    Route(
        SESSION + "/attendees.csv",
        views.attendees_download,
        name="organise_sessions:attendees_csv",
    ),
    Route(
        OCCURRENCE + "/cancel",
        views.occurrence_cancel,
        methods=GET_POST,
        name="organise_sessions:occurrence_cancel",
    ),
    Route(
        OCCURRENCE + "/move",
        views.occurrence_move,
        methods=GET_POST,
        name="organise_sessions:occurrence_move",
    ),
]
