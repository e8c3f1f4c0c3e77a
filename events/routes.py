"""Routes of this area (filled in by the work on it)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
