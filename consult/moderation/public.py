"""What the public may see of a response: the one place the publication rules live.

Every public surface (the published-responses pages, the open-data exports, the search index, the
API) reads responses through this module, so a sensitive answer or a redacted span cannot reach
one of them by a different path. A response is public when it stands (submitted, not withdrawn)
and a moderator published one of its revisions in which its author consented to publication; the
public sees that revision (`published_revision`), never a later one still waiting for a moderator.
Of it the public sees the answers not marked commercially sensitive, with every redacted text
replaced by "[redacted]", and the author's name only under "publish with my name". Uploaded files are never public: they cannot be redacted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet

from consult.calls.models import Call, Question, QuestionKind
from consult.calls.question_kinds import KINDS
from consult.moderation.matching import occurrences
from consult.moderation.models import Redaction
from consult.responses.models import (
    PUBLISHABLE_CONSENT,
    Consent,
    RespondentType,
    Response,
    ResponseRevision,
    ResponseSearch,
    ResponseStatus,
    RevisionAnswer,
)
from core.vocabulary import Sector, country_name

REDACTED = "[redacted]"
ANONYMOUS = "Anonymous respondent"


def public_responses_of(call: Call | int) -> QuerySet[Response]:
    """The responses of `call` anyone may read (filter and order it further as needed)."""
    call_id = call if isinstance(call, int) else call.id
    return Response.filter(
        call_id=call_id, status=ResponseStatus.SUBMITTED, published_revision_id__isnull=False
    )


def may_be_published(response: Response) -> bool:
    """Whether a moderator may publish its latest revision: the response stands (submitted, not
    withdrawn) and its author agreed to publication (the row holds the latest revision's details)."""
    return response.status == ResponseStatus.SUBMITTED and response.consent in PUBLISHABLE_CONSENT


def is_public(response: Response) -> bool:
    return (
        response.status == ResponseStatus.SUBMITTED and response.published_revision_id is not None
    )


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
    """`text` with every occurrence of each redaction's text replaced by "[redacted]".

    Occurrences are found as `matching.occurrences` says (case and runs of white space do not
    matter), so the same phone number given twice is hidden twice. Overlapping spans merge. A
    redaction whose text cannot be found withholds the whole answer: a revision's text never
    changes, so that would be a bug, and showing the answer could show the very thing hidden.
    """
    placed: list[tuple[int, int]] = []
    for span in spans:
        found = occurrences(text, span.original)
        if not found:
            return REDACTED
        placed.extend(found)
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


def author_of(response: Response, revision: ResponseRevision) -> str:
    """The name shown publicly: only under "publish with my name", and never once anonymised."""
    if revision.consent != Consent.PUBLISH_NAMED or response.anonymised_at is not None:
        return ANONYMOUS
    if revision.respondent_type == RespondentType.ORGANISATION and revision.organisation_name:
        return revision.organisation_name
    respondent = response.respondent if response.respondent_id is not None else None
    return respondent.display_name if respondent is not None else ANONYMOUS


class _AnswerRow(NamedTuple):
    id: int
    revision_id: int
    question_id: int
    text: str
    choices: list[str]
    scale: int | None


# What `public_views` reads of a response: load only these when reading many (`.only(*...)`).
PUBLIC_VIEW_FIELDS = (
    "id",
    "call_id",
    "status",
    "anonymised_at",
    "respondent_id",
    "submitted_at",
    "published_revision_id",
)


async def public_views(responses: list[Response]) -> list[PublicResponse]:
    """The public view of each response given, in order; responses that are not public are left out.

    What the public sees is the response's published revision, never its latest or its draft.
    """
    return await revision_views(
        [
            (r, r.published_revision_id)
            for r in responses
            if is_public(r) and r.published_revision_id is not None
        ]
    )


async def revision_views(pairs: list[tuple[Response, int]]) -> list[PublicResponse]:
    """What the public sees, or would see once published, of each (response, revision id).

    Loads revisions, answers, questions and redactions for all of them in five queries.
    """
    if not pairs:
        return []
    revision_ids = [revision_id for _response, revision_id in pairs]
    revisions = {r.id: r for r in await ResponseRevision.filter(id__in=revision_ids)}
    named = [
        response
        for response, revision_id in pairs
        if revisions[revision_id].consent == Consent.PUBLISH_NAMED
        and revisions[revision_id].respondent_type != RespondentType.ORGANISATION
    ]
    if named:
        await Response.fetch_for_list(named, "respondent")
    # Plain rows, not models: building a model per answer was half the time of an export.
    answers = [
        _AnswerRow(*row)
        for row in await RevisionAnswer.filter(revision_id__in=revision_ids, sensitive=False)
        .order_by("id")
        .values_list("id", "revision_id", "question_id", "text", "choices", "scale")
    ]
    questions = {
        q.id: q
        for q in await Question.filter(id__in={a.question_id for a in answers}).order_by(
            "position", "id"
        )
    }
    spans: dict[int, list[Redaction]] = defaultdict(list)
    for span in await Redaction.filter(
        answer__revision_id__in=revision_ids, answer__sensitive=False
    ):
        spans[span.answer_id].append(span)
    by_revision: dict[int, list[_AnswerRow]] = defaultdict(list)
    for answer in answers:
        by_revision[answer.revision_id].append(answer)

    views = []
    for response, revision_id in pairs:
        revision = revisions[revision_id]
        public_answers = []
        ordered = sorted(
            by_revision[revision_id],
            key=lambda a: (questions[a.question_id].position, a.question_id),
        )
        for answer in ordered:
            question = questions[answer.question_id]
            if not KINDS[question.kind].published:
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
                author=author_of(response, revision),
                respondent_type=revision.respondent_type,
                sector=revision.sector,
                country=revision.country,
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
