"""Access to the organiser workspace, shared by its views: who may enter, and which call they act on."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request

from consult.calls.models import Call
from core.models import Person
from core.permissions import Action, may
from core.web import read_form, signed_in_person


async def workspace_person(request: Request, action: Action = Action.USE_WORKSPACE) -> Person:
    """The signed-in organiser or admin (visitors go to sign-in; anyone else gets 403)."""
    person = signed_in_person(request)
    if not await may(person, action):
        raise HTTPException(403, "Only organisers and admins can use the workspace.")
    return person


async def team_call(request: Request, person: Person, action: Action, refusal: str) -> Call:
    """The call named in the path, if `person` may do `action` to it (a POST's token first)."""
    if request.method == "POST":
        await read_form(request)
    call = await Call.filter(slug=request.path_params["slug"]).select_related("topic").first()
    if call is None:
        raise HTTPException(404)
    if not await may(person, action, call):
        raise HTTPException(403, refusal)
    return call
