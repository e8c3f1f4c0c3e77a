"""What the moderators' pages read: the workspace's counts per call, the filtered list of a call's
responses, one response in full beside its public preview, and the queues of responses to
moderate and of "this was not me" reports.

Organisers see everything of a submitted response; what the public would see comes from
`consult.moderation.public`, the one place the publication rules live.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from consult.calls.models import Attachment, Call, Question
from consult.calls.question_kinds import KINDS
from consult.comments.models import Comment, CommentStatus
from consult.moderation.models import NotMeReport, Redaction, ReportStatus
from consult.moderation.public import (
    PublicResponse,
    may_be_published,
    revision_views,
)
from consult.responses.models import (
    PUBLISHABLE_CONSENT,
    Answer,
    Consent,
    Publication,
    RespondentType,
    Response,
    ResponseRevision,
    ResponseStatus,
    RevisionAnswer,
)
from core.models import Person
from core.queries import Page, paginate
from core.vocabulary import Labelled, Sector

PAGE_SIZE = 50
QUEUE_SIZE = 20
SEARCH_MAX = 200


class ModerationStatus(Labelled):
    """Where a submitted response stands: the moderators' decision, or why there can be none."""

    TO_MODERATE = "to_moderate", "To moderate"
    PUBLISHED = "published", "Published"
    HELD = "held", "Held"
    NOT_PUBLISHABLE = "not_publishable", "Not for publication"

    @property
    def condition(self) -> Q:
        """The same rule as `moderation_status`, as a filter on submitted responses."""
        if self == ModerationStatus.NOT_PUBLISHABLE:
            return Q(consent=Consent.DO_NOT_PUBLISH)
        publication = {
            ModerationStatus.TO_MODERATE: Publication.PENDING,
            ModerationStatus.PUBLISHED: Publication.PUBLISHED,
            ModerationStatus.HELD: Publication.HELD,
        }[self]
        return Q(publication=publication, consent__in=PUBLISHABLE_CONSENT)


def moderation_status(response: Response) -> ModerationStatus:
    if not may_be_published(response):
        return ModerationStatus.NOT_PUBLISHABLE
    return {
        Publication.PENDING: ModerationStatus.TO_MODERATE,
        Publication.PUBLISHED: ModerationStatus.PUBLISHED,
        Publication.HELD: ModerationStatus.HELD,
    }[response.publication]


class Sort(Labelled):
    NEWEST = "newest", "Newest first"
    OLDEST = "oldest", "Oldest first"
    TRACKING = "tracking", "Tracking number"

    @property
    def ordering(self) -> tuple[str, ...]:
        return {
            "newest": ("-submitted_at", "-id"),
            "oldest": ("submitted_at", "id"),
            "tracking": ("tracking_number", "id"),
        }[self.value]


# ---------------------------------------------------------------- The workspace


@dataclass(frozen=True)
class CallCounts:
    """One call on the workspace home, with what waits for its organisers."""

    call: Call
    submitted: int
    to_moderate: int
    published: int
    held: int
    comments_waiting: int
    open_reports: int


async def _count_by(query: QuerySet, key: str) -> dict[int, int]:
    rows = await query.annotate(n=Count("id")).group_by(key).values_list(key, "n")
    return {int(call_id): int(n) for call_id, n in rows}


async def workspace_calls(person: Person) -> list[CallCounts]:
    """The calls `person` organises (admins: every call), newest first, counted in six queries."""
    query = Call.all() if person.is_admin else Call.filter(team__id=person.id)
    calls = await query.select_related("topic").order_by("-created_at", "-id")
    ids = [call.id for call in calls]
    submitted = Response.filter(call_id__in=ids, status=ResponseStatus.SUBMITTED)
    counts = [
        await _count_by(submitted, "call_id"),
        *[
            await _count_by(submitted.filter(status.condition), "call_id")
            for status in (
                ModerationStatus.TO_MODERATE,
                ModerationStatus.PUBLISHED,
                ModerationStatus.HELD,
            )
        ],
        await _count_by(Comment.filter(call_id__in=ids, status=CommentStatus.PENDING), "call_id"),
        await _count_by(
            NotMeReport.filter(response__call_id__in=ids, status=ReportStatus.OPEN),
            "response__call_id",
        ),
    ]
    return [CallCounts(call, *(count.get(call.id, 0) for count in counts)) for call in calls]


# ---------------------------------------------------------------- A call's responses


@dataclass(frozen=True)
class ResponseFilters:
    """What an organiser narrows a call's responses to; empty values filter nothing."""

    status: ModerationStatus | None = None
    sector: Sector | None = None
    country: str = ""
    respondent_type: RespondentType | None = None
    search: str = ""
    sort: Sort = Sort.NEWEST


@dataclass(frozen=True)
class ResponseRow:
    response: Response
    sensitive: int

    @property
    def status(self) -> ModerationStatus:
        return moderation_status(self.response)


def submitted_responses(call: Call) -> QuerySet[Response]:
    """Every response of `call` its organisers may read: submitted (drafts and withdrawn are not)."""
    return Response.filter(call_id=call.id, status=ResponseStatus.SUBMITTED)


def _filtered(call: Call, filters: ResponseFilters) -> QuerySet[Response]:
    query = submitted_responses(call)
    if filters.status is not None:
        query = query.filter(filters.status.condition)
    if filters.sector is not None:
        query = query.filter(sector=filters.sector)
    if filters.country:
        query = query.filter(country=filters.country)
    if filters.respondent_type is not None:
        query = query.filter(respondent_type=filters.respondent_type)
    if filters.search:
        # A plain substring match: the organisers' list of one call, not the public full-text search.
        text = filters.search[:SEARCH_MAX]
        answering = Answer.filter(response__call_id=call.id, text__icontains=text)
        query = query.filter(
            Q(id__in=Subquery(answering.values("response_id")))
            | Q(organisation_name__icontains=text)
        )
    return query.order_by(*filters.sort.ordering)


async def responses_page(
    call: Call, filters: ResponseFilters, *, page: int, size: int = PAGE_SIZE
) -> Page[ResponseRow]:
    """One page of the call's submitted responses, filtered and sorted, with sensitive counts."""
    found = await paginate(
        _filtered(call, filters).select_related("respondent"), page=page, size=size
    )
    sensitive = await _sensitive_counts(r.id for r in found.items)
    rows = [ResponseRow(r, sensitive.get(r.id, 0)) for r in found.items]
    return Page(rows, found.number, found.total, found.size)


async def _sensitive_counts(response_ids: Iterable[int]) -> dict[int, int]:
    ids = list(response_ids)
    if not ids:
        return {}
    return await _count_by(Answer.filter(response_id__in=ids, sensitive=True), "response_id")


# ---------------------------------------------------------------- Previews


async def public_previews(responses: list[Response]) -> dict[int, PublicResponse]:
    """What the public would see of each response's latest revision once published, by response
    id. A response that may not be published has no preview; nothing is changed."""
    pairs = [
        (r, r.latest_revision_id)
        for r in responses
        if may_be_published(r) and r.latest_revision_id is not None
    ]
    return {view.id: view for view in await revision_views(pairs)}


# ---------------------------------------------------------------- One response


@dataclass(frozen=True)
class AnswerInFull:
    """A question with the stored answer (if any), its files and its redactions.

    `answer` is the latest revision's answer (the response row's copy, with its files);
    `redactable` the same answer as stored in that revision, which redactions belong to."""

    question: Question
    answer: Answer | None
    files: list[Attachment]
    redactions: list[Redaction]
    redactable: RevisionAnswer | None = None

    @property
    def has_text(self) -> bool:
        return self.answer is not None and bool(self.answer.text)


@dataclass(frozen=True)
class RevisionChange:
    """How the latest revision's answer to a question differs from the published one."""

    question: Question
    published: str
    latest: str

    @property
    def words(self) -> list[tuple[str, str]]:
        """(kind, text) pieces for a readable diff: "same", "removed" or "added" words."""
        return word_diff(self.published, self.latest)


@dataclass(frozen=True)
class ResponseInFull:
    response: Response
    answers: list[AnswerInFull]
    preview: PublicResponse | None
    reports: list[NotMeReport]
    revisions: list[ResponseRevision] = field(default_factory=list)
    published: PublicResponse | None = None  # the public view now, when it is another revision
    changes: list[RevisionChange] = field(default_factory=list)
    redactions_to_carry: int = 0

    @property
    def status(self) -> ModerationStatus:
        return moderation_status(self.response)

    @property
    def redactable(self) -> list[AnswerInFull]:
        """Answers with text a moderator can hide parts of."""
        return [
            a
            for a in self.answers
            if a.has_text and a.redactable is not None and KINDS[a.question.kind].published
        ]

    @property
    def sensitive(self) -> int:
        return sum(1 for a in self.answers if a.answer is not None and a.answer.sensitive)

    @property
    def awaits_new_revision(self) -> bool:
        """A newer revision than the published one waits for a decision."""
        r = self.response
        return (
            r.published_revision_id is not None and r.latest_revision_id != r.published_revision_id
        )

    def answer_with_id(self, answer_id: int) -> RevisionAnswer | None:
        """One of the latest revision's answers that has text to redact, by id."""
        return next(
            (
                a.redactable
                for a in self.redactable
                if a.redactable is not None and a.redactable.id == answer_id
            ),
            None,
        )

    def preview_of(self, question: Question) -> str | None:
        """The public text of the answer to `question`, None when the public sees none of it."""
        if self.preview is None:
            return None
        for answer in self.preview.answers:
            if answer.question_id == question.id:
                return answer.text
        return None


async def submitted_response(call: Call, response_id: int) -> Response | None:
    return (
        await submitted_responses(call)
        .filter(id=response_id)
        .select_related("respondent", "publication_decided_by")
        .first()
    )


async def response_in_full(call: Call, response_id: int) -> ResponseInFull | None:
    """A submitted response of `call` with every answer, file and redaction of its latest
    revision, beside its preview, its history and what changed since the published revision."""
    response = await submitted_response(call, response_id)
    if response is None:
        return None
    questions = await Question.filter(call_id=call.id).order_by("position", "id")
    answers = {
        a.question_id: a
        for a in await Answer.filter(response_id=response.id).prefetch_related("files")
    }
    latest = {
        a.question_id: a
        for a in await RevisionAnswer.filter(revision_id=response.latest_revision_id or 0)
    }
    spans: dict[int, list[Redaction]] = defaultdict(list)
    for span in await Redaction.filter(
        answer__revision_id=response.latest_revision_id or 0
    ).select_related("created_by", "answer"):
        spans[span.answer.question_id].append(span)
    rows = []
    for question in questions:
        answer = answers.get(question.id)
        files = list(answer.files) if answer is not None else []
        rows.append(
            AnswerInFull(question, answer, files, spans[question.id], latest.get(question.id))
        )
    previews = await public_previews([response])
    reports = await NotMeReport.filter(response_id=response.id).order_by("-created_at", "-id")
    history = await ResponseRevision.filter(
        response_id=response.id, submitted_at__isnull=False
    ).order_by("-number")
    published, changes, to_carry = None, [], 0
    if (
        response.published_revision_id is not None
        and response.published_revision_id != response.latest_revision_id
    ):
        views = await revision_views([(response, response.published_revision_id)])
        published = views[0] if views else None
        before = {
            a.question_id: a.text
            for a in await RevisionAnswer.filter(revision_id=response.published_revision_id)
        }
        changes = [
            RevisionChange(q, before.get(q.id, ""), latest[q.id].text if q.id in latest else "")
            for q in questions
            if KINDS[q.kind].published
            and before.get(q.id, "") != (latest[q.id].text if q.id in latest else "")
        ]
        to_carry = await Redaction.filter(
            answer__revision_id=response.published_revision_id
        ).count()
    return ResponseInFull(
        response,
        rows,
        previews.get(response.id),
        list(reports),
        list(history),
        published,
        changes,
        to_carry,
    )


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The words of `after` against `before`, as (kind, text): "same", "removed" or "added"."""
    old, new = re.split(r"(\s+)", before), re.split(r"(\s+)", after)
    pieces: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("removed", "".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(("added", "".join(new[j1:j2])))
    return pieces


# ---------------------------------------------------------------- Queues


@dataclass(frozen=True)
class QueueItem:
    response: Response
    preview: PublicResponse | None
    sensitive: int


async def moderation_queue(call: Call, *, page: int, size: int = QUEUE_SIZE) -> Page[QueueItem]:
    """The call's responses waiting for a decision, oldest first, each with its public preview."""
    query = submitted_responses(call).filter(ModerationStatus.TO_MODERATE.condition)
    found = await paginate(
        query.select_related("respondent").order_by("submitted_at", "id"), page=page, size=size
    )
    previews = await public_previews(found.items)
    sensitive = await _sensitive_counts(r.id for r in found.items)
    items = [QueueItem(r, previews.get(r.id), sensitive.get(r.id, 0)) for r in found.items]
    return Page(items, found.number, found.total, found.size)


async def not_me_reports(call: Call, *, page: int, size: int = PAGE_SIZE) -> Page[NotMeReport]:
    """Reports on the call's responses: open ones first, then newest first."""
    query = NotMeReport.filter(response__call_id=call.id).select_related("response", "resolved_by")
    return await paginate(query.order_by("status", "-created_at", "-id"), page=page, size=size)


async def report_on_call(call: Call, report_id: int) -> NotMeReport | None:
    return (
        await NotMeReport.filter(id=report_id, response__call_id=call.id)
        .select_related("response")
        .first()
    )
