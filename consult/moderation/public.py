"""What the public may see of a response: the one place the publication rules live.

Every public surface (the published-responses pages, the open-data exports, the search index, the
API) reads responses through this module, so a sensitive answer or a redacted span cannot reach
one of them by a different path. A response is public when it was submitted, its author consented
to publication and a moderator published it. Of a public response the public sees the answers not
marked commercially sensitive, with every redacted span replaced by "[redacted]", and the author's
name only under "publish with my name". Uploaded files are never public: they cannot be redacted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet

from consult.calls.models import (
    Answer,
    Call,
    Consent,
    Publication,
    Question,
    QuestionKind,
    RespondentType,
    Response,
    ResponseStatus,
)
from consult.moderation.models import Redaction, ResponseSearch
from consult.vocabulary import Sector, country_name

REDACTED = "[redacted]"
PUBLISHABLE_CONSENT = (Consent.PUBLISH_NAMED, Consent.PUBLISH_ANONYMOUS)
ANONYMOUS = "Anonymous respondent"


def public_responses_of(call: Call | int) -> QuerySet[Response]:
    """The responses of `call` anyone may read (filter and order it further as needed)."""
    call_id = call if isinstance(call, int) else call.id
    return Response.filter(
        call_id=call_id,
        status=ResponseStatus.SUBMITTED,
        publication=Publication.PUBLISHED,
        consent__in=PUBLISHABLE_CONSENT,
    )


def may_be_published(response: Response) -> bool:
    """Whether a moderator may publish it: submitted, and its author consented."""
    return response.status == ResponseStatus.SUBMITTED and response.consent in PUBLISHABLE_CONSENT


def is_public(response: Response) -> bool:
    return may_be_published(response) and response.publication == Publication.PUBLISHED


@dataclass(frozen=True)
class PublicAnswer:
    question_id: int
    prompt: str
    kind: QuestionKind
    text: str
    choices: tuple[str, ...]
    scale: int | None

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.choices or self.scale is not None)


@dataclass(frozen=True)
class PublicResponse:
    id: int
    call_id: int
    author: str
    respondent_type: RespondentType
    sector: Sector
    country: str
    submitted_at: datetime | None
    answers: tuple[PublicAnswer, ...]

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def text(self) -> str:
        """All public words of the response, for the search index."""
        parts = [self.author] if self.author != ANONYMOUS else []
        for answer in self.answers:
            parts.extend([answer.text, *answer.choices])
        return "\n".join(part for part in parts if part)


def redact(text: str, spans: list[Redaction]) -> str:
    """`text` with each span replaced by "[redacted]" (overlapping spans merged).

    A span whose recorded text no longer sits at its offsets (the answer was edited since) is
    looked for elsewhere in the text; when it cannot be found the whole answer is withheld, since
    showing a span we cannot place could show the very thing that was redacted.
    """
    placed: list[tuple[int, int]] = []
    for span in spans:
        if text[span.start : span.end] == span.original:
            placed.append((span.start, span.end))
            continue
        found = text.find(span.original) if span.original else -1
        if found < 0:
            return REDACTED
        placed.append((found, found + len(span.original)))
    merged: list[list[int]] = []
    for start, end in sorted(placed):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, cursor = [], 0
    for start, end in merged:
        out.extend([text[cursor:start], REDACTED])
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def author_of(response: Response) -> str:
    """The name shown publicly: only under "publish with my name", and never once anonymised."""
    if response.consent != Consent.PUBLISH_NAMED or response.anonymised_at is not None:
        return ANONYMOUS
    if response.respondent_type == RespondentType.ORGANISATION and response.organisation_name:
        return response.organisation_name
    respondent = response.respondent if response.respondent_id is not None else None
    return respondent.display_name if respondent is not None else ANONYMOUS


class _AnswerRow(NamedTuple):
    id: int
    response_id: int
    question_id: int
    text: str
    choices: list[str]
    scale: int | None


# What `public_views` reads of a response: load only these when reading many (`.only(*...)`).
PUBLIC_VIEW_FIELDS = (
    "id",
    "call_id",
    "status",
    "consent",
    "publication",
    "anonymised_at",
    "respondent_id",
    "respondent_type",
    "organisation_name",
    "sector",
    "country",
    "submitted_at",
)


async def public_views(responses: list[Response]) -> list[PublicResponse]:
    """The public view of each response given, in order; responses that are not public are left out.

    Loads answers, questions and redactions for all of them in three queries.
    """
    shown = [r for r in responses if is_public(r)]
    if not shown:
        return []
    ids = [r.id for r in shown]
    needs_names = [r for r in shown if r.consent == Consent.PUBLISH_NAMED]
    if needs_names:
        await Response.fetch_for_list(needs_names, "respondent")
    # Plain rows, not models: building a model per answer was half the time of an export.
    answers = [
        _AnswerRow(*row)
        for row in await Answer.filter(response_id__in=ids, sensitive=False)
        .order_by("id")
        .values_list("id", "response_id", "question_id", "text", "choices", "scale")
    ]
    questions = {
        q.id: q
        for q in await Question.filter(id__in={a.question_id for a in answers}).order_by(
            "position", "id"
        )
    }
    spans: dict[int, list[Redaction]] = defaultdict(list)
    # By response, not by answer: a batch's response ids are fewer query parameters.
    for span in await Redaction.filter(answer__response_id__in=ids, answer__sensitive=False):
        spans[span.answer_id].append(span)
    by_response: dict[int, list[_AnswerRow]] = defaultdict(list)
    for answer in answers:
        by_response[answer.response_id].append(answer)

    views = []
    for response in shown:
        public_answers = []
        ordered = sorted(
            by_response[response.id],
            key=lambda a: (questions[a.question_id].position, a.question_id),
        )
        for answer in ordered:
            question = questions[answer.question_id]
            if question.kind == QuestionKind.FILE:
                continue
            public_answers.append(
                PublicAnswer(
                    question.id,
                    question.prompt,
                    question.kind,
                    redact(answer.text, spans[answer.id]) if answer.text else "",
                    tuple(answer.choices),
                    answer.scale,
                )
            )
        views.append(
            PublicResponse(
                id=response.id,
                call_id=response.call_id,
                author=author_of(response),
                respondent_type=response.respondent_type,
                sector=response.sector,
                country=response.country,
                submitted_at=response.submitted_at,
                answers=tuple(a for a in public_answers if not a.is_empty),
            )
        )
    return views


async def refresh_public_text(response_id: int) -> None:
    """Bring the search index in step with the response: its public text, or no row at all."""
    response = await Response.get_or_none(id=response_id)
    views = await public_views([response]) if response is not None else []
    if not views:
        await ResponseSearch.filter(response_id=response_id).delete()
        return
    view = views[0]
    updated = await ResponseSearch.filter(response_id=response_id).update(body=view.text)
    if updated:
        return
    try:
        await ResponseSearch.create(response_id=response_id, call_id=view.call_id, body=view.text)
    except IntegrityError:  # another request indexed it first; ours is the newer text
        await ResponseSearch.filter(response_id=response_id).update(body=view.text)


async def rebuild_public_text(call_id: int, *, batch: int = 500) -> int:
    """Rewrite the search index of a whole call (after bulk changes); the number of rows indexed."""
    await ResponseSearch.filter(call_id=call_id).delete()
    indexed, last_id = 0, 0
    while True:
        page = await public_responses_of(call_id).filter(id__gt=last_id).order_by("id").limit(batch)
        if not page:
            return indexed
        views = await public_views(page)
        await ResponseSearch.bulk_create(
            [ResponseSearch(response_id=v.id, call_id=v.call_id, body=v.text) for v in views]
        )
        indexed += len(views)
        last_id = page[-1].id
