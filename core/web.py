"""Small helpers views share: render, read a CSRF-checked form, require a signed-in person."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, TypeVar

from python_multipart.exceptions import FormParserError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import Form

from base.settings import Settings
from core.forms import CSRF_FIELD, csrf_matches
from core.models import Person
from core.ratelimit import RateLimited

FormT = TypeVar("FormT", bound=Form)


WORKSPACE = "/organise/"


class RedirectTo(Exception):
    """Raised by helpers that must send the browser elsewhere (e.g. to sign in first)."""

    def __init__(self, url: str) -> None:
        self.url = url


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def now(request: Request) -> datetime:
    return request.app.state.clock.now()


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> Response:
    return request.app.state.templates.TemplateResponse(
        request, template, context or {}, status_code=status
    )


def redirect(request: Request, route: str, **params: Any) -> RedirectResponse:
    """303 See Other to a named route: the browser follows with GET after a POST."""
    return RedirectResponse(request.url_for(route, **params).path, status_code=303)


def notify(request: Request, message: str) -> None:
    """A one-line notice shown at the top of the next page (e.g. "Your profile was saved")."""
    request.session["notices"] = [*request.session.get("notices", []), message]


async def parse_form(request: Request, *, max_files: int = 0) -> FormData:
    """The submitted form WITHOUT a CSRF check (400 if unreadable). Only for a POST whose
    credential is in its URL, such as a one-click unsubscribe; everything else uses read_form."""
    try:
        return await request.form(max_files=max_files, max_fields=200)
    except (FormParserError, UnicodeDecodeError, ValueError):
        raise HTTPException(400, "The form could not be read.") from None


async def read_form(request: Request, *, max_files: int = 0) -> FormData:
    """The submitted form, after checking its CSRF token: 400 if unreadable, 403 if forged."""
    form = await parse_form(request, max_files=max_files)
    if not csrf_matches(request.session, form.get(CSRF_FIELD)):
        raise HTTPException(403, "This form has expired or did not come from this site.")
    return form


async def bind_form(
    request: Request, form_class: type[FormT], *, max_files: int = 0, **kwargs: Any
) -> FormT:
    """A form bound to the posted data (after the CSRF check) or, for GET, to `kwargs` defaults."""
    formdata = await read_form(request, max_files=max_files) if request.method == "POST" else None
    return form_class(formdata, meta={"csrf_context": request.session}, **kwargs)


def client_address(request: Request) -> str:
    # uvicorn's proxy-headers support has already applied FORWARDED_ALLOW_IPS to this value.
    return request.client.host if request.client else "unknown"


def current_person(request: Request) -> Person | None:
    """The signed-in person, or None for a visitor."""
    user = request.scope.get("user")
    return user if isinstance(user, Person) else None


def _here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def signed_in_person(request: Request) -> Person:
    """The signed-in person; anyone else is sent to sign in and brought back afterwards."""
    person = current_person(request)
    if person is None:
        raise RedirectTo(f"{request.url_for('account:signin').path}?next={_here(request)}")
    send_to_two_step_setup_if_owed(request, person)
    return person


def send_to_two_step_setup_if_owed(request: Request, person: Person) -> None:
    """In the workspace, an organiser or admin who owes two-step sign-in goes to set it up (and
    `may()` refuses them anyway, wherever they are)."""
    if person.needs_two_step_setup and request.url.path.startswith(WORKSPACE):
        notify(request, "Set up two-step sign-in to use the workspace.")
        # After a refused POST the way back is the workspace home (a form page may need an id).
        back = _here(request) if request.method == "GET" else WORKSPACE
        raise RedirectTo(f"{request.url_for('account:two_step').path}?next={back}")


def require_admin(request: Request) -> Person:
    person = signed_in_person(request)
    if not person.is_admin or person.needs_two_step_setup:
        raise HTTPException(403, "Only administrators can use this page.")
    return person


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths may be redirect targets (no //evil.example or https://…)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def too_many(
    request: Request, template: str, context: dict[str, object], exc: RateLimited
) -> Response:
    """The form again with a 429, a Retry-After header and "try again in N minutes"."""
    minutes = max(1, math.ceil(exc.retry_after / 60))
    response = render(request, template, {**context, "retry_minutes": minutes}, status=429)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def whole_number(text: str | None, *, max_digits: int = 9) -> int | None:
    """A small non-negative integer typed in a URL, or None. ASCII digits only: "²".isdigit()
    is true, but int() refuses it, and a query string must never cause a 500."""
    if text and len(text) <= max_digits and text.isascii() and text.isdigit():
        return int(text)
    return None


def page_number(request: Request) -> int:
    """The `?page=` of a list, 1 when absent or not a number."""
    return whole_number(request.query_params.get("page"), max_digits=6) or 1
