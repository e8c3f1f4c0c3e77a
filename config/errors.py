"""Error pages inside the layout, for every status we answer with, and never a stack trace."""

from __future__ import annotations

import logging
import math
import sqlite3
from http import HTTPStatus

import asyncpg
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from tortoise.exceptions import DBConnectionError, OperationalError

from config.logging import mask_secrets
from config.security import apply_security_headers, is_private_path
from config.web import RedirectTo
from consult.api.problems import Problem, from_problem, is_api_path, problem_response

log = logging.getLogger("consult.errors")

TITLES = {
    400: "Sorry, we could not understand that request",
    403: "You cannot do that",
    404: "Page not found",
    405: "That action is not available here",
    413: "That was too large to accept",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}

# A database that is down, restarting or dropped our connection: a 503 that asks to retry, never a
# 500. asyncpg's own errors reach us unwrapped when PostgreSQL restarts under load (measured by
# bench/surge.py): admin shutdown, "cannot connect now", connections closed mid-query, and the
# state mix-ups of a connection that broke while in use.
DATABASE_DOWN = (
    DBConnectionError,
    OperationalError,
    ConnectionError,
    sqlite3.OperationalError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return render_error(request, exc.status_code, exc.detail, dict(exc.headers or {}))


async def api_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return from_problem(exc)


async def permission_refused(request: Request, exc: Exception) -> Response:
    """A service's own permission check said no (the view's check passed a moment earlier, and
    something changed in between, such as the person leaving the call's team): 403, not 500."""
    log.warning(
        "permission refused on %s %s: %s", request.method, mask_secrets(request.url.path), exc
    )
    return render_error(request, 403, None, {})


async def redirect_to(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RedirectTo)
    return RedirectResponse(exc.url, status_code=303)


async def server_error(request: Request, exc: Exception) -> Response:
    """Last resort. A database that does not answer is a 503 with Retry-After, not a 500."""
    if isinstance(exc, DATABASE_DOWN):
        log.error("database unavailable: %s", exc)
        status, headers = 503, {"Retry-After": "5"}
    else:
        log.exception("unhandled error on %s %s", request.method, mask_secrets(request.url.path))
        status, headers = 500, {}
    response = render_error(request, status, None, headers)
    # This handler runs outside every middleware, so it sets the security headers itself.
    apply_security_headers(
        response.headers,
        hsts=request.app.state.settings.https,
        private=is_private_path(request.url.path),
    )
    return response


def render_error(
    request: Request, status: int, detail: str | None, headers: dict[str, str] | None
) -> Response:
    if is_api_path(request.url.path):
        return problem_response(status, detail, headers=headers)
    # Starlette puts the generic phrase in `detail` when none was given; only show our own words.
    generic = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    context = {
        "status": status,
        "title": TITLES.get(status, HTTPStatus(status).phrase),
        "detail": detail if detail and detail != generic else None,
        "retry_minutes": _minutes((headers or {}).get("Retry-After")),
    }
    response = request.app.state.templates.TemplateResponse(
        request, "errors/error.html", context, status_code=status
    )
    response.headers.update(headers or {})
    return response


def _minutes(retry_after: str | None) -> int | None:
    return (
        max(1, math.ceil(int(retry_after) / 60)) if retry_after and retry_after.isdigit() else None
    )
