"""Pages of two-step sign-in: setting it up, the code step of signing in, new recovery codes and
turning it off. The rules are in two_step.py."""

from __future__ import annotations

import segno
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from consult.accounts import two_step
from consult.accounts.authentication import SESSION_PENDING, pending_second_step
from consult.accounts.session_middleware import start_session
from consult.accounts.two_step import Enrolment, WrongCode
from consult.accounts.two_step_forms import AppCodeForm, SignInCodeForm, TurnOffForm
from core.models import Person
from core.ratelimit import RateLimited
from core.web import (
    bind_form,
    notify,
    now,
    redirect,
    render,
    safe_next,
    settings_of,
    signed_in_person,
    too_many,
)

# The key being set up, sealed (consult.accounts.sealing), until the person confirms a code.
SESSION_ENROLMENT = "two_step_enrolment"
WRONG_APP_CODE = "That code is not right. Type the 6 digits your app shows now."
WRONG_CODE = "That code is not right, or was used already. Type the newest code your app shows, or an unused recovery code."


def _secret(request: Request) -> str:
    return str(settings_of(request).secret_key)


def _next(request: Request) -> str:
    return safe_next(request.query_params.get("next"), request.url_for("account:home").path)


def qr_code(enrolment: Enrolment) -> Markup:
    """The key's otpauth:// address as an inline SVG QR code (no image request, no script)."""
    svg = segno.make(enrolment.uri, error="m").svg_inline(
        scale=4,
        border=4,
        dark="#0b0c0c",
        light="#ffffff",
        title="QR code of your key",
        svgclass="qr-code",
    )
    # segno writes only path data and our fixed title: nothing a person typed reaches the markup.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704


async def set_up(request: Request) -> Response:
    """Set up two-step sign-in, or see how it stands when it is on."""
    person = signed_in_person(request)
    if person.uses_two_step:
        return await _status(request, person, await bind_form(request, SignInCodeForm))
    enrolment = two_step.reopen_enrolment(
        _secret(request), person, request.session.get(SESSION_ENROLMENT)
    )
    if enrolment is None:
        enrolment = two_step.new_enrolment(_secret(request), person)
        request.session[SESSION_ENROLMENT] = enrolment.sealed
    form = await bind_form(request, AppCodeForm)
    if request.method == "POST" and form.validate():
        try:
            codes = await two_step.turn_on(
                _secret(request), person, enrolment, form.code.data or "", now=now(request)
            )
        except WrongCode:
            form.add_field_error("code", WRONG_APP_CODE)
        else:
            # turn_on ended every session of the person: this one carries on in a new one.
            await start_session(request, person, two_step=True)
            return render(
                request,
                "accounts/two_step_codes.html",
                {"codes": codes, "next": _next(request), "first_time": True},
            )
    context = {
        "form": form,
        "enrolment": enrolment,
        "qr_code": qr_code(enrolment),
        "required": two_step.must_set_up(person, required=settings_of(request).two_step_required),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/two_step_setup.html", context, status=status)


async def _status(
    request: Request, person: Person, form: SignInCodeForm, *, status: int = 200
) -> Response:
    context = {
        "person": person,
        "form": form,
        "codes_left": await two_step.recovery_codes_left(person),
    }
    return render(request, "accounts/two_step_status.html", context, status=status)


async def renew_recovery_codes(request: Request) -> Response:
    """New recovery codes (the old ones stop working), after proving the second step again."""
    person = signed_in_person(request)
    form = await bind_form(request, SignInCodeForm)
    if not person.uses_two_step:
        return redirect(request, "account:two_step")
    if form.validate():
        settings, moment = settings_of(request), now(request)
        try:
            await two_step.check_code(
                _secret(request),
                person,
                form.code.data or "",
                attempt=f"renew:{person.id}",
                limit=settings.signin_limit,
                ceiling=settings.signin_account_limit,
                now=moment,
            )
        except RateLimited as exc:
            context = {
                "person": person,
                "form": form,
                "codes_left": await two_step.recovery_codes_left(person),
            }
            return too_many(request, "accounts/two_step_status.html", context, exc)
        except WrongCode:
            form.add_field_error("code", WRONG_CODE)
        else:
            codes = await two_step.renew_recovery_codes(person, now=moment)
            return render(
                request,
                "accounts/two_step_codes.html",
                {
                    "codes": codes,
                    "next": request.url_for("account:two_step").path,
                    "first_time": False,
                },
            )
    return await _status(request, person, form, status=400)


async def turn_off(request: Request) -> Response:
    person = signed_in_person(request)
    form = await bind_form(request, TurnOffForm)
    if not person.uses_two_step:
        return redirect(request, "account:two_step")
    if request.method == "POST" and form.validate():
        try:
            await two_step.turn_off(person, form.password.data or "")
        except WrongCode:
            form.add_field_error("password", "Your password is not right.")
        else:
            await start_session(request, person)  # turn_off ended every session, this one too
            notify(request, "Two-step sign-in is off. Your recovery codes no longer work.")
            return redirect(request, "account:home")
    required = settings_of(request).two_step_required and person.role in two_step.REQUIRED_OF
    status = 400 if request.method == "POST" else 200
    return render(
        request, "accounts/two_step_off.html", {"form": form, "required": required}, status=status
    )


async def sign_in_code(request: Request) -> Response:
    """The second step of signing in: the authenticator's code, or a recovery code."""
    moment = now(request)
    form = await bind_form(request, SignInCodeForm)  # a forged POST is refused before anything
    pending = pending_second_step(request.session, moment)
    person = None
    if pending is not None:
        person = await Person.get_or_none(id=pending["person"], is_active=True)
    if (
        person is None
        or pending is None
        or not person.uses_two_step
        or (person.auth_version != pending.get("auth_version"))
        or not isinstance(pending.get("id"), str)
    ):
        request.session.pop(SESSION_PENDING, None)
        notify(request, "Sign in again: the code must follow the password within 5 minutes.")
        return redirect(request, "account:signin")
    if request.method == "POST" and form.validate():
        try:
            used = await two_step.check_code(
                _secret(request),
                person,
                form.code.data or "",
                attempt=f"pending:{pending['id']}",
                limit=settings_of(request).signin_limit,
                ceiling=settings_of(request).signin_account_limit,
                now=moment,
            )
        except RateLimited as exc:
            return too_many(request, "accounts/signin_code.html", {"form": form}, exc)
        except WrongCode:
            form.add_field_error("code", WRONG_CODE)
        else:
            next_url = safe_next(pending.get("next"), request.url_for("account:home").path)
            await start_session(request, person, two_step=True)
            if used == "recovery":
                left = await two_step.recovery_codes_left(person)
                notify(
                    request,
                    f"You signed in with a recovery code; {left} left. If your phone is lost, "
                    "set up two-step sign-in again on a new one.",
                )
            return RedirectResponse(next_url, status_code=303)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/signin_code.html", {"form": form}, status=status)
