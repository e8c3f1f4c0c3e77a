"""Who is signed in: the person of this request's signed-in session (consult.accounts.session_middleware)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.requests import HTTPConnection

from consult.accounts.session_middleware import current_sign_in, end_session
from consult.accounts.two_step import must_set_up
from core.models import Person


class SessionBackend(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        # The middleware found the session active (not ended, idle or past SESSION_MAX_HOURS).
        sign_in = current_sign_in(conn)
        if sign_in is None:
            return None
        person: Person = sign_in.row.person
        # Turning two-step sign-in on ends the person's other sessions; this holds it if one
        # slipped through (a request in flight at that moment).
        if not person.is_active or (person.uses_two_step and not sign_in.row.two_step):
            await end_session(conn)
            return None
        person.needs_two_step_setup = must_set_up(
            person, required=conn.app.state.settings.two_step_required
        )
        scopes = ["authenticated", str(person.role)] + (["verified"] if person.is_verified else [])
        return AuthCredentials(scopes), person  # type: ignore[return-value]


# Between a right password and the authenticator's code: who, and where they were going. Kept in
# the visitor's cookie: nobody is signed in yet.
SESSION_PENDING = "two_step_pending"
PENDING_SECONDS = 300


async def begin_second_step(
    conn: HTTPConnection, person: Person, now: datetime, next_url: str
) -> None:
    """The password was right and the person uses two-step sign-in: not signed in yet (and no
    longer signed in as anyone else in this browser)."""
    await end_session(conn)
    conn.session[SESSION_PENDING] = {
        "id": secrets.token_urlsafe(16),  # wrong codes are counted per pending sign-in
        "person": person.id,
        "auth_version": person.auth_version,
        "at": int(now.timestamp()),
        "next": next_url,
    }


def pending_second_step(session: dict, now: datetime) -> dict[str, Any] | None:
    """The password step this session passed in the last PENDING_SECONDS, or None."""
    pending = session.get(SESSION_PENDING)
    if not isinstance(pending, dict):
        return None
    at = pending.get("at")
    if not isinstance(at, int) or not at <= now.timestamp() < at + PENDING_SECONDS:
        session.pop(SESSION_PENDING, None)
        return None
    return pending
