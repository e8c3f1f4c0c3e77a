"""The one answer to "may this person do this to this object?". Every workspace route asks it."""

from __future__ import annotations

from enum import StrEnum

from consult.calls.models import Call
from consult.models import Person
from consult.vocabulary import Role


class Action(StrEnum):
    CREATE_CALL = "create_call"
    EDIT_CALL = "edit_call"
    MODERATE = "moderate"
    READ_RESPONSES = "read_responses"


async def may(person: Person | None, action: Action, call: Call | None = None) -> bool:
    """Admins may do everything; organisers act on calls whose team they are in; nobody else."""
    if person is None or not person.is_active:
        return False
    if person.role == Role.ADMIN:
        return True
    if person.role != Role.ORGANISER:
        return False
    if action == Action.CREATE_CALL:
        return True
    if call is None:
        return False
    return await call.team.filter(id=person.id).exists()
