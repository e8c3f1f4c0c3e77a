"""The application factory: everything is built here from settings, nothing at import time."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.authentication import AuthenticationError
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from base.freshness import Freshness
from base.settings import Settings
from config import errors
from config.health import DatabaseWatch
from config.lifespan import build_lifespan
from config.routes import NAVIGATION, build_routes, remember_url_paths, route_by_first_segment
from config.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from consult.accounts.authentication import SessionBackend
from consult.accounts.passwords import use_hashing_profile
from consult.accounts.session_middleware import ServerSessionMiddleware
from consult.api.http import CorsForReads, ReadLimiter
from consult.api.problems import Problem
from consult.responses.services import CallClosed
from consult.responses.views import call_closed
from core.clock import Clock, SystemClock
from core.errors import Refused
from core.templating import build_templates
from core.web import RedirectTo
from events.calendar_views import FeedCache

SESSION_COOKIE = "qc_session"
# Over HTTPS the browser then only accepts the cookie from this host, sent Secure, on path "/":
# neither a sibling subdomain nor a plain-http page can plant or overwrite it.
SECURE_SESSION_COOKIE = "__Host-qc_session"


def _auth_error(conn: HTTPConnection, exc: AuthenticationError) -> Response:
    return PlainTextResponse(str(exc), status_code=400)


def create_app(settings: Settings, *, clock: Clock | None = None) -> Starlette:
    use_hashing_profile(settings.password_hashing)
    routes = build_routes()
    database_watch = DatabaseWatch()
    middleware = [
        Middleware(SecurityHeadersMiddleware, hsts=settings.https),
        Middleware(CorsForReads),
        Middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_mb * 1024 * 1024),
        Middleware(errors.RefuseNulCharacters),
        Middleware(errors.RefuseWhileDatabaseDown, watch=database_watch),
        # A visitor's session in a signed cookie, a signed-in person's in the database.
        Middleware(
            ServerSessionMiddleware,
            secret_key=str(settings.secret_key),
            session_cookie=SECURE_SESSION_COOKIE if settings.https else SESSION_COOKIE,
            max_age=settings.session_idle_minutes * 60,
            same_site="lax",
            https_only=settings.https,
        ),
        Middleware(AuthenticationMiddleware, backend=SessionBackend(), on_error=_auth_error),
    ]
    app = Starlette(
        debug=False,
        routes=routes,
        middleware=middleware,
        exception_handlers={
            HTTPException: errors.http_error,
            RedirectTo: errors.redirect_to,
            CallClosed: call_closed,
            Refused: errors.refused,
            PermissionError: errors.permission_refused,
            Problem: errors.api_problem,
            Exception: errors.server_error,
        },
        lifespan=build_lifespan(settings),
    )
    remember_url_paths(app.router)
    route_by_first_segment(app.router)
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.database_watch = database_watch
    app.state.templates = build_templates()
    app.state.api_read_limiter = ReadLimiter(
        settings.api_read_limit.attempts, settings.api_read_limit.seconds
    )
    app.state.calendar_cache = FeedCache()  # rendered feeds of this process, keyed by content
    app.state.freshness = Freshness(settings.public_freshness_seconds)
    names = {route.name for route in routes if isinstance(route, Route)}
    app.state.navigation = tuple((label, name) for label, name in NAVIGATION if name in names)
    return app
