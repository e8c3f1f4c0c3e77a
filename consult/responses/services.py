"""The rules of answering a call: drafts, answers, files, submission, editing and withdrawal.

Every write checks the deadline against the clock at that moment (`require_open`): after
`closes_at` nothing changes, whatever a scheduler has or has not done. One response per person per
call is enforced by a unique constraint, and a submission is claimed with an atomic
compare-and-set on what the Submit button was shown for (`SubmitToken`), so double clicks,
retries and two tabs yield one revision.

The response row's details and its answers are the author's working copy. Each submission copies
them into a new, immutable `ResponseRevision`; organisers read the latest revision and the public
only the one moderators approved, so saving a change moves nothing they see until it is submitted
(and, for the public, moderated).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from consult.calls.models import Attachment, AttachmentKind, Call, Question
from consult.calls.question_kinds import KINDS, SCALE_VALUES, AnswerPart
from consult.calls.rules import count_words
from consult.responses import revisions
from consult.responses.models import (
    PUBLISHABLE_CONSENT,
    Answer,
    Consent,
    Publication,
    RespondentType,
    Response,
    ResponseRevision,
    ResponseSearch,
    ResponseStatus,
    RevisionAnswer,
)
from consult.responses.tracking import new_tracking_number
from core.errors import FieldProblem, Refused
from core.models import Person
from core.notifications.compose import Site, send_soon, write
from core.notifications.models import Notification
from core.uploads import UploadRefused, store_upload_in_thread, upload_path
from core.vocabulary import Sector

DETAILS_FIELD = "details"
TOKEN_SHAPE = re.compile(r"([0-9]{1,9})\.([0-9]{1,9})")


class CallClosed(Refused):
    """The call does not accept responses now (not yet open, or past its deadline). The app
    answers every page of the response flow with the call's "closed" page (403)."""

    status_code = 403
    default_message = "This call is not accepting responses now."

    def __init__(self, call: Call) -> None:
        super().__init__()
        self.call = call


class Incomplete(Refused):
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
    notification: Notification | None = None  # the receipt, written with the revision


@dataclass
class AnswerSheet:
    """A response's answers keyed by question id, with their files."""

    answers: Mapping[int, Answer | RevisionAnswer] = field(default_factory=dict)

    def get(self, question: Question) -> Answer | RevisionAnswer | None:
        return self.answers.get(question.id)


def require_open(call: Call, now: datetime) -> None:
    if not call.accepts_responses(now):
        raise CallClosed(call)


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


@dataclass
class WorkingCopy:
    """What the author edits and checks: a response never submitted is its own draft; after its
    first submission, changes go to a draft revision and the response keeps what was submitted."""

    response: Response
    details: Response | ResponseRevision
    sheet: AnswerSheet

    @property
    def files(self) -> set[int]:
        return {file.id for answer in self.sheet.answers.values() for file in answer.files}


async def working_copy(response: Response) -> WorkingCopy:
    draft = await _draft_revision(response) if response.unsubmitted_changes else None
    if draft is None:
        return WorkingCopy(response, response, await answer_sheet(response))
    return WorkingCopy(response, draft, await revision_sheet(draft))


async def _draft_revision(response: Response) -> ResponseRevision | None:
    return await ResponseRevision.get_or_none(response_id=response.id, submitted_at__isnull=True)


async def _editable(response: Response) -> ResponseRevision | None:
    """Where a change goes (call inside a transaction): None for a response never submitted (it is
    its own draft), else its draft revision, made from the latest submitted one when first needed.

    The response row is locked first (PostgreSQL; SQLite writes one at a time anyway), so every
    change to one response takes its locks in the same order and concurrent ones queue."""
    current = await Response.select_for_update().get(id=response.id)
    if current.revision == 0:
        return None
    draft = await _draft_revision(current)
    if draft is not None:
        return draft
    try:
        async with in_transaction():  # a savepoint: another tab may have made it first
            return await revisions.snapshot(current, current.revision + 1, now=None)
    except IntegrityError:
        return await ResponseRevision.get(response_id=current.id, submitted_at__isnull=True)


async def save_details(
    response: Response, call: Call, details: RespondentDetails, *, now: datetime
) -> None:
    require_open(call, now)
    values = {
        "respondent_type": details.respondent_type,
        "organisation_name": details.organisation_name
        if details.respondent_type == RespondentType.ORGANISATION
        else "",
        "sector": details.sector,
        "country": details.country,
        "consent": details.consent,
    }
    async with in_transaction():
        draft = await _editable(response)
        if draft is None:
            await Response.filter(id=response.id).update(
                **values, details_confirmed=True, updated_at=now
            )
        else:
            await ResponseRevision.filter(id=draft.id).update(**values)
        await _mark_edited(response)
    if draft is None:
        for name, value in values.items():
            setattr(response, name, value)
        response.details_confirmed = True


async def _mark_edited(response: Response) -> None:
    """A change was saved: a Submit button shown before is stale, and a submitted response has
    changes that wait for "Submit" (nothing organisers or the public see moves until then)."""
    await Response.filter(id=response.id).update(edits=F("edits") + 1)
    await Response.filter(id=response.id, revision__gt=0).update(unsubmitted_changes=True)
    fresh = await Response.get(id=response.id).only("id", "edits", "unsubmitted_changes")
    response.edits, response.unsubmitted_changes = fresh.edits, fresh.unsubmitted_changes


async def answer_sheet(response: Response) -> AnswerSheet:
    """The answers in the response row: the latest submitted (or, never submitted, the draft)."""
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
    copy = await working_copy(response)
    stored_files = len(copy.files)
    new_files = [q for q in questions if (given := inputs.get(q.id)) and given.upload]
    for question in new_files:
        if stored_files >= uploads.max_files:
            raise FieldProblem(
                question.field_name, f"A response can carry at most {uploads.max_files} files."
            )
        stored_files += 1
    stored: dict[int, Attachment] = {}
    try:
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
                response_id=response.id,
            )
        async with in_transaction():
            draft = await _editable(response)
            if draft is None:
                await _save_to_response(response, questions, inputs, stored, now=now)
            else:
                await _save_to_draft(draft, questions, inputs, stored)
            await _mark_edited(response)
    except BaseException:
        # A later file refused, or the save failed: no row names the files already written.
        for attachment in stored.values():
            upload_path(uploads.directory, attachment.stored_name).unlink(missing_ok=True)
        raise


async def _save_to_response(
    response: Response,
    questions: Sequence[Question],
    inputs: dict[int, AnswerInput],
    stored: dict[int, Attachment],
    *,
    now: datetime,
) -> None:
    sheet = await answer_sheet(response)
    for question in questions:
        given = inputs.get(question.id, AnswerInput())
        found = sheet.get(question)
        if found is None and given == AnswerInput():
            continue  # nothing said: no row, so an unanswered question stays editable
        answer = (
            found if isinstance(found, Answer) else Answer(response=response, question=question)
        )
        answer.text = given.text
        answer.choices = list(given.choices)
        answer.scale = given.scale
        answer.sensitive = given.sensitive
        await answer.save()
        if question.id in stored:
            attachment = stored[question.id]
            attachment.answer = answer
            await attachment.save()
    await Response.filter(id=response.id).update(updated_at=now)


async def _save_to_draft(
    draft: ResponseRevision,
    questions: Sequence[Question],
    inputs: dict[int, AnswerInput],
    stored: dict[int, Attachment],
) -> None:
    sheet = await revision_sheet(draft)
    for question in questions:
        given = inputs.get(question.id, AnswerInput())
        found = sheet.get(question)
        if found is None and given == AnswerInput():
            continue
        answer = (
            found
            if isinstance(found, RevisionAnswer)
            else RevisionAnswer(revision_id=draft.id, question_id=question.id, file_ids=[])
        )
        answer.text = given.text
        answer.choices = list(given.choices)
        answer.scale = given.scale
        answer.sensitive = given.sensitive
        if question.id in stored:
            attachment = stored[question.id]
            await attachment.save()
            answer.file_ids = [*answer.file_ids, attachment.id]
        await answer.save()


async def remove_file(
    response: Response, call: Call, attachment_id: int, *, upload_dir: Path, now: datetime
) -> bool:
    """Take one file out of what the author is editing; False when it is not in it.

    The stored file is deleted only when no submitted revision carried it: organisers keep
    every revision as it was sent."""
    require_open(call, now)
    copy = await working_copy(response)
    if attachment_id not in copy.files:
        return False
    attachment = await Attachment.get(id=attachment_id)
    async with in_transaction():
        draft = await _editable(response)
        if draft is None:
            await attachment.delete()
            deleted = True
        else:
            for answer in await RevisionAnswer.filter(revision_id=draft.id):
                if attachment_id in answer.file_ids:
                    answer.file_ids = [i for i in answer.file_ids if i != attachment_id]
                    await answer.save(update_fields=["file_ids"])
            # Given in this draft only: nothing submitted names it.
            deleted = attachment.answer_id is None and attachment_id not in (
                await revisions.files_of_submitted_revisions(response.id)
            )
            if deleted:
                await attachment.delete()
        await _mark_edited(response)
    if deleted:
        upload_path(upload_dir, attachment.stored_name).unlink(missing_ok=True)
    return True


def completeness_problems(
    details: Response | ResponseRevision, questions: Sequence[Question], sheet: AnswerSheet
) -> list[tuple[str, str]]:
    """What stops this response being submitted, as (field, message), in page order."""
    problems: list[tuple[str, str]] = []
    if not details.details_confirmed:
        problems.append(
            (DETAILS_FIELD, "Tell us who you are and whether we may publish your response")
        )
    for question in questions:
        answer = sheet.get(question)
        problem = _answer_problem(question, answer)
        if problem:
            problems.append((question.field_name, problem))
    return problems


def _answer_problem(question: Question, answer: Answer | RevisionAnswer | None) -> str | None:
    empty = answer is None or not (
        answer.text or answer.choices or answer.scale or list(answer.files)
    )
    if empty:
        return f"Answer “{question.prompt}”" if question.required else None
    assert answer is not None
    rules = KINDS[question.kind]
    if rules.prose and question.word_limit:
        words = count_words(answer.text)
        if words > question.word_limit:
            return f"Your answer to “{question.prompt}” has {words} words; use {question.word_limit} or fewer"
    if rules.has_options and any(choice not in question.options for choice in answer.choices):
        return f"Choose again for “{question.prompt}”: the options have changed"
    if rules.one_choice and len(answer.choices) > 1:
        return f"Choose one option for “{question.prompt}”"
    if (
        rules.part is AnswerPart.SCALE
        and answer.scale is not None
        and answer.scale not in SCALE_VALUES
    ):
        return (
            f"Choose a number from {SCALE_VALUES[0]} to {SCALE_VALUES[-1]} for “{question.prompt}”"
        )
    return None


@dataclass(frozen=True)
class SubmitToken:
    """What the Submit button was shown for: the revision then current and the working copy's edits.

    Submitting claims exactly this pair with a compare-and-set, so a double click, a retried POST
    or two tabs yield one revision, and a page shown before later edits cannot submit them
    unchecked. Showing the page writes nothing.
    """

    revision: int
    edits: int

    def __str__(self) -> str:
        return f"{self.revision}.{self.edits}"

    @classmethod
    def parse(cls, text: str) -> SubmitToken | None:
        """From "REVISION.EDITS"; None for anything else (ASCII digits, within a database int)."""
        found = TOKEN_SHAPE.fullmatch(text.strip())
        return cls(int(found[1]), int(found[2])) if found else None

    @classmethod
    def of(cls, response: Response) -> SubmitToken:
        return cls(response.revision, response.edits)


class Superseded(Refused):
    """Another request submitted this response first (the API answers 409)."""

    status_code = 409
    default_message = "Another request submitted this response first."


def submit_token(response: Response) -> str:
    return str(SubmitToken.of(response))


async def submit_response(
    response: Response,
    call: Call,
    questions: Sequence[Question],
    token: str,
    *,
    now: datetime,
    site: Site,
    send: bool = True,
) -> SubmitOutcome:
    """Make what the author checked a new revision, exactly once per token, and write its receipt.

    The revision, the response's new state and the receipt's outbox row commit together: a
    receipt shown is a receipt mailed, whatever happens to this process after the commit. Then
    the receipt is sent at once; a caller that runs this inside a transaction of its own passes
    `send=False` and sends `notification` once that commits.
    """
    require_open(call, now)
    expected = SubmitToken.parse(token)
    current = await Response.get(id=response.id)
    if expected is None or expected != SubmitToken.of(current):
        if expected is not None and _already_submitted(current, expected):
            return SubmitOutcome(current, first_submission=False, repeated=True)
        if expected is not None and expected.revision != current.revision:
            raise Superseded
        raise Incomplete(
            [("submit", "This page has expired. Check your answers and submit again.")]
        )
    if current.status == ResponseStatus.SUBMITTED and not current.unsubmitted_changes:
        return SubmitOutcome(current, first_submission=False, repeated=True)
    copy = await working_copy(current)
    problems = completeness_problems(copy.details, questions, copy.sheet)
    if problems:
        raise Incomplete(problems)
    first = current.tracking_number is None
    number = current.revision + 1
    try:
        outcome = await _submit_revision(current, copy, expected, number, first, now, site)
    except Superseded:
        # Another request claimed this token first: a double click is answered as a repeat.
        latest = await Response.get(id=current.id)
        if _already_submitted(latest, expected):
            return SubmitOutcome(latest, first_submission=False, repeated=True)
        raise
    if send:
        await send_soon(site, outcome.notification, now=now)
    return outcome


async def _submit_revision(
    current: Response,
    copy: WorkingCopy,
    expected: SubmitToken,
    number: int,
    first: bool,
    now: datetime,
    site: Site,
) -> SubmitOutcome:
    async with in_transaction():
        await _claim_revision(current, expected, number, now=now)
        if isinstance(copy.details, ResponseRevision):
            revision = copy.details
            await ResponseRevision.filter(id=revision.id).update(submitted_at=now)
            revision.submitted_at = now
            await revisions.mirror(current, revision)
        else:
            revision = await revisions.snapshot(current, number, now=now)
            await Response.filter(id=current.id).update(latest_revision_id=revision.id)
        keeps_consent = revision.consent in PUBLISHABLE_CONSENT
        if not keeps_consent:
            # Consent withdrawn in the new revision takes the published one down at once.
            await Response.filter(id=current.id).update(published_revision_id=None)
        submitted = await Response.get(id=current.id)
        notification = await _write_receipt(
            site,
            "response_received" if first else "response_updated",
            submitted,
            revision,
            key=f"response_copy:{submitted.id}:{number}",
            now=now,
        )
        if not keeps_consent:
            await _leave_search(current.id)
    return SubmitOutcome(submitted, first_submission=first, notification=notification)


def _already_submitted(current: Response, expected: SubmitToken) -> bool:
    """A token spent by an earlier submission, with nothing changed since: a repeat."""
    return (
        current.status == ResponseStatus.SUBMITTED
        and expected.revision < current.revision
        and not current.unsubmitted_changes
    )


async def _claim_revision(
    current: Response, expected: SubmitToken, number: int, *, now: datetime
) -> None:
    for _attempt in range(5):
        tracking = current.tracking_number or new_tracking_number(now.year)
        try:
            # A savepoint: on PostgreSQL a failed statement would otherwise end the transaction.
            async with in_transaction():
                claimed = await Response.filter(
                    id=current.id, revision=expected.revision, edits=expected.edits
                ).update(
                    status=ResponseStatus.SUBMITTED,
                    tracking_number=tracking,
                    submitted_at=current.submitted_at or now,
                    last_submitted_at=now,
                    withdrawn_at=None,
                    revision=number,
                    unsubmitted_changes=False,
                    # Moderators decide on each revision: the new one waits for them.
                    publication=Publication.PENDING,
                )
        except IntegrityError:
            continue  # a tracking number already in use (1 in 34 billion): draw another
        if not claimed:
            raise Superseded
        return
    raise RuntimeError("could not assign a unique tracking number")


async def revision_sheet(revision: ResponseRevision) -> AnswerSheet:
    answers = (await revisions.revision_answers([revision.id])).get(revision.id, [])
    return AnswerSheet({answer.question_id: answer for answer in answers})


@dataclass(frozen=True)
class Withdrawal:
    withdrawn: bool  # False: it was not submitted, so nothing changed
    notification: Notification | None = None  # the mail that confirms it, written with it


async def withdraw_response(
    response: Response, call: Call, *, now: datetime, site: Site
) -> Withdrawal:
    """Withdraw a submitted response before the deadline.

    Every revision leaves every public surface at once; the confirmation mail is written in the
    same transaction, then sent."""
    require_open(call, now)
    async with in_transaction():
        withdrawn = await Response.filter(id=response.id, status=ResponseStatus.SUBMITTED).update(
            status=ResponseStatus.WITHDRAWN, withdrawn_at=now
        )
        if not withdrawn:
            return Withdrawal(False)
        current = await Response.get(id=response.id)
        revision = await ResponseRevision.get(id=current.latest_revision_id)
        notification = await _write_receipt(
            site,
            "response_withdrawn",
            current,
            revision,
            key=f"response_withdrawn:{current.id}:{current.revision}:{now.isoformat()}",
            now=now,
        )
        await _leave_search(response.id)
    await send_soon(site, notification, now=now)
    return Withdrawal(True, notification)


async def _leave_search(response_id: int) -> None:
    """A response its author withdrew, or no longer lets anyone publish, is public nowhere: its
    public text leaves the search index (written by `consult.moderation.public`) at once."""
    await ResponseSearch.filter(response_id=response_id).delete()


async def _write_receipt(
    site: Site,
    kind: str,
    response: Response,
    revision: ResponseRevision,
    *,
    key: str,
    now: datetime,
) -> Notification | None:
    """The copy of a revision its author gets: "Response received", "… updated", "… withdrawn"."""
    author = await Person.get_or_none(id=response.respondent_id)
    if author is None:
        return None
    call = await Call.get(id=response.call_id)
    tracking = response.tracking_number or ""
    return await write(
        site,
        kind,
        author,
        key=key,
        due_at=now,
        call=call,
        response=response,
        details=revision,
        questions=await Question.filter(call_id=call.id),
        sheet=await revision_sheet(revision),
        link=site.link("responses:receipt", tracking=tracking),
    )
