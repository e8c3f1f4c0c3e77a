"""Every demonstration session, in the order they are created."""

from __future__ import annotations

from consult.demo.past_sessions import PAST_SESSIONS
from consult.demo.series import RESEARCH_SECURITY_DIALOGUE, STANDARDS_WORKING_GROUP
from consult.demo.session_specs import SessionSpec
from consult.demo.upcoming_sessions import UPCOMING_SESSIONS

SESSIONS: tuple[SessionSpec, ...] = (
    *PAST_SESSIONS,
    *UPCOMING_SESSIONS,
    RESEARCH_SECURITY_DIALOGUE,
    STANDARDS_WORKING_GROUP,
)
