"""Routing: the first-segment dispatch finds the route Starlette's own loop would, for every
route in the table; URL paths looked up once are the same when remembered."""

from __future__ import annotations

import re

from starlette.routing import Match, Mount, Route, Router

from config.routes import FirstSegmentRoutes, build_routes, remember_url_paths

PARAM = re.compile(r"{(\w+)(?::(\w+))?}")


def sample_path(path: str) -> str:
    return PARAM.sub(lambda m: "7" if m.group(2) == "int" else "sample", path)


def first_full_match(routes: list[Route | Mount], path: str, method: str) -> Route | Mount | None:
    scope = {"type": "http", "path": path, "root_path": "", "method": method}
    for route in routes:
        if route.matches(scope)[0] is Match.FULL:
            return route
    return None


def test_every_route_is_found_by_first_segment_as_by_trying_them_all() -> None:
    routes = [r for r in build_routes() if isinstance(r, Route | Mount)]
    table = FirstSegmentRoutes(routes)
    checked = 0
    for route in routes:
        path = sample_path(route.path) if isinstance(route, Route) else route.path + "/site.css"
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            expected = first_full_match(routes, path, method)
            assert first_full_match(table.candidates(path), path, method) is expected, path
            checked += 1
    assert checked > 100


def test_remembered_url_paths_are_the_ones_starlette_builds() -> None:
    plain, remembering = Router(build_routes()), Router(build_routes())
    remember_url_paths(remembering)
    for name, params in (
        ("account:home", {}),
        ("calls:detail", {"slug": "quantum-standards"}),
        ("calls:detail", {"slug": "supply-chain"}),
        ("static", {"path": "css/site.css"}),
    ):
        for _ in range(2):
            assert remembering.url_path_for(name, **params) == plain.url_path_for(name, **params)
