"""The responses of a call as a table: its columns, and its rows read in batches.

Rows come from the database `CHUNK` responses at a time, by id (keyset paging, "id > the last one
sent", never OFFSET), so an export holds one batch in memory, never the call.
The public table is built from `consult.moderation.public` and nothing else, so it holds exactly
what the published-responses page shows; the organisers' table holds everything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from consult.calls.models import Attachment, AttachmentKind, Call, Question
from consult.calls.question_kinds import (
    CHOICE_SEPARATOR,
    KINDS,
    SCALE_VALUES,
    AnswerPart,
    AnswerValues,
)
from consult.moderation.models import Redaction
from consult.moderation.public import (
    PUBLIC_VIEW_FIELDS,
    PublicAnswer,
    public_responses_of,
    public_views,
)
from consult.responses.models import (
    Answer,
    Consent,
    Publication,
    RespondentType,
    Response,
    ResponseStatus,
)
from core.vocabulary import Sector

# Responses per query. Each batch also loads its answers, redactions and files by these
# responses' ids, so this bounds the query parameters too (1,000 keeps memory flat and round
# trips few: bench/published.py).
CHUNK = 1000

Cell = str | int | bool | None
Row = list[Cell]


@dataclass(frozen=True)
class Column:
    """One column, described as a Frictionless Table Schema field."""

    name: str
    type: str  # "integer", "string", "datetime" or "boolean"
    description: str
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


@dataclass
class Table:
    columns: list[Column]
    batches: AsyncIterator[list[Row]] = field(repr=False)

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]


def utc_text(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, e.g. "2026-11-24T11:00:00Z"."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def question_label(number: int, question: Question) -> str:
    """A question's column: its number on the call page and its prompt, e.g. "Q3. Who should lead?"."""
    return f"Q{number}. {question.prompt}"


async def numbered_questions(call: Call) -> list[tuple[int, Question]]:
    """The call's questions with their numbers as the call page shows them (1, 2, …)."""
    questions = await Question.filter(call_id=call.id).order_by("position", "id")
    return list(enumerate(questions, start=1))


def _question_column(number: int, question: Question, description: str) -> Column:
    rules = KINDS[question.kind]
    label, described = question_label(number, question), f"{description}{rules.export_note}"
    if rules.part is AnswerPart.SCALE:
        return Column(
            label, "integer", described, minimum=SCALE_VALUES[0], maximum=SCALE_VALUES[-1]
        )
    return Column(label, "string", described)


def enum_values(
    kind: type[Sector] | type[RespondentType] | type[Consent] | type[Publication],
) -> tuple[str, ...]:
    return tuple(member.value for member in kind)


PUBLIC_COLUMNS = [
    Column("id", "integer", "The response's number on the published-responses page."),
    Column(
        "author",
        "string",
        "The respondent's name or organisation, only when they asked to be published with "
        "their name; otherwise “Anonymous respondent”.",
    ),
    Column(
        "respondent_type",
        "string",
        "Whether they responded as an individual or for an organisation.",
        enum=enum_values(RespondentType),
    ),
    Column("sector", "string", "The respondent's sector.", enum=enum_values(Sector)),
    Column("country", "string", "The respondent's country, as an ISO 3166-1 alpha-2 code."),
    Column("submitted_at", "datetime", "When the response was first submitted (UTC)."),
]


def _public_value(question: Question, answer: PublicAnswer | None) -> Cell:
    if answer is None:
        return None
    return KINDS[question.kind].cell(AnswerValues(answer.text, answer.choices, answer.scale))


async def _public_questions(call: Call) -> list[tuple[int, Question]]:
    return [(n, q) for n, q in await numbered_questions(call) if KINDS[q.kind].published]


def _public_columns(questions: list[tuple[int, Question]]) -> list[Column]:
    described = "The answer as published; removed personal details read “[redacted]”."
    return PUBLIC_COLUMNS + [_question_column(n, q, described) for n, q in questions]


async def public_columns(call: Call) -> list[Column]:
    return _public_columns(await _public_questions(call))


async def _public_batches(
    call: Call, questions: list[tuple[int, Question]], chunk: int
) -> AsyncIterator[list[Row]]:
    last_id = 0
    while True:
        responses = (
            await public_responses_of(call)
            .filter(id__gt=last_id)
            .order_by("id")
            .limit(chunk)
            .only(*PUBLIC_VIEW_FIELDS)
        )
        if not responses:
            return
        last_id = responses[-1].id
        rows: list[Row] = []
        for view in await public_views(responses):
            answers = {answer.question_id: answer for answer in view.answers}
            rows.append(
                [
                    view.id,
                    view.author,
                    view.respondent_type.value,
                    view.sector.value,
                    view.country or None,
                    utc_text(view.submitted_at),
                    *(_public_value(q, answers.get(q.id)) for _, q in questions),
                ]
            )
        yield rows


async def public_table(call: Call, *, chunk: int = CHUNK) -> Table:
    """What the published-responses page shows, one row per public response, oldest first."""
    questions = await _public_questions(call)
    return Table(_public_columns(questions), _public_batches(call, questions, chunk))


ORGANISER_COLUMNS = [
    Column("id", "integer", "The response's number."),
    Column("tracking_number", "string", "The tracking number on the respondent's receipt."),
    Column("submitted_at", "datetime", "When the response was first submitted (UTC)."),
    Column("last_submitted_at", "datetime", "When it was last submitted, after any changes (UTC)."),
    Column("revision", "integer", "How many times it was submitted."),
    Column("respondent_name", "string", "The account holder's name (empty once anonymised)."),
    Column("respondent_email", "string", "The account holder's email (empty once anonymised)."),
    Column(
        "respondent_type", "string", "Individual or organisation.", enum=enum_values(RespondentType)
    ),
    Column("organisation_name", "string", "The organisation responded for, if any."),
    Column("sector", "string", "The respondent's sector.", enum=enum_values(Sector)),
    Column("country", "string", "ISO 3166-1 alpha-2 code."),
    Column("consent", "string", "The respondent's publication choice.", enum=enum_values(Consent)),
    Column("publication", "string", "The moderators' decision.", enum=enum_values(Publication)),
    Column("publication_decided_at", "datetime", "When the moderators decided (UTC)."),
    Column("anonymised_at", "datetime", "When the retention job anonymised it (UTC)."),
    Column("campaign_id", "integer", "The form-letter campaign it belongs to, if any."),
    Column("campaign_extra", "string", "What the respondent added to the campaign's template."),
    Column(
        "sensitive_answers",
        "string",
        "The questions whose answers the respondent marked commercially sensitive (never published), e.g. “Q2; Q5”.",
    ),
    Column(
        "redactions",
        "string",
        "Spans hidden from the public, one a line: question, character offsets, the hidden text and the reason.",
    ),
]


def _original_value(question: Question, answer: Answer | None, files: Sequence[Attachment]) -> Cell:
    if answer is None:
        return None
    file_names = [file.original_name for file in files]
    return KINDS[question.kind].cell(
        AnswerValues(answer.text, answer.choices, answer.scale, file_names)
    )


@dataclass(frozen=True)
class _Batch:
    """What one batch of responses needs besides the responses: answers, redactions, files."""

    answers: dict[int, dict[int, Answer]]  # response id → question id → answer
    spans: dict[tuple[int, int], list[Redaction]]  # (response id, question id) → its redactions
    files: dict[int, list[Attachment]]  # answer id → its files

    @classmethod
    async def load(cls, response_ids: list[int]) -> _Batch:
        answers: dict[int, dict[int, Answer]] = defaultdict(dict)
        for answer in await Answer.filter(response_id__in=response_ids):
            answers[answer.response_id][answer.question_id] = answer
        # Redactions belong to a revision: the latest one is the one the response row holds.
        latest = {
            revision_id: response_id
            for revision_id, response_id in await Response.filter(
                id__in=response_ids, latest_revision_id__isnull=False
            ).values_list("latest_revision_id", "id")
        }
        spans: dict[tuple[int, int], list[Redaction]] = defaultdict(list)
        redactions = Redaction.filter(answer__revision_id__in=list(latest)).order_by("start", "id")
        for span in await redactions.select_related("answer"):
            spans[latest[span.answer.revision_id], span.answer.question_id].append(span)
        files: dict[int, list[Attachment]] = defaultdict(list)
        for file in await Attachment.filter(
            kind=AttachmentKind.RESPONSE_FILE, answer__response_id__in=response_ids
        ).order_by("id"):
            if file.answer_id is not None:
                files[file.answer_id].append(file)
        return cls(answers, spans, files)


def _organiser_row(response: Response, questions: list[tuple[int, Question]], batch: _Batch) -> Row:
    given = batch.answers[response.id]
    answered = [(n, given[q.id]) for n, q in questions if q.id in given]
    sensitive = CHOICE_SEPARATOR.join(f"Q{n}" for n, answer in answered if answer.sensitive)
    redactions = "\n".join(
        f"Q{n} [{span.start}:{span.end}] “{span.original}” ({span.reason})"
        for n, answer in answered
        for span in batch.spans[response.id, answer.question_id]
    )
    person = response.respondent
    return [
        response.id,
        response.tracking_number,
        utc_text(response.submitted_at),
        utc_text(response.last_submitted_at),
        response.revision,
        person.display_name if person else None,
        person.email if person else None,
        response.respondent_type.value,
        response.organisation_name or None,
        response.sector.value,
        response.country or None,
        response.consent.value,
        response.publication.value,
        utc_text(response.publication_decided_at),
        utc_text(response.anonymised_at),
        response.campaign_id,
        response.campaign_extra or None,
        sensitive or None,
        redactions or None,
        *(
            _original_value(
                q, given.get(q.id), batch.files[given[q.id].id] if q.id in given else []
            )
            for _, q in questions
        ),
    ]


async def _organiser_batches(
    call: Call, questions: list[tuple[int, Question]], chunk: int
) -> AsyncIterator[list[Row]]:
    last_id = 0
    submitted = Response.filter(call_id=call.id, status=ResponseStatus.SUBMITTED)
    while True:
        responses = (
            await submitted.filter(id__gt=last_id)
            .order_by("id")
            .limit(chunk)
            .select_related("respondent")
        )
        if not responses:
            return
        last_id = responses[-1].id
        batch = await _Batch.load([r.id for r in responses])
        yield [_organiser_row(response, questions, batch) for response in responses]


async def organiser_table(call: Call, *, chunk: int = CHUNK) -> Table:
    """Every submitted response with everything about it, published or not: for the call's team."""
    questions = await numbered_questions(call)
    described = "The answer as submitted (never redacted); files by their names."
    columns = ORGANISER_COLUMNS + [_question_column(n, q, described) for n, q in questions]
    return Table(columns, _organiser_batches(call, questions, chunk))
