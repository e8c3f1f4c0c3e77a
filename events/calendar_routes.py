"""Calendar feed URLs (SPEC §5: stable, subscriptions depend on them).

They come before the session pages, so /sessions/{slug}.ics reaches the feed. Each `{…}` stops
before the `.ics` suffix: the path pattern ends in a literal `\\.ics$`.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from events import calendar_views

routes: list[BaseRoute] = [
    Route("/calendar/all.ics", calendar_views.all_calendar, name="calendar:all"),
    Route("/calendar/topics/{slug}.ics", calendar_views.topic_calendar, name="calendar:topic"),
    Route("/calendar/me/{token}.ics", calendar_views.personal_calendar, name="calendar:personal"),
    Route("/sessions/{slug}.ics", calendar_views.session_calendar, name="calendar:session"),
]
