"""Who is signed in: the person id and auth version kept in the signed session cookie."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.requests import HTTPConnection

from consult.accounts.two_step import must_set_up
from consult.models import Person

SESSION_PERSON = "person_id"
SESSION_AUTH_VERSION = "auth_version"
SESSION_STARTED = "signed_in_at"  # POSIX seconds: a session ends SESSION_MAX_HOURS after sign-in
# Set when the person passed two-step sign-in (or turned it on) in this session.
SESSION_TWO_STEP = "two_step"


class SessionBackend(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        person_id = conn.session.get(SESSION_PERSON)
        if not isinstance(person_id, int):
            return None
        started = conn.session.get(SESSION_STARTED)
        lifetime = conn.app.state.settings.session_max_hours * 3600
        now = conn.app.state.clock.now().timestamp()
        # The cookie is renewed with every response (the idle timeout); this is the absolute one.
        if not isinstance(started, int | float) or not started <= now < started + lifetime:
            conn.session.clear()
            return None
        person = await Person.get_or_none(id=person_id, is_active=True)
        # A password change raises auth_version: every session opened before it ends here.
        if person is None or person.auth_version != conn.session.get(SESSION_AUTH_VERSION):
            conn.session.clear()
            return None
        # Turning two-step sign-in on ends every session that only gave the password.
        if person.uses_two_step and conn.session.get(SESSION_TWO_STEP) is not True:
            conn.session.clear()
            return None
        person.needs_two_step_setup = must_set_up(
            person, required=conn.app.state.settings.two_step_required
        )
        scopes = ["authenticated", str(person.role)] + (["verified"] if person.is_verified else [])
        return AuthCredentials(scopes), person  # type: ignore[return-value]


def start_session(session: dict, person: Person, now: datetime, *, two_step: bool = False) -> None:
    """Sign in: a fresh session (new CSRF token) so an attacker cannot fix one in advance.
    `two_step` says the person also gave their authenticator's code."""
    session.clear()
    session[SESSION_PERSON] = person.id
    session[SESSION_AUTH_VERSION] = person.auth_version
    session[SESSION_STARTED] = int(now.timestamp())
    if two_step:
        session[SESSION_TWO_STEP] = True


def mark_two_step_passed(session: dict) -> None:
    """The person turned two-step sign-in on in this session: it stays signed in."""
    session[SESSION_TWO_STEP] = True


# Between a right password and the authenticator's code: who, and where they were going.
SESSION_PENDING = "two_step_pending"
PENDING_SECONDS = 300


def begin_second_step(session: dict, person: Person, now: datetime, next_url: str) -> None:
    """The password was right and the person uses two-step sign-in: not signed in yet."""
    session.clear()
    session[SESSION_PENDING] = {
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
