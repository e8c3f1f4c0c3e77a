"""The whole URL map: each domain's routes, static files and health probes."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from config import health
from consult.routes import routes as consult_routes
from events.calendar_routes import routes as calendar_routes
from events.organise_routes import routes as organise_session_routes
from events.routes import routes as session_routes

# Header navigation: (label, route name). An entry appears once its route exists, so the header
# never links to a page that is not there yet.
NAVIGATION = (
    ("Calls", "calls:list"),
    ("Sessions", "sessions:list"),
    ("Topics", "topics:list"),
)


def build_routes() -> list[BaseRoute]:
    return [
        *consult_routes,
        # Feeds first: /sessions/{slug}.ics must win over the page route /sessions/{slug}.
        *calendar_routes,
        *session_routes,
        *organise_session_routes,
        Route("/healthz", health.healthz, name="healthz"),
        Route("/readyz", health.readyz, name="readyz"),
        Mount("/static", StaticFiles(packages=[("config", "static")]), name="static"),
    ]
