"""Answering a call: start or resume, your details, your answers, check, submit, receipt, withdraw."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response as HttpResponse
from tortoise.expressions import Q

from base.settings import Settings
from consult.calls.files import attachment_response
from consult.calls.models import Attachment, AttachmentKind, Call, Question
from consult.calls.queries import public_call, questions_of
from consult.responses import revisions, services
from consult.responses.forms import (
    RespondentForm,
    SubmitForm,
    WithdrawForm,
    answer_inputs,
    answers_form_class,
    initial_answers,
)
from consult.responses.models import Consent, RespondentType, Response
from consult.responses.services import (
    CallClosed,
    Incomplete,
    RespondentDetails,
    UploadRules,
)
from consult.responses.tracking import normalise
from core.errors import FieldProblem
from core.forms import CSRFForm
from core.models import Person
from core.notifications.compose import Site
from core.permissions import Action, may
from core.uploads import ACCEPTED_DESCRIPTION
from core.vocabulary import Sector
from core.web import (
    bind_form,
    notify,
    now,
    read_form,
    redirect,
    render,
    settings_of,
    signed_in_person,
)

log = logging.getLogger("consult.responses")
SAVE_FOR_LATER = "later"


@dataclass
class Respondent:
    person: Person
    call: Call


async def _respondent(request: Request) -> Respondent:
    """The signed-in, verified person and the open public call in the URL.

    404 for an unknown call; the "closed" page for a call not open now (checked before any form is
    read; the services check the deadline again as they write).
    """
    person = signed_in_person(request)
    call = await public_call(request.path_params["slug"])
    if call is None:
        raise HTTPException(404)
    if not person.is_verified:
        raise HTTPException(
            403, "Confirm your email address before you respond: use the link we emailed you."
        )
    if not call.accepts_responses(now(request)):
        raise CallClosed(call)
    return Respondent(person, call)


def _closed(request: Request, call: Call) -> HttpResponse:
    return render(
        request,
        "responses/closed.html",
        {"call": call, "phase": call.phase(now(request))},
        status=403,
    )


async def call_closed(request: Request, exc: Exception) -> HttpResponse:
    """Every page of the flow answers a call that is not open, or closed while the person wrote,
    with the call's "closed" page (the services check the deadline as they write)."""
    assert isinstance(exc, CallClosed)
    return _closed(request, exc.call)


async def _own_response(found: Respondent) -> Response:
    response = await services.find_response(found.call, found.person)
    if response is None:
        raise HTTPException(404)
    return response


async def start(request: Request) -> HttpResponse:
    found = await _respondent(request)
    response = await services.find_response(found.call, found.person)
    if request.method == "GET":
        if response is not None and response.details_confirmed:
            return redirect(request, "responses:check", slug=found.call.slug)
        return render(
            request,
            "responses/start.html",
            {
                "call": found.call,
                "response": response,
                "form": CSRFForm(meta={"csrf_context": request.session}),
                "questions": await questions_of(found.call),
            },
        )
    await bind_form(request, CSRFForm)
    await services.start_response(found.call, found.person, now=now(request))
    return redirect(request, "responses:details", slug=found.call.slug)


async def details(request: Request) -> HttpResponse:
    found = await _respondent(request)
    response = await _own_response(found)
    copy = await services.working_copy(response)
    form = await bind_form(request, RespondentForm, obj=copy.details)
    if request.method == "POST" and form.validate():
        detail = RespondentDetails(
            RespondentType(form.respondent_type.data),
            form.organisation_name.data or "",
            Sector(form.sector.data),
            form.country.data or "",
            Consent(form.consent.data),
        )
        await services.save_details(response, found.call, detail, now=now(request))
        return await _next(request, found.call, "responses:answers")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "responses/details.html", {"call": found.call, "form": form}, status=status
    )


async def _saving_for_later(request: Request) -> bool:
    # Starlette keeps the parsed form on the request, so this reads no body a second time.
    return (await request.form()).get("action") == SAVE_FOR_LATER


async def _next(request: Request, call: Call, step: str) -> HttpResponse:
    """After saving: leave for later (to the call page) or carry on to the next step."""
    if await _saving_for_later(request):
        notify(request, "Your draft has been saved. Come back to this call page to carry on.")
        return redirect(request, "calls:detail", slug=call.slug)
    return redirect(request, step, slug=call.slug)


def _file_hint(settings: Settings) -> str:
    return f"{ACCEPTED_DESCRIPTION}, up to {settings.upload_max_mb} MB."


async def answers(request: Request) -> HttpResponse:
    found = await _respondent(request)
    response = await _own_response(found)
    settings = settings_of(request)
    questions = await questions_of(found.call)
    if request.method == "POST":
        formdata = await read_form(request, max_files=settings.upload_max_files)
        later = await _saving_for_later(request)
        form = answers_form_class(questions, complete=not later, file_hint=_file_hint(settings))(
            formdata, meta={"csrf_context": request.session}
        )
        if form.validate():
            try:
                inputs = await answer_inputs(form, questions, settings.upload_max_mb * 1024 * 1024)
                await services.save_answers(
                    response,
                    found.call,
                    questions,
                    inputs,
                    person=found.person,
                    now=now(request),
                    uploads=UploadRules(
                        settings.upload_dir,
                        settings.upload_max_mb * 1024 * 1024,
                        settings.upload_max_files,
                    ),
                )
            except FieldProblem as problem:
                form.add_field_error(problem.field, problem.message)
            else:
                return await _next(request, found.call, "responses:check")
        # Read after the attempt (not before: a saved answer needs no page), for the files kept.
        sheet = (await services.working_copy(response)).sheet
    else:
        sheet = (await services.working_copy(response)).sheet
        form = answers_form_class(questions, complete=False, file_hint=_file_hint(settings))(
            data=initial_answers(questions, sheet), meta={"csrf_context": request.session}
        )
    context = {
        "call": found.call,
        "form": form,
        "questions": questions,
        "sheet": sheet,
    }
    return render(
        request, "responses/answers.html", context, status=400 if request.method == "POST" else 200
    )


async def remove_file(request: Request) -> HttpResponse:
    found = await _respondent(request)
    response = await _own_response(found)
    await bind_form(request, CSRFForm)
    removed = await services.remove_file(
        response,
        found.call,
        request.path_params["attachment_id"],
        upload_dir=settings_of(request).upload_dir,
        now=now(request),
    )
    if not removed:
        raise HTTPException(404)
    notify(request, "The file has been removed.")
    return redirect(request, "responses:answers", slug=found.call.slug)


async def check(request: Request) -> HttpResponse:
    """Check your answers. Showing it writes nothing: the Submit button carries what it showed."""
    found = await _respondent(request)
    response = await _own_response(found)
    questions = await questions_of(found.call)
    return await _check_page(request, found, response, questions)


async def _check_page(
    request: Request,
    found: Respondent,
    response: Response,
    questions: list[Question],
    problems: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    copy = await services.working_copy(response)
    form = SubmitForm(
        data={"submit_token": services.submit_token(response)},
        meta={"csrf_context": request.session},
    )
    context = {
        "call": found.call,
        "response": response,
        "details": copy.details,
        "questions": questions,
        "sheet": copy.sheet,
        "form": form,
        "problems": problems
        if problems is not None
        else services.completeness_problems(copy.details, questions, copy.sheet),
    }
    return render(request, "responses/check.html", context, status=400 if problems else 200)


async def submit(request: Request) -> HttpResponse:
    found = await _respondent(request)
    response = await _own_response(found)
    form = await bind_form(request, SubmitForm)
    questions = await questions_of(found.call)
    try:
        outcome = await services.submit_response(
            response,
            found.call,
            questions,
            form.submit_token.data or "",
            now=now(request),
            site=Site.of(request),
        )
    except (Incomplete, services.Superseded) as refused:
        problems = (
            refused.problems
            if isinstance(refused, Incomplete)
            else [("submit", "This response changed in another window. Check it and submit again.")]
        )
        fresh = await Response.get(id=response.id)
        return await _check_page(request, found, fresh, questions, problems)
    request.session["receipt"] = outcome.response.tracking_number
    return redirect(request, "responses:receipt", tracking=outcome.response.tracking_number)


async def _visible_response(request: Request) -> tuple[Response, Call, Person]:
    """A response its owner or the call's organisers may see; 404 for everyone else."""
    person = signed_in_person(request)
    tracking = normalise(request.path_params["tracking"])
    response = (
        await Response.get_or_none(tracking_number=tracking).select_related("call", "call__topic")
        if tracking
        else None
    )
    if response is None:
        raise HTTPException(404)
    if response.respondent_id != person.id and not await may(
        person, Action.READ_RESPONSES, response.call
    ):
        raise HTTPException(404)
    return response, response.call, person


async def receipt(request: Request) -> HttpResponse:
    response, call, person = await _visible_response(request)
    questions = await questions_of(call)
    context = {
        "call": call,
        "response": response,
        "questions": questions,
        "details": response,
        "sheet": await services.answer_sheet(response),
        "revisions": await revisions.history(response),
        "just_submitted": request.session.pop("receipt", None) == response.tracking_number,
        "is_owner": response.respondent_id == person.id,
        "can_change": call.accepts_responses(now(request)),
        "form": WithdrawForm(meta={"csrf_context": request.session}),
    }
    return render(request, "responses/receipt.html", context)


async def response_file(request: Request) -> HttpResponse:
    response, _call, _person = await _visible_response(request)
    # Any revision's file, and a draft's: the owner and organisers keep the whole history.
    attachment = await Attachment.get_or_none(
        Q(response_id=response.id) | Q(answer__response_id=response.id),
        id=request.path_params["attachment_id"],
        kind=AttachmentKind.RESPONSE_FILE,
    )
    if attachment is None:
        raise HTTPException(404)
    return attachment_response(settings_of(request).upload_dir, attachment, personal=True)


async def withdraw(request: Request) -> HttpResponse:
    response, call, person = await _visible_response(request)
    if response.respondent_id != person.id:
        raise HTTPException(404)
    form = await bind_form(request, WithdrawForm)
    if request.method == "GET":
        if not call.accepts_responses(now(request)):
            return _closed(request, call)
        return render(
            request, "responses/withdraw.html", {"call": call, "response": response, "form": form}
        )
    withdrawn = await services.withdraw_response(
        response, call, now=now(request), site=Site.of(request)
    )
    notify(
        request,
        "Your response has been withdrawn. It will not be read or published."
        if withdrawn.withdrawn
        else "This response was not submitted, so there was nothing to withdraw.",
    )
    return redirect(request, "responses:receipt", tracking=response.tracking_number)
