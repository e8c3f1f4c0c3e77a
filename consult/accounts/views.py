"""Account pages: sign up, verify, sign in and out, reset password, profile, password, the mail
a person gets and the one-click unsubscribe links in that mail."""

from __future__ import annotations

import logging
from datetime import timedelta

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from consult.accounts import services, sessions
from consult.accounts.authentication import begin_second_step
from consult.accounts.forms import (
    ChangePasswordForm,
    ConfirmForm,
    EmailOnlyForm,
    MailChoicesForm,
    NewPasswordForm,
    ProfileForm,
    SignInForm,
    SignUpForm,
)
from consult.accounts.services import ProfileDetails
from consult.accounts.session_middleware import (
    current_sign_in,
    end_session,
    limits_of,
    start_session,
)
from consult.accounts.tokens import LinkExpired, LinkInvalid, Purpose
from core.errors import FieldProblem
from core.models import Person
from core.notifications.compose import Site
from core.notifications.preferences import MailChoice, choices_for
from core.ratelimit import RateLimited
from core.vocabulary import Sector
from core.web import (
    bind_form,
    client_address,
    notify,
    now,
    parse_form,
    redirect,
    render,
    safe_next,
    settings_of,
    signed_in_person,
    too_many,
)

log = logging.getLogger("consult.accounts")


async def _send_link(request: Request, person: Person, purpose: Purpose) -> bool:
    return await services.send_link(Site.of(request), person, purpose, now=now(request))


def _details(form: SignUpForm | ProfileForm) -> ProfileDetails:
    return ProfileDetails(
        display_name=form.display_name.data or "",
        organisation=form.organisation.data or "",
        sector=Sector(form.sector.data),
        country=form.country.data or "",
    )


async def sign_up(request: Request) -> Response:
    form = await bind_form(request, SignUpForm, sector="", country="")
    if request.method == "POST" and form.validate():
        try:
            await services.count_sign_up_attempt(
                address=client_address(request),
                email=form.email.data or "",
                limit=settings_of(request).signup_limit,
                now=now(request),
            )
            person, sent = await services.create_account(
                form.email.data or "",
                form.password.data or "",
                _details(form),
                site=Site.of(request),
                now=now(request),
            )
        except RateLimited as exc:
            return too_many(request, "accounts/signup.html", {"form": form}, exc)
        except FieldProblem as problem:
            form.add_field_error(problem.field, problem.message)
        else:
            await start_session(request, person)
            request.session["mail_failed"] = not sent
            return redirect(request, "account:check_email")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


async def check_email(request: Request) -> Response:
    person = signed_in_person(request)
    if person.is_verified:
        return redirect(request, "account:home")
    context = {
        "person": person,
        "form": ConfirmForm(meta={"csrf_context": request.session}),
        "mail_failed": request.session.pop("mail_failed", False),
    }
    return render(request, "accounts/check_email.html", context)


async def resend_verification(request: Request) -> Response:
    person = signed_in_person(request)
    await bind_form(request, ConfirmForm)
    if person.is_verified:
        return redirect(request, "account:home")
    try:
        await services.count_attempt(
            f"mail:{person.id}", settings_of(request).mail_limit, now=now(request)
        )
    except RateLimited as exc:
        form = ConfirmForm(meta={"csrf_context": request.session})
        context = {"person": person, "form": form, "mail_failed": False}
        return too_many(request, "accounts/check_email.html", context, exc)
    if await _send_link(request, person, "verify-email"):
        notify(request, f"We have sent a new link to {person.email}.")
    else:
        request.session["mail_failed"] = True
    return redirect(request, "account:check_email")


async def _person_for_link(request: Request, purpose: Purpose, max_age: timedelta) -> Person | None:
    settings = settings_of(request)
    try:
        return await services.person_for_link(
            str(settings.secret_key),
            purpose,
            request.path_params["token"],
            now=now(request),
            max_age=max_age,
        )
    except (LinkInvalid, LinkExpired):
        return None


async def verify(request: Request) -> Response:
    """GET shows a button; the POST it sends verifies (a mail scanner's GET changes nothing)."""
    max_age = timedelta(hours=settings_of(request).verify_link_hours)
    person = await _person_for_link(request, "verify-email", max_age)
    form = await bind_form(request, ConfirmForm)
    if person is None:
        return render(request, "accounts/link_invalid.html", {"what": "confirmation"}, status=400)
    if person.is_verified:
        notify(request, "Your email address is already confirmed.")
        return redirect(request, "account:home" if request.scope.get("user") else "account:signin")
    if request.method == "GET":
        return render(request, "accounts/verify.html", {"form": form, "person": person})
    await services.verify_email(person, now=now(request))
    notify(request, "Thank you: your email address is confirmed.")
    return redirect(request, "account:home" if request.scope.get("user") else "account:signin")


async def sign_in(request: Request) -> Response:
    form = await bind_form(request, SignInForm)
    next_url = safe_next(request.query_params.get("next"), request.url_for("account:home").path)
    if request.method == "POST" and form.validate():
        try:
            person = await services.authenticate(
                form.email.data or "",
                form.password.data or "",
                address=client_address(request),
                limit=settings_of(request).signin_limit,
                ceiling=settings_of(request).signin_account_limit,
                now=now(request),
            )
        except RateLimited as exc:
            return too_many(request, "accounts/signin.html", {"form": form}, exc)
        if person is not None and person.uses_two_step:
            await begin_second_step(request, person, now(request), next_url)
            return redirect(request, "account:signin_code")
        if person is not None:
            await start_session(request, person)
            return RedirectResponse(next_url, status_code=303)
        form.add_field_error("email", "The email address or password is not right.")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/signin.html", {"form": form}, status=status)


async def sign_out(request: Request) -> Response:
    await bind_form(request, ConfirmForm)
    await end_session(request)
    notify(request, "You have signed out.")
    return redirect(request, "home")


async def forgot_password(request: Request) -> Response:
    form = await bind_form(request, EmailOnlyForm)
    if request.method == "POST" and form.validate():
        email = services.normalise_email(form.email.data or "")
        try:
            limit = settings_of(request).mail_limit
            await services.count_attempt(
                f"mail:address:{client_address(request)}", limit.times(4), now=now(request)
            )
            await services.count_attempt(f"mail:reset:{email}", limit, now=now(request))
        except RateLimited as exc:
            return too_many(request, "accounts/forgot_password.html", {"form": form}, exc)
        person = await services.find_person_by_email(email)
        if person is not None and person.is_active:
            await _send_link(request, person, "reset-password")
        # The same answer whether or not the address has an account.
        return render(request, "accounts/reset_sent.html", {"email": email})
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/forgot_password.html", {"form": form}, status=status)


async def reset_password(request: Request) -> Response:
    max_age = timedelta(minutes=settings_of(request).reset_link_minutes)
    person = await _person_for_link(request, "reset-password", max_age)
    form = await bind_form(request, NewPasswordForm)
    if person is None:
        return render(request, "accounts/link_invalid.html", {"what": "password reset"}, status=400)
    if request.method == "POST" and form.validate():
        try:
            await services.reset_password(person, form.password.data or "", now=now(request))
        except FieldProblem as problem:
            form.add_field_error(problem.field, problem.message)
        else:
            await end_session(request)  # the reset ended the person's sessions; this one too
            notify(request, "Your password has been changed. Sign in with your new password.")
            return redirect(request, "account:signin")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/reset_password.html", {"form": form}, status=status)


async def account_home(request: Request) -> Response:
    person = signed_in_person(request)
    signed_in = await sessions.sessions_of(person, limits_of(request), now=now(request))
    this = current_sign_in(request)
    context = {
        "person": person,
        "sign_ins": signed_in,
        "this_sign_in": this.row.id if this else None,
        "browser_of": sessions.browser_of,
        "sign_out_others_form": ConfirmForm(meta={"csrf_context": request.session}),
    }
    return render(request, "accounts/home.html", context)


async def sign_out_others(request: Request) -> Response:
    """End every session of the signed-in person but this one."""
    person = signed_in_person(request)
    await bind_form(request, ConfirmForm)
    this = current_sign_in(request)
    ended = await sessions.end_sessions(person, keep=this.row.id if this else None)
    notify(request, f"You have signed out of {ended} other session{'' if ended == 1 else 's'}.")
    return redirect(request, "account:home")


async def profile(request: Request) -> Response:
    person = signed_in_person(request)
    form = await bind_form(request, ProfileForm, obj=person)
    if request.method == "POST" and form.validate():
        try:
            await services.update_profile(
                person, _details(form), time_zone=form.time_zone.data or ""
            )
        except FieldProblem as problem:
            form.add_field_error(problem.field, problem.message)
        else:
            notify(request, "Your profile has been saved.")
            return redirect(request, "account:home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/profile.html", {"form": form}, status=status)


async def notifications(request: Request) -> Response:
    person = signed_in_person(request)
    shown = choices_for(person.role)
    wanted = [choice.key for choice in shown if choice.key not in person.mail_opt_outs]
    form = await bind_form(request, MailChoicesForm, choices=shown, wanted=wanted)
    if request.method == "POST" and form.validate():
        await services.save_mail_choices(person, form.wanted.data or [])
        notify(request, "Your notification settings are saved")
        return redirect(request, "account:notifications")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/notifications.html", {"form": form}, status=status)


# What RFC 8058 mail providers POST, and what the button on the page sends too.
ONE_CLICK = ("List-Unsubscribe", "One-Click")


async def _unsubscribe_target(request: Request) -> tuple[Person, MailChoice]:
    secret = str(settings_of(request).secret_key)
    found = await services.unsubscribe_target(secret, request.path_params["token"])
    if found is None:
        raise HTTPException(404, "This unsubscribe link does not work.")
    return found


async def unsubscribe(request: Request) -> Response:
    """One-click unsubscribe (RFC 8058). The HMAC token in the URL is the credential: providers
    POST without cookies, so there is no session and no CSRF token. GET only shows a button."""
    person, choice = await _unsubscribe_target(request)
    if request.method != "POST":  # GET, or HEAD from a link checker
        return render(
            request, "accounts/unsubscribe.html", {"choice": choice, "one_click": ONE_CLICK}
        )
    name, value = ONE_CLICK
    if (await parse_form(request)).get(name) != value:
        raise HTTPException(400, "An unsubscribe request must say List-Unsubscribe=One-Click.")
    if await services.turn_off_mail(person, choice):
        log.info("person %s turned off %s with an unsubscribe link", person.id, choice.key)
    return render(request, "accounts/unsubscribed.html", {"choice": choice})


async def change_password(request: Request) -> Response:
    person = signed_in_person(request)
    form = await bind_form(request, ChangePasswordForm)
    if request.method == "POST" and form.validate():
        try:
            await services.change_password(
                person, form.current_password.data or "", form.password.data or ""
            )
        except FieldProblem as problem:
            form.add_field_error(problem.field, problem.message)
        else:
            # Every session has ended; this browser carries on in a new one (which gave the
            # second step too, if any, or it would not have got here).
            await start_session(request, person, two_step=person.uses_two_step)
            notify(request, "Your password has been changed. Other devices have been signed out.")
            return redirect(request, "account:home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password.html", {"form": form}, status=status)
