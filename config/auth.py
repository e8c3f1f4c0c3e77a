"""Who is signed in: the person id and auth version kept in the signed session cookie."""

from __future__ import annotations

from datetime import datetime

from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.requests import HTTPConnection

from consult.models import Person

SESSION_PERSON = "person_id"
SESSION_AUTH_VERSION = "auth_version"
SESSION_STARTED = "signed_in_at"  # POSIX seconds: a session ends SESSION_MAX_HOURS after sign-in


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
        scopes = ["authenticated", str(person.role)] + (["verified"] if person.is_verified else [])
        return AuthCredentials(scopes), person  # type: ignore[return-value]


def start_session(session: dict, person: Person, now: datetime) -> None:
    """Sign in: a fresh session (new CSRF token) so an attacker cannot fix one in advance."""
    session.clear()
    session[SESSION_PERSON] = person.id
    session[SESSION_AUTH_VERSION] = person.auth_version
    session[SESSION_STARTED] = int(now.timestamp())
