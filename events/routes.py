"""Routes of sessions: calendar feeds, public session pages with registration, one's own sessions
and calendar address, and the organisers' workspace for sessions.

Feed URLs are stable (SPEC §5: subscriptions depend on them) and come first, so
/sessions/{slug}.ics reaches the feed, not the page: each `{…}` stops before the `.ics` suffix,
the path pattern ends in a literal `\\.ics$`. `/organise/sessions/new` comes before the slug
routes; an occurrence is named by `occurrence_key` of its original start, e.g.
2027-03-10T15:00:00Z.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from events import calendar_views, organise_views, views

GET_POST = ["GET", "POST"]
POST = ["POST"]
SESSION = "/organise/sessions/{slug}"
OCCURRENCE = SESSION + "/occurrences/{key}"

routes: list[BaseRoute] = [
    # Calendar feeds, before the session pages
    Route("/calendar/all.ics", calendar_views.all_calendar, name="calendar:all"),
    Route("/calendar/topics/{slug}.ics", calendar_views.topic_calendar, name="calendar:topic"),
    Route("/calendar/me/{token}.ics", calendar_views.personal_calendar, name="calendar:personal"),
    Route("/sessions/{slug}.ics", calendar_views.session_calendar, name="calendar:session"),
    # Public session pages and one's own
    Route("/sessions/", views.session_list, name="sessions:list"),
    Route("/sessions/{slug}", views.session_detail, name="sessions:detail"),
    Route("/sessions/{slug}/register", views.register, methods=["POST"], name="sessions:register"),
    Route("/sessions/{slug}/cancel", views.cancel, methods=["POST"], name="sessions:cancel"),
    Route("/account/sessions", views.my_sessions, name="account:sessions"),
    Route("/account/calendar", views.my_calendar, methods=["GET", "POST"], name="account:calendar"),
    # The organisers' workspace
    Route("/organise/sessions", organise_views.sessions_list, name="organise_sessions:list"),
    Route(
        "/organise/sessions/new",
        organise_views.session_new,
        methods=GET_POST,
        name="organise_sessions:new",
    ),
    Route("/organise/slots", organise_views.slot_finder, name="organise_sessions:slots"),
    Route(SESSION, organise_views.session_overview, name="organise_sessions:overview"),
    Route(
        SESSION + "/edit",
        organise_views.session_edit,
        methods=GET_POST,
        name="organise_sessions:edit",
    ),
    Route(
        SESSION + "/cancel",
        organise_views.session_cancel,
        methods=GET_POST,
        name="organise_sessions:cancel",
    ),
    Route(SESSION + "/attendees", organise_views.attendees, name="organise_sessions:attendees"),
    Route(
        SESSION + "/attendees.csv",
        organise_views.attendees_download,
        name="organise_sessions:attendees_csv",
    ),
    Route(
        OCCURRENCE + "/cancel",
        organise_views.occurrence_cancel,
        methods=GET_POST,
        name="organise_sessions:occurrence_cancel",
    ),
    Route(
        OCCURRENCE + "/move",
        organise_views.occurrence_move,
        methods=GET_POST,
        name="organise_sessions:occurrence_move",
    ),
]
