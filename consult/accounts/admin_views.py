"""Admin pages for people: find an account, change its role, turn off its two-step sign-in."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from consult.accounts import services, two_step
from consult.accounts.forms import ConfirmForm, RoleForm
from core.errors import FieldProblem
from core.models import Person
from core.queries import people_matching
from core.vocabulary import Role
from core.web import bind_form, notify, page_number, redirect, render, require_admin


async def people(request: Request) -> Response:
    require_admin(request)
    search = request.query_params.get("q", "").strip()[:100]
    page = await people_matching(search, page=page_number(request))
    return render(request, "accounts/admin/people.html", {"page": page, "search": search})


async def _person(request: Request) -> Person:
    person = await Person.get_or_none(id=request.path_params["person_id"])
    if person is None:
        raise HTTPException(404)
    return person


async def person_role(request: Request) -> Response:
    admin = require_admin(request)
    person = await _person(request)
    form = await bind_form(request, RoleForm, role=str(person.role))
    if request.method == "POST" and form.validate():
        try:
            changed = await services.change_role(admin, person, Role(form.role.data))
        except FieldProblem as problem:
            form.add_field_error(problem.field, problem.message)
        else:
            if changed:
                notify(
                    request, f"{person.display_name} is now {Role(form.role.data).label.lower()}."
                )
            return redirect(request, "admin:people")
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "person": person,
        "two_step_form": ConfirmForm(meta={"csrf_context": request.session}),
    }
    return render(request, "accounts/admin/role.html", context, status=status)


async def person_two_step_off(request: Request) -> Response:
    """For someone who lost both their phone and their recovery codes (after the admin has made
    sure, outside the service, that it is really them asking)."""
    admin = require_admin(request)
    await bind_form(request, ConfirmForm)
    person = await _person(request)
    if person.uses_two_step:
        await two_step.turn_off_for(person, actor=admin, via="admin")
        notify(request, f"Two-step sign-in is off for {person.display_name}.")
    return redirect(request, "admin:person_role", person_id=person.id)
