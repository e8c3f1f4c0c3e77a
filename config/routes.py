"""The whole URL map: each domain's routes, static files and health probes."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from starlette._utils import get_route_path
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, Mount, Route, Router
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from base.settings import Settings
from config import health
from consult.accounts.routes import routes as account_routes
from consult.analysis.routes import routes as analysis_routes
from consult.api.routes import routes as api_routes
from consult.calls.routes import routes as call_routes
from consult.comments.routes import routes as comment_routes
from consult.exports.routes import routes as export_routes
from consult.moderation.routes import routes as moderation_routes
from consult.pages.routes import routes as page_routes
from consult.privacy.routes import routes as privacy_routes
from consult.responses.routes import routes as response_routes
from core.notifications.compose import Site
from core.templating import build_environment
from events.routes import routes as session_routes

# Header navigation: (label, route name). An entry appears once its route exists, so the header
# never links to a page that is not there yet.
NAVIGATION = (
    ("Calls", "calls:list"),
    ("Sessions", "sessions:list"),
    ("Topics", "topics:list"),
)


def build_routes() -> list[BaseRoute]:
    """Every feature's routes (each feature has one `routes` module). Starlette takes the first
    route that matches, so order matters only where two patterns can match one path, and every
    such pair lies within one feature, whose module keeps it in order (e.g. /sessions/{slug}.ics
    before /sessions/{slug}). No path matches routes of two features, so the features' order
    here is free: /calls/{slug}/responses/export.{format} cannot reach the published responses,
    whose `{response_id:int}` only matches digits."""
    return [
        *page_routes,
        *account_routes,
        *privacy_routes,
        *call_routes,
        *response_routes,
        *comment_routes,
        *export_routes,
        *moderation_routes,
        *analysis_routes,
        *api_routes,
        *session_routes,
        Route("/healthz", health.healthz, name="healthz"),
        Route("/readyz", health.readyz, name="readyz"),
        Mount("/static", StaticFiles(packages=[("config", "static")]), name="static"),
    ]


def site_without_app(settings: Settings) -> Site:
    """The site for work done outside a web process (the scheduler command, demo data): its links
    follow the same route table the app serves."""
    return Site(settings, build_environment(), Router(routes=build_routes()).url_path_for)


def remember_url_paths(router: Router, size: int = 8192) -> None:
    """Keep the paths `url_for` finds. Starlette looks a name up by trying every route in turn
    (each miss raising an exception): about 0.4 ms a lookup with our routes, seven or more a
    page. The route table never changes once built, so a name and parameters always give the
    same path."""
    find: Callable[..., URLPath] = router.url_path_for

    @lru_cache(maxsize=size)
    def remembered(name: str, params: tuple[tuple[str, Any], ...]) -> URLPath:
        return find(name, **dict(params))

    def url_path_for(name: str, /, **path_params: Any) -> URLPath:
        try:
            return remembered(name, tuple(sorted(path_params.items())))
        except TypeError:  # an unhashable parameter: look it up as Starlette would
            return find(name, **path_params)

    router.url_path_for = url_path_for  # type: ignore[method-assign]


def _first_segment(path: str) -> str:
    return path.split("/", 2)[1] if path.startswith("/") else ""


class FirstSegmentRoutes:
    """The routes that can match a path, by its first segment, in the route table's order."""

    def __init__(self, routes: list[Route | Mount]) -> None:
        dynamic = [r for r in routes if "{" in _first_segment(r.path)]
        self.groups: dict[str, list[Route | Mount]] = {
            segment: [r for r in routes if r in dynamic or _first_segment(r.path) == segment]
            for segment in {_first_segment(route.path) for route in routes}
        }
        self.fallback = dynamic

    def candidates(self, path: str) -> list[Route | Mount]:
        return self.groups.get(_first_segment(path), self.fallback)


def route_by_first_segment(router: Router) -> None:
    """Try only the routes that can match a path's first segment. Starlette tries every route in
    turn (about 100 here, 0.7 ms a request, the largest cost of serving a cached feed). The routes
    tried keep their order, and routes whose first segment is a parameter are in every group, so
    the first full match is the one Starlette would find. Anything else (405, a slash to add,
    404) goes to Starlette's own loop, unchanged."""
    routes = [route for route in router.routes if isinstance(route, Route | Mount)]
    if len(routes) != len(router.routes):
        return  # a kind of route whose path we cannot read: leave routing as it is
    table = FirstSegmentRoutes(routes)
    everything = router.middleware_stack

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault("router", router)
            for route in table.candidates(get_route_path(scope)):
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope["route"] = route
                    scope.update(child_scope)
                    await route.handle(scope, receive, send)
                    return
        await everything(scope, receive, send)

    router.middleware_stack = app
