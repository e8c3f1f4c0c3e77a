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
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise.exceptions import DBConnectionError, OperationalError

from config.health import DatabaseWatch
from config.logging import mask_secrets
from config.security import apply_security_headers, is_private_path
from consult.api.problems import Problem, from_problem, is_api_path, problem_response
from core.errors import Refused
from core.web import RedirectTo

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
# 500 (see RefuseWhileDatabaseDown). asyncpg's own errors reach us unwrapped when PostgreSQL
# restarts under load (measured by bench/surge.py): admin shutdown, "cannot connect now",
# connections closed mid-query, and the state mix-ups of a connection that broke while in use.
DATABASE_DOWN = (
    DBConnectionError,
    OperationalError,
    ConnectionError,
    sqlite3.OperationalError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    # The database is not there (dropped, renamed, being restored) or takes no more connections.
    asyncpg.exceptions.InvalidCatalogNameError,
    asyncpg.exceptions.TooManyConnectionsError,
)
# A value the database refused as malformed (a number out of its column's range, a NUL): the
# request's fault, not an outage. asyncpg raises its own DataError before sending a value, and
# Tortoise wraps PostgreSQL's (class 22) in its OperationalError; both would otherwise read as
# "database unavailable".
BAD_VALUE = (asyncpg.exceptions.DataError, asyncpg.exceptions._base.DataError)


def _bad_value(exc: BaseException) -> bool:
    return isinstance(exc, BAD_VALUE) or (
        isinstance(exc, OperationalError) and isinstance(exc.__cause__, BAD_VALUE)
    )


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return render_error(request, exc.status_code, exc.detail, dict(exc.headers or {}))


async def api_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return from_problem(exc)


async def refused(request: Request, exc: Exception) -> Response:
    """A service said no and no view showed it on a form: its status and message, as the error
    page or, under /api/, as problem+json. Never a 500."""
    assert isinstance(exc, Refused)
    return render_error(request, exc.status_code, exc.message, exc.headers())


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
    """Last resort: a 500 page. (A database that does not answer never gets here: see
    `RefuseWhileDatabaseDown`.)"""
    log.exception("unhandled error on %s %s", request.method, mask_secrets(request.url.path))
    response = render_error(request, 500, None, {})
    # This handler runs outside every middleware, so it sets the security headers itself.
    apply_security_headers(
        response.headers,
        hsts=request.app.state.settings.https,
        private=is_private_path(request.url.path),
    )
    return response


class RefuseWhileDatabaseDown:
    """A database that is down, restarting or dropped our connection: a 503 with Retry-After and
    one log line per refused request, never a 500 and never a traceback. (Starlette's
    last-resort handler re-raises for the server to log: 9,457 tracebacks in a 2.5 minute
    outage.) It wraps the session and authentication middleware, which read the database too.
    The `DatabaseWatch` logs the outage's start and end once each."""

    def __init__(self, app: ASGIApp, watch: DatabaseWatch) -> None:
        self.app = app
        self.watch = watch

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_noting_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_noting_start)
        except DATABASE_DOWN as exc:
            if started:  # half a response went out: nothing to replace it with
                raise
            if _bad_value(exc):
                status, headers, why = 400, {}, "a value the database cannot hold"
            else:
                self.watch.refused_request(exc)
                status, headers, why = 503, {"Retry-After": "5"}, "database unavailable"
            log.info(
                "refused %s %s with %d: %s (%s)",
                scope["method"],
                mask_secrets(scope["path"]),
                status,
                why,
                type(exc.__cause__ or exc).__name__,  # what Tortoise wrapped, if it did
            )
            await render_error(Request(scope), status, None, headers)(scope, receive, send)
        else:
            if self.watch.down:
                await self.watch.recheck()


class RefuseNulCharacters:
    """A NUL in the path or a query value is refused with 400 before any view runs: no stored
    value can hold one, and PostgreSQL refuses it in a query ("invalid byte sequence"). JSON
    bodies are checked by `consult.api.http.json_body`, naming the member."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in scope["query_string"]):
            request = Request(scope)
            names = [name for name, value in request.query_params.multi_items() if "\x00" in value]
            quote = "`{}`" if is_api_path(request.url.path) else "“{}”"  # code in API problems
            where = quote.format(names[0]) if names else "The address"
            await render_error(request, 400, f"{where} must not hold a NUL character.", {})(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)


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
