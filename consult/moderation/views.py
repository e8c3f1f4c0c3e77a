"""The moderators' workspace: the calls I run, a call's responses, one response with its public
preview and redactions, the queue of responses to moderate, "this was not me" reports, and the
audit log for admins.

Every page asks `may()` twice: whether the person organises at all, then whether they may act on
this call. A POST's CSRF token is checked before the call is looked up, so a forged form learns
nothing. Services check the permission again and write the audit entries.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from consult.calls.models import Call
from consult.calls.workspace import team_call, workspace_person
from consult.comments.queries import LARGEST_ID
from consult.moderation import services
from consult.moderation.forms import (
    AuditFilterForm,
    PublicationForm,
    RedactionForm,
    ResolveReportForm,
    ResponseFilterForm,
)
from consult.moderation.models import Redaction
from consult.moderation.queries import (
    ResponseInFull,
    moderation_queue,
    not_me_reports,
    report_on_call,
    response_in_full,
    responses_page,
    submitted_response,
    workspace_calls,
)
from consult.moderation.services import ModerationProblem
from consult.responses.models import Publication
from core.audit import audit_entries, audit_vocabulary
from core.models import Person
from core.permissions import Action, may
from core.web import (
    notify,
    now,
    page_number,
    read_form,
    redirect,
    render,
    signed_in_person,
)

NOT_ON_TEAM = "Only the call's team can moderate it."


_organiser = workspace_person


async def _call(request: Request, person: Person, action: Action = Action.MODERATE) -> Call:
    return await team_call(request, person, action, NOT_ON_TEAM)


def _path_id(request: Request, name: str) -> int:
    """An id from the path; one beyond the database's integer range names nothing."""
    value = int(request.path_params[name])
    if value > LARGEST_ID:
        raise HTTPException(404)
    return value


def _csrf(request: Request) -> dict[str, object]:
    return {"csrf_context": request.session}


def _query_without_page(request: Request) -> str:
    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])


# ---------------------------------------------------------------- The workspace home


async def home(request: Request) -> Response:
    person = await _organiser(request)
    rows = await workspace_calls(person)
    return render(request, "moderation/home.html", {"rows": rows, "person": person})


# ---------------------------------------------------------------- A call's responses


async def responses(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person, Action.READ_RESPONSES)
    form = ResponseFilterForm(request.query_params)
    valid = form.validate()
    filters = form.filters() if valid else ResponseFilterForm().filters()
    page = await responses_page(call, filters, page=page_number(request))
    context = {"call": call, "form": form, "page": page, "query": _query_without_page(request)}
    return render(request, "moderation/responses.html", context, status=200 if valid else 400)


async def _in_full(request: Request, call: Call) -> ResponseInFull:
    found = await response_in_full(call, _path_id(request, "response_id"))
    if found is None:
        raise HTTPException(404)
    return found


async def _response_page(
    request: Request,
    call: Call,
    found: ResponseInFull,
    *,
    redaction_form: RedactionForm | None = None,
    problems: list[tuple[str, str]] | None = None,
) -> Response:
    """One response's page; with a refused action's problems or form errors it answers 400."""
    form = redaction_form or RedactionForm(meta=_csrf(request), answers=found.redactable)
    errors = (problems or []) + (redaction_form.error_summary if redaction_form else [])
    context = {
        "call": call,
        "found": found,
        "response": found.response,
        "redaction_form": form,
        "problems": errors,
    }
    return render(request, "moderation/response.html", context, status=400 if errors else 200)


async def response_view(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person, Action.READ_RESPONSES)
    return await _response_page(request, call, await _in_full(request, call))


async def decide(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person)
    response = await submitted_response(call, _path_id(request, "response_id"))
    if response is None:
        raise HTTPException(404)
    form = PublicationForm(await read_form(request), meta=_csrf(request))
    if not form.validate():
        raise HTTPException(400, "Choose publish or hold.")
    decision = Publication(form.decision.data)
    try:
        changed = await services.decide_publication(
            person, response, decision, now=now(request), revision_shown=form.revision.data
        )
    except ModerationProblem as problem:
        found = await _in_full(request, call)
        return await _response_page(request, call, found, problems=[("decision", problem.message)])
    if changed:
        verb = "published" if decision == Publication.PUBLISHED else "held"
        notify(request, f"Response {response.tracking_number} is {verb}.")
    if form.back.data == "queue":
        return redirect(request, "moderation:queue", slug=call.slug)
    return redirect(request, "moderation:response", slug=call.slug, response_id=response.id)


async def redact(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person)
    found = await _in_full(request, call)
    formdata = await read_form(request)
    form = RedactionForm(formdata, meta=_csrf(request), answers=found.redactable)
    answer = found.answer_with_id(form.answer_id) if form.validate() else None
    if answer is not None:
        try:
            await services.redact_text(person, answer, form.text.data or "", form.reason.data or "")
        except ModerationProblem as problem:
            form.add_field_error(problem.field or "text", problem.message)
        else:
            notify(
                request,
                "The text is hidden wherever it appears in the answer: "
                "the public sees “[redacted]” in its place.",
            )
            return redirect(
                request, "moderation:response", slug=call.slug, response_id=found.response.id
            )
    return await _response_page(request, call, found, redaction_form=form)


async def unredact(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person)
    response = await submitted_response(call, _path_id(request, "response_id"))
    redaction = await Redaction.get_or_none(
        id=_path_id(request, "redaction_id"),
        answer__revision_id=response.latest_revision_id if response else None,
    )
    if response is None or redaction is None:
        raise HTTPException(404)
    await services.remove_redaction(person, redaction)
    notify(request, f"The redaction of “{redaction.original}” has been removed.")
    return redirect(request, "moderation:response", slug=call.slug, response_id=response.id)


async def carry_forward(request: Request) -> Response:
    """Copy the published revision's redactions to the new revision waiting for a decision."""
    person = await _organiser(request)
    call = await _call(request, person)
    response = await submitted_response(call, _path_id(request, "response_id"))
    if response is None:
        raise HTTPException(404)
    try:
        outcome = await services.carry_redactions_forward(person, response)
    except ModerationProblem as problem:
        found = await _in_full(request, call)
        return await _response_page(request, call, found, problems=[("redact", problem.message)])
    message = f"{outcome.carried} redaction{'s' if outcome.carried != 1 else ''} carried forward."
    if outcome.already:
        message += f" {outcome.already} already applied."
    if outcome.not_found:
        gone = ", ".join(f"“{text}”" for text in outcome.not_found)
        message += f" No longer in the new revision, so nothing to hide: {gone}."
    notify(request, message)
    return redirect(request, "moderation:response", slug=call.slug, response_id=response.id)


# ---------------------------------------------------------------- Queues


async def queue(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person)
    page = await moderation_queue(call, page=page_number(request))
    return render(request, "moderation/queue.html", {"call": call, "page": page})


def _resolve_form(report_id: int, formdata: FormData | None = None) -> ResolveReportForm:
    # One form per report on the page, so each has its own prefix (and field ids). The prefix
    # would rename the CSRF field too, so the page carries the session's token under its usual
    # name and `_call` checks it (read_form) before any of these forms is read.
    return ResolveReportForm(formdata, meta={"csrf": False}, prefix=f"report-{report_id}")


async def _reports_page(
    request: Request, call: Call, refused: ResolveReportForm | None = None, report_id: int = 0
) -> Response:
    page = await not_me_reports(call, page=page_number(request))
    forms = {
        report.id: refused
        if refused is not None and report.id == report_id
        else _resolve_form(report.id)
        for report in page.items
    }
    problems = refused.error_summary if refused is not None else []
    context = {"call": call, "page": page, "resolve_forms": forms, "problems": problems}
    return render(request, "moderation/reports.html", context, status=400 if problems else 200)


async def reports(request: Request) -> Response:
    person = await _organiser(request)
    return await _reports_page(request, await _call(request, person))


async def resolve_report(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person)
    report_id = _path_id(request, "report_id")
    report = await report_on_call(call, report_id)
    if report is None:
        raise HTTPException(404)
    form = _resolve_form(report.id, await read_form(request))
    if form.validate():
        try:
            resolved = await services.resolve_not_me_report(
                person,
                report,
                form.resolution.data or "",
                hold=bool(form.hold.data),
                now=now(request),
            )
        except ModerationProblem as problem:
            form.add_field_error(problem.field or "resolution", problem.message)
        else:
            if resolved:
                notify(request, f"The report on {report.response.tracking_number} is resolved.")
            return redirect(request, "moderation:reports", slug=call.slug)
    return await _reports_page(request, call, form, report.id)


# ---------------------------------------------------------------- The audit log


async def audit(request: Request) -> Response:
    person = signed_in_person(request)
    if not await may(person, Action.READ_AUDIT):
        raise HTTPException(403, "Only administrators can read the audit log.")
    actions, types = await audit_vocabulary()
    form = AuditFilterForm(request.query_params, actions=actions, types=types)
    valid = form.validate()
    filters = form.filters() if valid else AuditFilterForm().filters()
    page = await audit_entries(filters, page=page_number(request))
    context = {"form": form, "page": page, "query": _query_without_page(request)}
    return render(request, "moderation/audit.html", context, status=200 if valid else 400)
