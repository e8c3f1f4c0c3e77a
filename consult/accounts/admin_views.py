"""Admin pages for people: find an account, change its role."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from config.web import bind_form, notify, page_number, redirect, render, require_admin
from consult.accounts import services
from consult.accounts.services import FieldProblem
from consult.models import Person
from consult.queries import people_matching
from consult.vocabulary import Role
from forms.accounts import RoleForm


async def people(request: Request) -> Response:
    require_admin(request)
    search = request.query_params.get("q", "").strip()[:100]
    page = await people_matching(search, page=page_number(request))
    return render(request, "accounts/admin/people.html", {"page": page, "search": search})


async def person_role(request: Request) -> Response:
    admin = require_admin(request)
    person_id = request.path_params["person_id"]
    person = await Person.get_or_none(id=person_id)
    if person is None:
        raise HTTPException(404)
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
    return render(
        request, "accounts/admin/role.html", {"form": form, "person": person}, status=status
    )
