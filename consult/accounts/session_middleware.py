"""`request.session`: a visitor's kept in a signed cookie, a signed-in person's in the database.

The cookie is signed as Starlette's SessionMiddleware signs it (itsdangerous, base64 JSON). A
visitor's cookie carries the session itself: the CSRF token of the sign-in form, notices, the
pending second step of signing in. A signed-in person's cookie carries only `{"sid": token}`, and
the session's data lives in the `sign_in_session` row of that token (consult.accounts.sessions).
Ending the row ends every copy of the cookie at once: the next request with one is a visitor's,
with an empty session, so neither its pages nor its old CSRF token work any more.

Pages keep using `request.session` as a dict; what they change is written back to the row when
the response starts (only when something changed).
"""

from __future__ import annotations

import json
from base64 import b64decode, b64encode
from dataclasses import dataclass
from typing import Any, Literal

import itsdangerous
from itsdangerous.exc import BadSignature
from starlette.datastructures import MutableHeaders
from starlette.middleware.sessions import Session
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consult.accounts import sessions
from consult.accounts.sessions import Limits
from core.forms import csrf_token_for
from core.models import Person, SignInSession

SIGNED_IN = "sid"  # the one key of a signed-in person's cookie
SCOPE_KEY = "sign_in"


@dataclass
class SignIn:
    """The signed-in session of this request."""

    row: SignInSession
    token: str
    stored: str  # the data as the row holds it (JSON): written back only when it differs
    send_cookie: bool  # new, or just marked seen: (re)send the cookie so its Max-Age restarts


def limits_of(conn: HTTPConnection) -> Limits:
    settings = conn.app.state.settings  # read per request: a test may replace the settings
    return Limits.of(
        idle_minutes=settings.session_idle_minutes, max_hours=settings.session_max_hours
    )


def current_sign_in(conn: HTTPConnection) -> SignIn | None:
    sign_in = conn.scope.get(SCOPE_KEY)
    return sign_in if isinstance(sign_in, SignIn) else None


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


async def start_session(conn: HTTPConnection, person: Person, *, two_step: bool = False) -> None:
    """Sign `person` in: a new token and a new CSRF token, so nobody can fix either in advance.
    `two_step` says this session also gave the authenticator's code."""
    await end_session(conn)
    data: dict[str, Any] = {}
    csrf_token_for(data)  # made now, so two tabs opened at once do not each make their own
    token, row = await sessions.open_session(
        person,
        two_step=two_step,
        user_agent=conn.headers.get("user-agent", ""),
        data=data,
        now=conn.app.state.clock.now(),
    )
    row.person = person
    conn.scope[SCOPE_KEY] = SignIn(row, token, _dumps(data), send_cookie=True)
    conn.session.update(data)


async def end_session(conn: HTTPConnection) -> None:
    """Sign out of this session (if signed in) and empty `request.session`: what the page adds
    afterwards, such as a notice, goes into a visitor's cookie."""
    sign_in = conn.scope.pop(SCOPE_KEY, None)
    if isinstance(sign_in, SignIn):
        await sessions.end_session(sign_in.row.id)
    conn.session.clear()


class ServerSessionMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        secret_key: str,
        session_cookie: str,
        max_age: int,
        same_site: Literal["lax", "strict"] = "lax",
        https_only: bool = False,
    ) -> None:
        self.app = app
        self.signer = itsdangerous.TimestampSigner(secret_key)
        self.session_cookie = session_cookie
        self.max_age = max_age
        self.flags = f"httponly; samesite={same_site}" + ("; secure" if https_only else "")

    def _read(self, conn: HTTPConnection) -> dict[str, Any] | None:
        """The cookie's content, or None when there is none (or it is forged or too old)."""
        value = conn.cookies.get(self.session_cookie)
        if value is None:
            return None
        try:
            content = json.loads(b64decode(self.signer.unsign(value, max_age=self.max_age)))
        except (BadSignature, ValueError):
            return None
        return content if isinstance(content, dict) else None

    def _cookie(self, content: dict[str, Any] | None) -> str:
        if content is None:
            value, lasts = "null", "expires=Thu, 01 Jan 1970 00:00:00 GMT"
        else:
            signed = self.signer.sign(b64encode(json.dumps(content).encode()))
            value, lasts = signed.decode(), f"Max-Age={self.max_age}"
        return f"{self.session_cookie}={value}; path=/; {lasts}; {self.flags}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        content = self._read(conn)
        had_cookie = content is not None
        token = content.get(SIGNED_IN) if content is not None else None
        ended = False  # the cookie named a session that has ended: it is to be removed
        if isinstance(token, str):
            now = conn.app.state.clock.now()
            row = await sessions.active_session(token, limits_of(conn), now=now)
            if row is None:
                scope["session"], ended = Session(), True
            else:
                scope["session"] = Session(row.data)
                seen_now = row.last_seen_at == now  # active_session just wrote it
                scope[SCOPE_KEY] = SignIn(row, token, _dumps(row.data), send_cookie=seen_now)
        else:
            scope["session"] = Session(content or {})

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for cookie in await self._cookies_to_send(conn, had_cookie, ended):
                    headers.append("Set-Cookie", cookie)
                if had_cookie or scope["session"].accessed:
                    headers.add_vary_header("Cookie")
            await send(message)

        await self.app(scope, receive, send_wrapper)

    async def _cookies_to_send(
        self, conn: HTTPConnection, had_cookie: bool, ended: bool
    ) -> list[str]:
        session: Session = conn.scope["session"]
        sign_in = current_sign_in(conn)
        if sign_in is not None:
            if _dumps(session) != sign_in.stored:
                await sessions.save_data(sign_in.row, dict(session))
            return [self._cookie({SIGNED_IN: sign_in.token})] if sign_in.send_cookie else []
        if session and (session.modified or ended):
            return [self._cookie(dict(session))]
        if had_cookie and not session and (session.modified or ended):
            return [self._cookie(None)]
        return []
