"""Comment pages: the section on a call page, posting, reporting, and the organisers' queue."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from consult.calls.models import Call
from consult.calls.queries import public_call
from consult.comments import services
from consult.comments.forms import CommentForm, ModerationForm, ReportForm
from consult.comments.models import Comment, CommentStatus
from consult.comments.queries import (
    comment_on_call,
    published_count,
    reportable_comment,
    threads_for,
)
from consult.comments.services import Decision, comment_barrier
from core.errors import FieldProblem
from core.models import Person
from core.permissions import Action, may
from core.ratelimit import RateLimited
from core.web import (
    RedirectTo,
    bind_form,
    current_person,
    notify,
    now,
    redirect,
    render,
    send_to_two_step_setup_if_owed,
    settings_of,
    signed_in_person,
    too_many,
    whole_number,
)

NEW_PAGE = "comments/new.html"


def _call_path(request: Request, call: Call, anchor: str = "comments") -> str:
    return f"{request.url_for('calls:detail', slug=call.slug).path}#{anchor}"


def _person_or_sign_in(request: Request, back: str) -> Person:
    """The signed-in person; a visitor goes to sign in and comes back to `back` (a GET page)."""
    person = current_person(request)
    if person is None:
        raise RedirectTo(f"{request.url_for('account:signin').path}?next={back}")
    send_to_two_step_setup_if_owed(request, person)
    return person


async def _public_call(request: Request) -> Call:
    call = await public_call(request.path_params["slug"])
    if call is None:
        raise HTTPException(404)
    return call


async def _parent(person: Person | None, call: Call, parent_id: int | None) -> Comment | None:
    """The comment being replied to, when it is one this person may reply to."""
    if parent_id is None:
        return None
    try:
        return await services.reply_target(person, call, parent_id)
    except FieldProblem:
        return None


async def _section(
    request: Request, call: Call, *, form: CommentForm | None = None, parent: Comment | None = None
) -> dict[str, object]:
    viewer, moment = current_person(request), now(request)
    threads = await threads_for(call, viewer)
    barrier = comment_barrier(viewer, call, moment)
    if barrier is None and form is None:
        form = CommentForm(meta={"csrf_context": request.session})
    return {
        "comment_threads": threads,
        "comment_count": published_count(threads),
        "comment_open": call.accepts_responses(moment),
        "comment_barrier": barrier,
        "comment_form": form if barrier is None else None,
        "comment_parent": parent,
    }


async def comment_section(request: Request, call: Call) -> dict[str, object]:
    """What `comments/section.html` needs, for the call page to merge into its context."""
    return await _section(request, call)


async def new_comment(request: Request) -> Response:
    """The comment form on its own page (also where a reply starts, with ?reply_to=ID)."""
    call = await _public_call(request)
    text = request.query_params.get("reply_to", "")
    reply_to = whole_number(text)
    parent = await _parent(current_person(request), call, reply_to)
    context = {"call": call, **await _section(request, call, parent=parent)}
    return render(request, NEW_PAGE, context)


async def post_comment(request: Request) -> Response:
    if request.method == "GET":  # e.g. reloading the page after an error
        return RedirectResponse(_call_path(request, await _public_call(request)), status_code=303)
    form = await bind_form(request, CommentForm)
    call = await _public_call(request)
    person = _person_or_sign_in(request, request.url_for("comments:new", slug=call.slug).path)
    barrier = comment_barrier(person, call, now(request))
    if barrier is not None:
        raise HTTPException(403, f"{barrier.message}.")
    if form.validate():
        try:
            comment = await services.post_comment(
                person,
                call,
                form.body.data or "",
                parent_id=form.parent_id.data,
                now=now(request),
                limit=settings_of(request).comment_limit,
            )
        except RateLimited as exc:
            parent = await _parent(person, call, form.parent_id.data)
            context = {"call": call, **await _section(request, call, form=form, parent=parent)}
            return too_many(request, NEW_PAGE, context, exc)
        except FieldProblem as problem:
            form.add_field_error(problem.field, problem.message)
        else:
            if comment.status == CommentStatus.APPROVED:
                notify(request, "Your comment has been published")
            else:
                notify(request, "Your comment will appear once an organiser has approved it")
            return RedirectResponse(_call_path(request, call), status_code=303)
    parent = await _parent(person, call, form.parent_id.data)
    context = {"call": call, **await _section(request, call, form=form, parent=parent)}
    return render(request, NEW_PAGE, context, status=400)


async def report_comment(request: Request) -> Response:
    person = signed_in_person(request)
    form = await bind_form(request, ReportForm)
    comment = await reportable_comment(request.path_params["comment_id"])
    if comment is None:
        raise HTTPException(404)
    if request.method == "POST" and form.validate():
        try:
            await services.report_comment(person, comment, form.reason.data or "")
        except FieldProblem as problem:
            form.add_field_error(problem.field, problem.message)
        else:
            # The same words for a second report: it changed nothing and harms nothing.
            notify(request, "Thank you, organisers will look at this comment")
            return RedirectResponse(
                _call_path(request, comment.call, f"comment-{comment.id}"), status_code=303
            )
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "comment": comment, "call": comment.call}
    return render(request, "comments/report.html", context, status=status)


async def _any_call(request: Request) -> Call:
    call = await Call.get_or_none(slug=request.path_params["slug"])
    if call is None:
        raise HTTPException(404)
    return call


async def moderation_queue(request: Request) -> Response:
    person = signed_in_person(request)
    call = await _any_call(request)
    try:
        rows = await services.comments_to_moderate(person, call)
    except PermissionError as exc:
        raise HTTPException(403, str(exc)) from None
    form = ModerationForm(meta={"csrf_context": request.session})
    return render(request, "comments/moderate.html", {"call": call, "rows": rows, "form": form})


async def moderate(request: Request) -> Response:
    slug = request.path_params["slug"]
    person = _person_or_sign_in(request, request.url_for("comments:moderation", slug=slug).path)
    form = await bind_form(request, ModerationForm)
    call = await _any_call(request)
    # Before the comment and the form are looked at: an outsider learns nothing from either.
    if not await may(person, Action.MODERATE, call):
        raise HTTPException(403, "Only the organisers of this call can moderate its comments.")
    comment = await comment_on_call(call, request.path_params["comment_id"])
    if comment is None:
        raise HTTPException(404)
    if not form.validate():
        raise HTTPException(400, "Choose approve or reject.")
    decision = Decision(form.decision.data)
    try:
        await services.moderate_comment(person, call, comment, decision, now=now(request))
    except PermissionError as exc:
        raise HTTPException(403, str(exc)) from None
    notify(request, f"Comment {'approved' if decision == Decision.APPROVE else 'rejected'}")
    return redirect(request, "comments:moderation", slug=call.slug)
