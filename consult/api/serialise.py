"""What the API says about each thing, as plain JSON-ready dicts (the OpenAPI schemas mirror these).

Responses are serialised only from `consult.moderation.public.PublicResponse`, the public view the
pages show, so nothing the pages hide can be written here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from consult.api.http import instant
from consult.calls.models import Attachment, Call, Question
from consult.comments.models import Comment
from consult.moderation.public import PublicResponse
from consult.responses.models import Answer, Response, ResponseRevision, RevisionAnswer
from core.models import Topic
from events.models import Session
from events.recurrence import Occurrence

Url = Callable[..., str]  # url(route name, **path params) -> absolute URL


def topic(item: Topic, url: Url) -> dict[str, Any]:
    return {
        "slug": item.slug,
        "name": item.name,
        "summary": item.summary,
        "description": item.description,
        "links": {
            "self": url("api:topic", slug=item.slug),
            "page": url("topics:detail", slug=item.slug),
            "calendar": url("calendar:topic", slug=item.slug),
        },
    }


def call(item: Call, url: Url, now: datetime) -> dict[str, Any]:
    return {
        "slug": item.slug,
        "title": item.title,
        "summary": item.summary,
        "topic": item.topic.slug,
        "status": item.phase(now).value,
        "opens_at": instant(item.opens_at),
        "closes_at": instant(item.closes_at),
        "timezone": item.timezone,
        "accepts_responses": item.accepts_responses(now),
        "updated_at": instant(item.updated_at),
        "links": {
            "self": url("api:call", slug=item.slug),
            "page": url("calls:detail", slug=item.slug),
            "responses": url("api:call_responses", slug=item.slug),
            "comments": url("api:call_comments", slug=item.slug),
        },
    }


def question(item: Question) -> dict[str, Any]:
    return {
        "id": item.id,
        "position": item.position,
        "kind": str(item.kind),
        "prompt": item.prompt,
        "help_text": item.help_text,
        "required": item.required,
        "word_limit": item.word_limit,
        "options": list(item.options),
    }


def document(item: Attachment, url: Url) -> dict[str, Any]:
    return {
        "title": item.title or item.original_name,
        "file_name": item.original_name,
        "content_type": item.content_type,
        "size": item.size,
        "url": url("calls:document", slug=item.call.slug, attachment_id=item.id)
        if item.call
        else None,
    }


def call_detail(
    item: Call,
    url: Url,
    now: datetime,
    questions: list[Question],
    documents: list[Attachment],
    published: int,
) -> dict[str, Any]:
    return {
        **call(item, url, now),
        "body": item.body,
        "outcome": item.outcome if item.outcome_published_at else "",
        "outcome_published_at": instant(item.outcome_published_at),
        "published_responses": published,
        "questions": [question(q) for q in questions],
        "documents": [document(d, url) for d in documents],
    }


def public_response(item: PublicResponse, slug: str, url: Url) -> dict[str, Any]:
    return {
        "id": item.id,
        "call": slug,
        "author": item.author,
        "respondent_type": str(item.respondent_type),
        "sector": str(item.sector),
        "country": item.country,
        "submitted_at": instant(item.submitted_at),
        "answers": [
            {
                "question_id": answer.question_id,
                "prompt": answer.prompt,
                "kind": str(answer.kind),
                "text": answer.text,
                "choices": list(answer.choices),
                "scale": answer.scale,
            }
            for answer in item.answers
        ],
        "links": {
            "call_responses_page": url("responses:published", slug=slug),
            "not_me": url("responses:not_me", slug=slug, response_id=item.id),
        },
    }


def comment(item: Comment, body_html: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "parent_id": item.parent_id,
        "author": item.author.display_name if item.author else "A former participant",
        "body": item.body,
        "body_html": body_html,
        "created_at": instant(item.created_at),
    }


def occurrence(item: Occurrence) -> dict[str, Any]:
    return {
        "starts_at": instant(item.starts_at),
        "ends_at": instant(item.ends_at),
        "original_start": instant(item.original_start),
        "cancelled": item.cancelled,
        "moved": item.moved,
    }


def session(item: Session, url: Url, dates: list[Occurrence]) -> dict[str, Any]:
    return {
        "slug": item.slug,
        "title": item.title,
        "description": item.description,
        "kind": str(item.kind),
        "topics": [t.slug for t in item.topics],
        "call": item.call.slug if item.call and item.call.is_public() else None,
        "timezone": item.timezone,
        "location": item.location,
        # The joining link is for registered people only, as on the session's page.
        "online": bool(item.online_url),
        "capacity": item.capacity,
        "status": str(item.status),
        "sequence": item.sequence,
        "recurrence": None
        if not item.is_recurring
        else {
            "frequency": str(item.recurrence),
            "count": item.recurrence_count,
            "until": instant(item.recurrence_until),
        },
        "occurrences": [occurrence(o) for o in dates],
        "links": {
            "self": url("api:session", slug=item.slug),
            "page": url("sessions:detail", slug=item.slug),
            "calendar": url("calendar:session", slug=item.slug),
        },
    }


def own_response(
    item: Response,
    url: Url,
    details: Response | ResponseRevision,
    answers: Sequence[Answer | RevisionAnswer],
) -> dict[str, Any]:
    """A response as its author sees it: its latest revision (`details` and `answers`), every
    answer, sensitive ones included, and its state."""
    return {
        "tracking_number": item.tracking_number,
        "call": item.call.slug,
        "status": str(item.status),
        "revision": item.revision,
        "submitted_at": instant(item.submitted_at),
        "last_submitted_at": instant(item.last_submitted_at),
        "publication": str(item.publication),
        "respondent": {
            "respondent_type": str(details.respondent_type),
            "organisation_name": details.organisation_name,
            "sector": str(details.sector),
            "country": details.country,
            "consent": str(details.consent),
        },
        "answers": [
            {
                "question_id": answer.question_id,
                "text": answer.text,
                "choices": list(answer.choices),
                "scale": answer.scale,
                "sensitive": answer.sensitive,
                "files": [
                    {"file_name": f.original_name, "content_type": f.content_type, "size": f.size}
                    for f in answer.files
                ],
            }
            for answer in answers
        ],
        "links": {
            "self": url("api:response", tracking=item.tracking_number),
            "receipt": url("responses:receipt", tracking=item.tracking_number),
        },
    }
