"""The rules of answering a call: drafts, answers, files, submission, editing and withdrawal.

Every write checks the deadline against the clock at that moment (`require_open`): after
`closes_at` nothing changes, whatever a scheduler has or has not done. One response per person per
call is enforced by a unique constraint, and a submission is claimed with an atomic
compare-and-set on a one-time token, so double clicks, retries and two tabs yield one response.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from consult.accounts.services import FieldProblem
from consult.calls.models import (
    Answer,
    Attachment,
    AttachmentKind,
    Call,
    Consent,
    Publication,
    Question,
    QuestionKind,
    RespondentType,
    Response,
    ResponseStatus,
)
from consult.calls.rules import count_words
from consult.models import Person
from consult.moderation.public import refresh_public_text
from consult.responses.tracking import new_tracking_number
from consult.uploads import UploadRefused, store_upload_in_thread, upload_path
from consult.vocabulary import Sector

DETAILS_FIELD = "details"


class CallClosed(Exception):
    """The call does not accept responses now (not yet open, or past its deadline)."""


class Incomplete(Exception):
    """Required answers are missing or break a rule; `problems` lists (field, message)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True)
class RespondentDetails:
    respondent_type: RespondentType
    organisation_name: str
    sector: Sector
    country: str
    consent: Consent


@dataclass(frozen=True)
class AnswerInput:
    text: str = ""
    choices: tuple[str, ...] = ()
    scale: int | None = None
    sensitive: bool = False
    upload: tuple[str, bytes] | None = None  # (file name as sent, bytes)


@dataclass(frozen=True)
class UploadRules:
    directory: Path
    max_bytes: int
    max_files: int


@dataclass(frozen=True)
class SubmitOutcome:
    response: Response
    first_submission: bool
    repeated: bool = False  # the token was already spent: a double click or a retried POST


@dataclass
class AnswerSheet:
    """A response's answers keyed by question id, with their files."""

    answers: dict[int, Answer] = field(default_factory=dict)

    def get(self, question: Question) -> Answer | None:
        return self.answers.get(question.id)


def require_open(call: Call, now: datetime) -> None:
    if not call.accepts_responses(now):
        raise CallClosed


async def find_response(call: Call, person: Person) -> Response | None:
    return await Response.get_or_none(call_id=call.id, respondent_id=person.id)


async def start_response(call: Call, person: Person, *, now: datetime) -> Response:
    """The person's response to this call, created as a draft (prefilled from the profile) if new."""
    require_open(call, now)
    existing = await find_response(call, person)
    if existing is not None:
        return existing
    try:
        return await Response.create(
            call=call,
            respondent=person,
            respondent_type=RespondentType.ORGANISATION
            if person.organisation
            else RespondentType.INDIVIDUAL,
            organisation_name=person.organisation,
            sector=person.sector,
            country=person.country,
        )
    except IntegrityError:
        # Two tabs started at once: the unique (call, respondent) constraint kept one row.
        return await Response.get(call_id=call.id, respondent_id=person.id)


async def save_details(
    response: Response, call: Call, details: RespondentDetails, *, now: datetime
) -> None:
    require_open(call, now)
    response.respondent_type = details.respondent_type
    response.organisation_name = (
        details.organisation_name if details.respondent_type == RespondentType.ORGANISATION else ""
    )
    response.sector = details.sector
    response.country = details.country
    response.consent = details.consent
    response.details_confirmed = True
    await response.save(
        update_fields=[
            "respondent_type",
            "organisation_name",
            "sector",
            "country",
            "consent",
            "details_confirmed",
            "updated_at",
        ]
    )


async def answer_sheet(response: Response) -> AnswerSheet:
    answers = await Answer.filter(response_id=response.id).prefetch_related("files")
    return AnswerSheet({answer.question_id: answer for answer in answers})


async def save_answers(
    response: Response,
    call: Call,
    questions: Sequence[Question],
    inputs: dict[int, AnswerInput],
    *,
    uploads: UploadRules,
    person: Person,
    now: datetime,
) -> None:
    """Store the answers given (files checked by content first); raise FieldProblem for a refused file."""
    require_open(call, now)
    sheet = await answer_sheet(response)
    stored_files = sum(len(answer.files) for answer in sheet.answers.values())
    new_files = [q for q in questions if (given := inputs.get(q.id)) and given.upload]
    for question in new_files:
        if stored_files >= uploads.max_files:
            raise FieldProblem(
                question.field_name, f"A response can carry at most {uploads.max_files} files."
            )
        stored_files += 1
    stored: dict[int, Attachment] = {}
    for question in new_files:
        name, data = inputs[question.id].upload  # type: ignore[misc]
        try:
            kept = await store_upload_in_thread(
                uploads.directory, name, data, max_bytes=uploads.max_bytes
            )
        except UploadRefused as refusal:
            raise FieldProblem(question.field_name, str(refusal)) from None
        stored[question.id] = Attachment(
            kind=AttachmentKind.RESPONSE_FILE,
            original_name=kept.original_name,
            stored_name=kept.stored_name,
            content_type=kept.content_type,
            size=kept.size,
            sha256=kept.sha256,
            uploaded_by=person,
        )
    async with in_transaction():
        for question in questions:
            given = inputs.get(question.id, AnswerInput())
            answer = sheet.get(question)
            if answer is None and given == AnswerInput():
                continue  # nothing said: no row, so an unanswered question stays editable
            answer = answer or Answer(response=response, question=question)
            answer.text = given.text
            answer.choices = list(given.choices)
            answer.scale = given.scale
            answer.sensitive = given.sensitive
            await answer.save()
            if question.id in stored:
                attachment = stored[question.id]
                attachment.answer = answer
                await attachment.save()
        response.updated_at = now
        await response.save(update_fields=["updated_at"])


async def remove_file(
    response: Response, call: Call, attachment_id: int, *, upload_dir: Path, now: datetime
) -> bool:
    """Delete one of this response's files; False when it is not this response's."""
    require_open(call, now)
    attachment = await Attachment.get_or_none(
        id=attachment_id, kind=AttachmentKind.RESPONSE_FILE, answer__response_id=response.id
    )
    if attachment is None:
        return False
    await attachment.delete()
    upload_path(upload_dir, attachment.stored_name).unlink(missing_ok=True)
    return True


def completeness_problems(
    response: Response, questions: Sequence[Question], sheet: AnswerSheet
) -> list[tuple[str, str]]:
    """What stops this response being submitted, as (field, message), in page order."""
    problems: list[tuple[str, str]] = []
    if not response.details_confirmed:
        problems.append(
            (DETAILS_FIELD, "Tell us who you are and whether we may publish your response")
        )
    for question in questions:
        answer = sheet.get(question)
        problem = _answer_problem(question, answer)
        if problem:
            problems.append((question.field_name, problem))
    return problems


def _answer_problem(question: Question, answer: Answer | None) -> str | None:
    empty = answer is None or not (
        answer.text or answer.choices or answer.scale or list(answer.files)
    )
    if empty:
        return f"Answer “{question.prompt}”" if question.required else None
    assert answer is not None
    kind = QuestionKind(question.kind)
    if kind == QuestionKind.LONG_TEXT and question.word_limit:
        words = count_words(answer.text)
        if words > question.word_limit:
            return f"Your answer to “{question.prompt}” has {words} words; use {question.word_limit} or fewer"
    if kind.has_options and any(choice not in question.options for choice in answer.choices):
        return f"Choose again for “{question.prompt}”: the options have changed"
    if kind == QuestionKind.SINGLE_CHOICE and len(answer.choices) > 1:
        return f"Choose one option for “{question.prompt}”"
    if kind == QuestionKind.SCALE and answer.scale is not None and not 1 <= answer.scale <= 5:
        return f"Choose a number from 1 to 5 for “{question.prompt}”"
    return None


async def issue_submit_token(response: Response) -> str:
    """A fresh one-time token for the Submit button; the first POST presenting it wins."""
    token = secrets.token_urlsafe(24)
    await Response.filter(id=response.id).update(submit_token=token)
    response.submit_token = token
    return token


async def submit_response(
    response: Response, call: Call, questions: Sequence[Question], token: str, *, now: datetime
) -> SubmitOutcome:
    """Submit (or resubmit after edits) exactly once per token; the row is committed on return."""
    require_open(call, now)
    current = await Response.get(id=response.id)
    if not token or current.submit_token != token:
        # Spent or never issued: a repeat of a submission that already happened, or a stale page.
        if current.status == ResponseStatus.SUBMITTED:
            return SubmitOutcome(current, first_submission=False, repeated=True)
        raise Incomplete(
            [("submit", "This page has expired. Check your answers and submit again.")]
        )
    problems = completeness_problems(current, questions, await answer_sheet(current))
    if problems:
        raise Incomplete(problems)
    first = current.tracking_number is None
    for _attempt in range(5):
        tracking = current.tracking_number or new_tracking_number(now.year)
        try:
            claimed = await Response.filter(id=current.id, submit_token=token).update(
                status=ResponseStatus.SUBMITTED,
                tracking_number=tracking,
                submit_token=None,
                submitted_at=current.submitted_at or now,
                last_submitted_at=now,
                withdrawn_at=None,
                revision=F("revision") + 1,
                # Moderators approved the words they read: changed words are moderated afresh.
                publication=Publication.PENDING,
            )
        except IntegrityError:
            continue  # a tracking number already in use (1 in 34 billion): draw another
        break
    else:
        raise RuntimeError("could not assign a unique tracking number")
    submitted = await Response.get(id=current.id)
    if claimed and not first:
        await refresh_public_text(current.id)
    if not claimed:
        return SubmitOutcome(submitted, first_submission=False, repeated=True)
    return SubmitOutcome(submitted, first_submission=first)


async def withdraw_response(response: Response, call: Call, *, now: datetime) -> bool:
    """Withdraw a submitted response before the deadline; False if it was not submitted."""
    require_open(call, now)
    withdrawn = await Response.filter(id=response.id, status=ResponseStatus.SUBMITTED).update(
        status=ResponseStatus.WITHDRAWN, withdrawn_at=now
    )
    if withdrawn:
        await refresh_public_text(response.id)
    return bool(withdrawn)
