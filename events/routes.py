"""Public session pages, registration, and one's own sessions and calendar address.

Mounted after the feed routes, so /sessions/{slug}.ics reaches the feed, not the page.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from events import views

routes: list[BaseRoute] = [
    Route("/sessions/", views.session_list, name="sessions:list"),
    Route("/sessions/{slug}", views.session_detail, name="sessions:detail"),
    Route("/sessions/{slug}/register", views.register, methods=["POST"], name="sessions:register"),
    Route("/sessions/{slug}/cancel", views.cancel, methods=["POST"], name="sessions:cancel"),
    Route("/account/sessions", views.my_sessions, name="account:sessions"),
    Route("/account/calendar", views.my_calendar, methods=["GET", "POST"], name="account:calendar"),
]
