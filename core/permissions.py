"""The one answer to "may this person do this to this object?". Every workspace route asks it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol

from core.models import Person
from core.vocabulary import Role


class Action(StrEnum):
    CREATE_CALL = "create_call"
    EDIT_CALL = "edit_call"
    MODERATE = "moderate"
    READ_RESPONSES = "read_responses"
    CREATE_SESSION = "create_session"
    EDIT_SESSION = "edit_session"
    SEE_ATTENDEES = "see_attendees"
    USE_WORKSPACE = "use_workspace"
    READ_AUDIT = "read_audit"


# What any organiser may do without naming a call or session: start one, open the workspace.
CREATING = {Action.CREATE_CALL, Action.CREATE_SESSION, Action.USE_WORKSPACE}
# What only admins may do, whatever the subject.
ADMINISTERING = {Action.READ_AUDIT}


class Teamed(Protocol):
    """A call or a session: something organised by a team of people."""

    team: Any


async def may(person: Person | None, action: Action, subject: Teamed | None = None) -> bool:
    """Admins may do everything; organisers act on calls and sessions whose team they are in.
    Neither may do anything while they owe two-step sign-in (TWO_STEP_REQUIRED)."""
    if person is None or not person.is_active or person.needs_two_step_setup:
        return False
    if person.role == Role.ADMIN:
        return True
    if person.role != Role.ORGANISER or action in ADMINISTERING:
        return False
    if action in CREATING:
        return True
    if subject is None:
        return False
    return bool(await subject.team.filter(id=person.id).exists())
