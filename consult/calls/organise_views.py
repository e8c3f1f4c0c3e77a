"""The organiser workspace for calls: list, create, edit and publish calls; questions; documents.

Every page asks `may()` twice: whether the person organises at all, then whether they may edit this
call. A POST's CSRF token is checked before the call is looked up, so a forged form learns nothing.
"""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from consult.calls import outcome, services
from consult.calls.forms import (
    CallForm,
    DocumentForm,
    OutcomeForm,
    QuestionForm,
    call_form_data,
    question_form_data,
)
from consult.calls.models import Attachment, AttachmentKind, Call, Question
from consult.calls.queries import documents_of, questions_of
from consult.calls.services import FieldProblem, NotPublishable
from consult.calls.workspace import team_call, workspace_person
from core.models import Person
from core.permissions import Action
from core.queries import topics_in_order
from core.web import (
    bind_form,
    notify,
    now,
    read_form,
    redirect,
    render,
    settings_of,
)


async def _organiser(request: Request) -> Person:
    return await workspace_person(request, Action.CREATE_CALL)


async def _call(request: Request, person: Person) -> Call:
    return await team_call(request, person, Action.EDIT_CALL, "Only the call's team can change it.")


async def _question(request: Request, call: Call) -> Question:
    question = await Question.get_or_none(id=request.path_params["question_id"], call_id=call.id)
    if question is None:
        raise HTTPException(404)
    return question


def _csrf(request: Request) -> dict[str, object]:
    return {"csrf_context": request.session}


async def _overview(
    request: Request,
    call: Call,
    *,
    document_form: DocumentForm | None = None,
    problems: list[tuple[str, str]] | None = None,
) -> Response:
    """The call's overview page; with a refused action's problems it answers 400."""
    context = {
        "call": call,
        "phase": call.phase(now(request)),
        "questions": await questions_of(call),
        "documents": await documents_of(call),
        "document_form": document_form or DocumentForm(meta=_csrf(request)),
        "problems": (problems or []) + (document_form.error_summary if document_form else []),
    }
    status = 400 if context["problems"] else 200
    return render(request, "organise/calls/overview.html", context, status=status)


def _status(request: Request) -> int:
    return 400 if request.method == "POST" else 200


async def calls_list(request: Request) -> Response:
    person = await _organiser(request)
    rows = await services.calls_editable_by(person)
    return render(request, "organise/calls/list.html", {"rows": rows, "person": person})


async def call_new(request: Request) -> Response:
    person = await _organiser(request)
    form = await bind_form(request, CallForm, topics=await topics_in_order())
    if request.method == "POST" and form.validate():
        try:
            call = await services.create_call(person, form.details())
        except FieldProblem as problem:
            form.add_field_error(problem.field, problem.message)
        else:
            notify(request, f"Call “{call.title}” created as a draft. Add its questions next.")
            return redirect(request, "organise:call", slug=call.slug)
    context = {"form": form, "call": None}
    return render(request, "organise/calls/call_form.html", context, status=_status(request))


async def call_overview(request: Request) -> Response:
    call = await _call(request, await _organiser(request))
    return await _overview(request, call)


async def call_edit(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person)
    topics = await topics_in_order()
    form = await bind_form(request, CallForm, topics=topics, **call_form_data(call))
    if request.method == "POST" and form.validate():
        try:
            await services.update_call(person, call, form.details())
        except FieldProblem as problem:
            form.add_field_error(problem.field, problem.message)
        else:
            notify(request, "The call's details have been saved.")
            return redirect(request, "organise:call", slug=call.slug)
    context = {"form": form, "call": call}
    return render(request, "organise/calls/call_form.html", context, status=_status(request))


async def call_publish(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person)
    try:
        published = await services.publish_call(person, call, now=now(request))
    except NotPublishable as refusal:
        return await _overview(request, call, problems=[("publish", p) for p in refusal.problems])
    if published:
        notify(request, f"“{call.title}” is published: {call.phase(now(request)).label.lower()}.")
    return redirect(request, "organise:call", slug=call.slug)


async def call_outcome(request: Request) -> Response:
    """Write the outcome, save it, and publish it once the call has closed."""
    person = await _organiser(request)
    call = await _call(request, person)
    form = await bind_form(request, OutcomeForm, outcome=call.outcome)
    if request.method == "POST" and form.validate():
        publishing = (await read_form(request)).get("action") == "publish"
        try:
            if publishing:
                published = await outcome.publish_outcome(
                    person, call, form.outcome.data or "", now=now(request)
                )
            else:
                published = False
                await outcome.save_outcome(person, call, form.outcome.data or "")
        except FieldProblem as problem:
            form.add_field_error(problem.field, problem.message)
        else:
            notify(
                request,
                "The outcome is published on the call page."
                if published
                else "The outcome has been saved.",
            )
            return redirect(request, "organise:call_outcome", slug=call.slug)
    context = {"form": form, "call": call, "phase": call.phase(now(request))}
    return render(request, "organise/calls/outcome.html", context, status=_status(request))


async def _question_page(
    request: Request, person: Person, call: Call, question: Question | None
) -> Response:
    """Add a question (`question` None) or edit one; both pages share the form and the rules."""
    defaults = question_form_data(question) if question else {}
    form = await bind_form(request, QuestionForm, **defaults)
    if request.method == "POST" and form.validate():
        try:
            if question is None:
                await services.add_question(person, call, form.details())
            else:
                await services.update_question(person, question, form.details())
        except FieldProblem as problem:
            form.add_field_error(problem.field, problem.message)
        else:
            notify(request, "The question has been saved.")
            return redirect(request, "organise:call", slug=call.slug)
    answered = question is not None and await services.question_is_answered(question)
    context = {"form": form, "call": call, "question": question, "answered": answered}
    return render(request, "organise/calls/question_form.html", context, status=_status(request))


async def question_new(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person)
    return await _question_page(request, person, call, None)


async def question_edit(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person)
    return await _question_page(request, person, call, await _question(request, call))


async def question_move(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person)
    question = await _question(request, call)
    direction = (await read_form(request)).get("direction")
    if direction not in ("up", "down"):
        raise HTTPException(400, "Choose to move the question up or down.")
    await services.move_question(person, question, up=direction == "up")
    return redirect(request, "organise:call", slug=call.slug)


async def question_delete(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person)
    question = await _question(request, call)
    try:
        await services.remove_question(person, question)
    except FieldProblem as problem:
        return await _overview(request, call, problems=[(problem.field, problem.message)])
    notify(request, f"The question “{question.prompt}” has been removed.")
    return redirect(request, "organise:call", slug=call.slug)


async def _read_upload(request: Request, max_bytes: int) -> tuple[FormData, bytes]:
    """The CSRF-checked form with at most one file, and that file's bytes (up to max + 1)."""
    form = await read_form(request, max_files=1)
    try:
        upload = form.get("file")
        data = await upload.read(max_bytes + 1) if isinstance(upload, UploadFile) else b""
    finally:
        await form.close()
    return form, data


async def document_upload(request: Request) -> Response:
    person = await _organiser(request)
    settings = settings_of(request)
    max_bytes = settings.upload_max_mb * 1024 * 1024
    formdata, data = await _read_upload(request, max_bytes)
    call = await _call(request, person)
    form = DocumentForm(formdata, meta=_csrf(request))
    if form.validate():
        try:
            await services.add_document(
                person,
                call,
                name=form.file.data.filename,
                data=data,
                title=form.title.data or "",
                upload_dir=settings.upload_dir,
                max_bytes=max_bytes,
            )
        except FieldProblem as problem:
            form.add_field_error(problem.field, problem.message)
        else:
            notify(request, "The document has been added.")
            return redirect(request, "organise:call", slug=call.slug)
    return await _overview(request, call, document_form=form)


async def document_delete(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person)
    attachment = await Attachment.get_or_none(
        id=request.path_params["attachment_id"], call_id=call.id, kind=AttachmentKind.CALL_DOCUMENT
    )
    if attachment is None:
        raise HTTPException(404)
    await services.remove_document(person, attachment, upload_dir=settings_of(request).upload_dir)
    notify(request, f"The document “{attachment.title}” has been removed.")
    return redirect(request, "organise:call", slug=call.slug)
