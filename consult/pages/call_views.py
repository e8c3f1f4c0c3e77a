"""Public pages of calls: the list with filters, one call, its documents."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from base.freshness import fresh
from consult.calls.files import attachment_response
from consult.calls.models import Attachment, AttachmentKind, CallPhase
from consult.calls.queries import calls_page, documents_of, public_call, questions_of
from consult.comments.views import comment_section
from consult.moderation.published import published_count
from consult.responses.services import find_response
from core.queries import topic_by_slug, topics_in_order
from core.web import current_person, now, page_number, render, settings_of

FILTERABLE_PHASES = (
    CallPhase.OPEN,
    CallPhase.UPCOMING,
    CallPhase.CLOSED,
    CallPhase.OUTCOME_PUBLISHED,
)


async def call_list(request: Request) -> Response:
    status = request.query_params.get("status", "")
    phase = CallPhase(status) if status in {p.value for p in FILTERABLE_PHASES} else None
    topic_slug = request.query_params.get("topic", "")
    topic = await topic_by_slug(topic_slug) if topic_slug else None
    page = await calls_page(
        now(request), phase=phase, topic_id=topic.id if topic else None, page=page_number(request)
    )
    context = {
        "page": page,
        "phase": phase,
        "phases": FILTERABLE_PHASES,
        "topic": topic,
        "topics": await topics_in_order(),
    }
    return render(request, "calls/list.html", context)


async def call_detail(request: Request) -> Response:
    call = await public_call(request.path_params["slug"])
    if call is None:
        raise HTTPException(404)
    person = current_person(request)
    context = {
        "call": call,
        "phase": call.phase(now(request)),
        "questions": await questions_of(call),
        "documents": await documents_of(call),
        "own_response": await find_response(call, person) if person is not None else None,
        "published_count": await fresh(request).get(
            ("published_count", call.id), lambda: published_count(call)
        ),
        **await comment_section(request, call),
    }
    return render(request, "calls/detail.html", context)


async def call_document(request: Request) -> Response:
    call = await public_call(request.path_params["slug"])
    attachment = await Attachment.get_or_none(
        id=request.path_params["attachment_id"],
        kind=AttachmentKind.CALL_DOCUMENT,
        call_id=call.id if call else None,
    )
    if call is None or attachment is None:
        raise HTTPException(404)
    return attachment_response(settings_of(request).upload_dir, attachment, personal=False)
