"""What the API says about each thing: each serialiser returns a TypedDict, and the OpenAPI
document's schemas are made from those types (`consult.api.schema`), so the two cannot drift.

Responses are serialised only from `consult.moderation.public.PublicResponse`, the public view the
pages show, so nothing the pages hide can be written here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, TypedDict

from consult.api.http import PageLinks, instant
from consult.api.schema import Description, Format, Maximum, Minimum, Without
from consult.calls.models import Attachment, Call, CallPhase, Question, QuestionKind
from consult.calls.question_kinds import SCALE_VALUES, kinds_where
from consult.comments.models import Comment
from consult.moderation.public import PublicResponse
from consult.responses.models import (
    Answer,
    Consent,
    Publication,
    RespondentType,
    Response,
    ResponseRevision,
    ResponseStatus,
    RevisionAnswer,
)
from core.models import Topic
from core.vocabulary import Sector
from events.models import Recurrence, Session, SessionKind, SessionStatus
from events.recurrence import Occurrence

Url = Callable[..., str]  # url(route name, **path params) -> absolute URL

Link = Annotated[str, Format("uri")]
DateTime = Annotated[str, Format("date-time")]
Id = Annotated[int, Minimum(1)]


class CalendarLinks(TypedDict):
    """A topic's or session's links: itself in the API, its page, its calendar feed."""

    self: Link
    page: Link
    calendar: Link


class TopicOut(TypedDict):
    slug: str
    name: str
    summary: str
    description: str
    links: CalendarLinks


class TopicListOut(TypedDict):
    data: list[TopicOut]


def topic(item: Topic, url: Url) -> TopicOut:
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


class CallLinks(TypedDict):
    self: Link
    page: Link
    responses: Link
    comments: Link


class CallOut(TypedDict):
    slug: str
    title: str
    summary: str
    topic: Annotated[str, Description("The topic's slug.")]
    status: Annotated[CallPhase, Without(CallPhase.DRAFT)]
    opens_at: DateTime
    closes_at: DateTime
    timezone: Annotated[str, Description("IANA zone the organisers work in.")]
    accepts_responses: bool
    updated_at: DateTime
    links: CallLinks


class CallListOut(TypedDict):
    data: list[CallOut]
    links: PageLinks


def call(item: Call, url: Url, now: datetime) -> CallOut:
    return {
        "slug": item.slug,
        "title": item.title,
        "summary": item.summary,
        "topic": item.topic.slug,
        "status": item.phase(now),
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


class QuestionOut(TypedDict):
    id: Id
    position: int
    kind: QuestionKind
    prompt: str
    help_text: str
    required: bool
    word_limit: int | None
    options: list[str]


def question(item: Question) -> QuestionOut:
    return {
        "id": item.id,
        "position": item.position,
        "kind": item.kind,
        "prompt": item.prompt,
        "help_text": item.help_text,
        "required": item.required,
        "word_limit": item.word_limit,
        "options": list(item.options),
    }


class DocumentOut(TypedDict):
    title: str
    file_name: str
    content_type: str
    size: int
    url: Link | None


def document(item: Attachment, url: Url) -> DocumentOut:
    return {
        "title": item.title or item.original_name,
        "file_name": item.original_name,
        "content_type": item.content_type,
        "size": item.size,
        "url": url("calls:document", slug=item.call.slug, attachment_id=item.id)
        if item.call
        else None,
    }


class CallDetailOut(CallOut):
    body: Annotated[str, Description("Markdown.")]
    outcome: str
    outcome_published_at: DateTime | None
    published_responses: int
    questions: list[QuestionOut]
    documents: list[DocumentOut]


def call_detail(
    item: Call,
    url: Url,
    now: datetime,
    questions: list[Question],
    documents: list[Attachment],
    published: int,
) -> CallDetailOut:
    return {
        **call(item, url, now),
        "body": item.body,
        "outcome": item.outcome if item.outcome_published_at else "",
        "outcome_published_at": instant(item.outcome_published_at),
        "published_responses": published,
        "questions": [question(q) for q in questions],
        "documents": [document(d, url) for d in documents],
    }


class PublishedAnswerOut(TypedDict):
    question_id: Id
    prompt: str
    kind: Annotated[QuestionKind, Without(*kinds_where(lambda rules: not rules.published))]
    text: Annotated[str, Description("With every redacted span replaced by “[redacted]”.")]
    choices: list[str]
    scale: Annotated[int, Minimum(SCALE_VALUES[0]), Maximum(SCALE_VALUES[-1])] | None


class PublishedResponseLinks(TypedDict):
    call_responses_page: Link
    not_me: Link


class PublishedResponseOut(TypedDict):
    id: Id
    call: str
    author: Annotated[
        str, Description("“Anonymous respondent” unless its author chose to be named.")
    ]
    respondent_type: RespondentType
    sector: Sector
    country: Annotated[str, Description("ISO 3166-1 alpha-2.")]
    submitted_at: DateTime | None
    answers: list[PublishedAnswerOut]
    links: PublishedResponseLinks


class PublishedResponseListOut(TypedDict):
    data: list[PublishedResponseOut]
    total: Annotated[int, Minimum(0)]
    links: PageLinks


def public_response(item: PublicResponse, slug: str, url: Url) -> PublishedResponseOut:
    return {
        "id": item.id,
        "call": slug,
        "author": item.author,
        "respondent_type": item.respondent_type,
        "sector": item.sector,
        "country": item.country,
        "submitted_at": instant(item.submitted_at),
        "answers": [
            {
                "question_id": answer.question_id,
                "prompt": answer.prompt,
                "kind": answer.kind,
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


class CommentOut(TypedDict):
    id: Id
    parent_id: Id | None
    author: str
    body: Annotated[str, Description("Markdown as written.")]
    body_html: Annotated[str, Description("The Markdown rendered, sanitised.")]
    created_at: DateTime


class CommentListOut(TypedDict):
    data: list[CommentOut]


def comment(item: Comment, body_html: str) -> CommentOut:
    return {
        "id": item.id,
        "parent_id": item.parent_id,
        "author": item.author.display_name if item.author else "A former participant",
        "body": item.body,
        "body_html": body_html,
        "created_at": instant(item.created_at),
    }


class OccurrenceOut(TypedDict):
    starts_at: DateTime
    ends_at: DateTime
    original_start: Annotated[
        DateTime, Description("The start the series rule gave it (its RECURRENCE-ID).")
    ]
    cancelled: bool
    moved: bool


def occurrence(item: Occurrence) -> OccurrenceOut:
    return {
        "starts_at": instant(item.starts_at),
        "ends_at": instant(item.ends_at),
        "original_start": instant(item.original_start),
        "cancelled": item.cancelled,
        "moved": item.moved,
    }


class RecurrenceOut(TypedDict):
    frequency: Annotated[Recurrence, Without(Recurrence.NONE)]
    count: int | None
    until: DateTime | None


class SessionOut(TypedDict):
    slug: str
    title: str
    description: str
    kind: SessionKind
    topics: list[str]
    call: str | None
    timezone: str
    location: str
    online: Annotated[
        bool,
        Description("Whether it can be joined online (the link goes to registered people)."),
    ]
    capacity: int | None
    status: SessionStatus
    sequence: int
    recurrence: RecurrenceOut | None
    occurrences: list[OccurrenceOut]
    links: CalendarLinks


# The range a sessions request covers ("from" is a keyword, so these are written as calls).
Range = TypedDict("Range", {"from": DateTime, "to": DateTime})
SessionListOut = TypedDict(
    "SessionListOut", {"data": list[SessionOut], "from": DateTime, "to": DateTime}
)


class SessionDetailOut(SessionOut, Range):
    """A session with the range its occurrences were picked from."""


def session(item: Session, url: Url, dates: list[Occurrence]) -> SessionOut:
    return {
        "slug": item.slug,
        "title": item.title,
        "description": item.description,
        "kind": item.kind,
        "topics": [t.slug for t in item.topics],
        "call": item.call.slug if item.call and item.call.is_public() else None,
        "timezone": item.timezone,
        "location": item.location,
        # The joining link is for registered people only, as on the session's page.
        "online": bool(item.online_url),
        "capacity": item.capacity,
        "status": item.status,
        "sequence": item.sequence,
        "recurrence": None
        if not item.is_recurring
        else {
            "frequency": item.recurrence,
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


class RespondentOut(TypedDict):
    respondent_type: RespondentType
    organisation_name: str
    sector: Sector
    country: str
    consent: Consent


class FileOut(TypedDict):
    file_name: str
    content_type: str
    size: int


class OwnAnswerOut(TypedDict):
    question_id: Id
    text: str
    choices: list[str]
    scale: int | None
    sensitive: bool
    files: list[FileOut]


class OwnResponseLinks(TypedDict):
    self: Link
    receipt: Link


class OwnResponseOut(TypedDict):
    tracking_number: str
    call: str
    status: ResponseStatus
    revision: int
    submitted_at: DateTime | None
    last_submitted_at: DateTime | None
    publication: Publication
    respondent: RespondentOut
    answers: list[OwnAnswerOut]
    links: OwnResponseLinks


def own_response(
    item: Response,
    url: Url,
    details: Response | ResponseRevision,
    answers: Sequence[Answer | RevisionAnswer],
) -> OwnResponseOut:
    """A response as its author sees it: its latest revision (`details` and `answers`), every
    answer, sensitive ones included, and its state."""
    tracking = item.tracking_number
    assert tracking is not None  # a response gets its number when first submitted
    return {
        "tracking_number": tracking,
        "call": item.call.slug,
        "status": item.status,
        "revision": item.revision,
        "submitted_at": instant(item.submitted_at),
        "last_submitted_at": instant(item.last_submitted_at),
        "publication": item.publication,
        "respondent": {
            "respondent_type": details.respondent_type,
            "organisation_name": details.organisation_name,
            "sector": details.sector,
            "country": details.country,
            "consent": details.consent,
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
            "self": url("api:response", tracking=tracking),
            "receipt": url("responses:receipt", tracking=tracking),
        },
    }
