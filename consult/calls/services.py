"""Rules of running a call in the workspace: create and edit calls, questions and documents, publish.

Services never import Starlette. Problems an organiser can fix come back as `FieldProblem`s naming
the form field. Every change writes an audit entry in the same transaction as the change.

The rule that protects stakeholders: a question that has answers can be reworded and moved, but it
cannot be removed, change its kind, or lose an option that an answer chose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from consult.calls.models import Attachment, AttachmentKind, Call, CallState, Question, QuestionKind
from consult.calls.question_kinds import KINDS
from core.audit import record_action
from core.errors import FieldProblem, Refused
from core.forms import SLUG_PATTERN
from core.models import Person, Topic
from core.timezones import zone_choices
from core.uploads import UploadRefused, store_upload_in_thread, upload_path

# Paths under /organise/calls/ that a call's slug would hide.
RESERVED_SLUGS = frozenset({"new"})
SLUG_TAKEN = "That address is taken"
MIN_OPTIONS = 2
MAX_OPTIONS = 50
OPTION_MAX_LENGTH = 200


class NotPublishable(Refused):
    status_code = 409

    """The call is not ready to publish; `problems` says what is missing, in words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CallDetails:
    """What an organiser types about a call; the times are aware and in UTC."""

    title: str
    slug: str
    topic_id: int
    summary: str
    body: str
    timezone: str
    opens_at: datetime
    closes_at: datetime
    premoderate_comments: bool


@dataclass(frozen=True)
class QuestionDetails:
    kind: QuestionKind
    prompt: str
    help_text: str
    required: bool
    word_limit: int | None
    options: tuple[str, ...]


@dataclass(frozen=True)
class CallSummary:
    """One line of the workspace's list of calls."""

    call: Call
    submitted: int
    drafts: int


# ---------------------------------------------------------------- Queries


async def calls_editable_by(person: Person) -> list[CallSummary]:
    """The calls `person` may edit (admins: all), newest first, with response counts in one query."""
    query = Call.all() if person.is_admin else Call.filter(team__id=person.id)
    calls = (
        await query.annotate(
            submitted_count=Count("responses", _filter=_status_is("submitted"), distinct=True),
            draft_count=Count("responses", _filter=_status_is("draft"), distinct=True),
        )
        .group_by("id")
        .order_by("-created_at", "-id")
    )
    return [
        CallSummary(call, call.submitted_count, call.draft_count)  # type: ignore[attr-defined]
        for call in calls
    ]


def _status_is(status: str) -> Q:
    """Responses live in a feature above this one (`consult.responses`): they are read through
    the call's relation, and `status` is the stored value of a `ResponseStatus`."""
    return Q(responses__status=status)


async def question_is_answered(question: Question) -> bool:
    """True once any response holds an answer to this question (drafts included)."""
    # Answers live in a feature above this one: read through the question's relation.
    return await Question.exists(id=question.id, answers__id__isnull=False)


# ---------------------------------------------------------------- Calls


async def create_call(actor: Person, details: CallDetails) -> Call:
    """A new draft call with a unique slug, closing after it opens, with its creator in the team."""
    await _check_call(details, call_id=None)
    try:
        async with in_transaction():
            call = await Call.create(
                **_call_fields(details), state=CallState.DRAFT, created_by=actor
            )
            await call.team.add(actor)
            await record_action(actor, "call.created", call, {"slug": call.slug})
    except IntegrityError:
        # Two organisers chose the same slug at the same moment: the unique index decides.
        raise FieldProblem("slug", SLUG_TAKEN) from None
    return call


async def update_call(actor: Person, call: Call, details: CallDetails) -> list[str]:
    """Save the call's fields under the same rules as creation; returns the names of changed fields.

    A published call keeps its address: pages, feeds and calendar subscriptions link to it.
    """
    if call.is_public() and details.slug != call.slug:
        raise FieldProblem(
            "slug", "A published call keeps its web address, so its slug cannot change"
        )
    await _check_call(details, call_id=call.id)
    wanted = _call_fields(details)
    changed = [name for name, value in wanted.items() if getattr(call, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(call, name, wanted[name])
    try:
        async with in_transaction():
            await call.save(update_fields=[*changed, "updated_at"])
            await record_action(actor, "call.updated", call, {"changed": changed})
    except IntegrityError:
        raise FieldProblem("slug", SLUG_TAKEN) from None
    return changed


async def publish_call(actor: Person, call: Call, *, now: datetime) -> bool:
    """Move a draft with questions and a future deadline to published; False if it already was."""
    problems = []
    if not await Question.exists(call_id=call.id):
        problems.append("Add at least one question before publishing the call")
    if call.closes_at <= now:
        problems.append("Set a closing time in the future before publishing the call")
    if problems:
        raise NotPublishable(problems)
    async with in_transaction():
        # Compare-and-set, so two clicks publish (and audit) once.
        published = await Call.filter(id=call.id, state=CallState.DRAFT).update(
            state=CallState.PUBLISHED
        )
        if published:
            # `update()` leaves updated_at alone; the scheduler's change check and feeds read it.
            await call.save(update_fields=["updated_at"])
            await record_action(actor, "call.published", call, {"slug": call.slug})
    if published:
        call.state = CallState.PUBLISHED
    return bool(published)


async def _check_call(details: CallDetails, *, call_id: int | None) -> None:
    if not SLUG_PATTERN.match(details.slug):
        raise FieldProblem("slug", "Use only lowercase letters, digits and hyphens")
    taken = Call.filter(slug=details.slug)
    if call_id is not None:
        taken = taken.exclude(id=call_id)
    if details.slug in RESERVED_SLUGS or await taken.exists():
        raise FieldProblem("slug", SLUG_TAKEN)
    if not await Topic.exists(id=details.topic_id):
        raise FieldProblem("topic", "Choose a topic")
    if details.timezone not in zone_choices():
        raise FieldProblem("timezone", "Choose a time zone from the list")
    if details.opens_at.tzinfo is None or details.closes_at.tzinfo is None:
        raise ValueError("call times must be aware datetimes")
    if details.closes_at <= details.opens_at:
        raise FieldProblem("closes_at", "The closing time must be after the opening time")


def _call_fields(details: CallDetails) -> dict[str, Any]:
    return {
        "title": details.title,
        "slug": details.slug,
        "topic_id": details.topic_id,
        "summary": details.summary,
        "body": details.body,
        "timezone": details.timezone,
        "opens_at": details.opens_at,
        "closes_at": details.closes_at,
        "premoderate_comments": details.premoderate_comments,
    }


# ---------------------------------------------------------------- Questions


async def add_question(actor: Person, call: Call, details: QuestionDetails) -> Question:
    """A new question at the end of the call, with options only for choice questions."""
    fields = _question_fields(details)
    async with in_transaction():
        last = await Question.filter(call_id=call.id).order_by("-position").first()
        position = last.position + 1 if last else 1
        question = await Question.create(call=call, position=position, **fields)
        await record_action(
            actor, "question.added", question, {"call": call.slug, "kind": str(details.kind)}
        )
    return question


async def update_question(actor: Person, question: Question, details: QuestionDetails) -> list[str]:
    """Reword or reconfigure a question; an answered one keeps its kind and every chosen option."""
    fields = _question_fields(details)
    if await question_is_answered(question):
        if details.kind != question.kind:
            raise FieldProblem("kind", "This question has answers, so its kind cannot change")
        removed = [option for option in question.options if option not in details.options]
        chosen = await _chosen_options(question, removed)
        if chosen:
            names = ", ".join(f"“{option}”" for option in chosen)
            raise FieldProblem(
                "options", f"Answers chose {names}, so it cannot be removed or renamed"
            )
    changed = [name for name, value in fields.items() if getattr(question, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(question, name, fields[name])
    async with in_transaction():
        await question.save(update_fields=[*changed, "updated_at"])
        await record_action(actor, "question.updated", question, {"changed": changed})
    return changed


async def move_question(actor: Person, question: Question, *, up: bool) -> bool:
    """Swap the question with its neighbour above (or below); False at the top (or bottom)."""
    async with in_transaction():
        order = await Question.filter(call_id=question.call_id).order_by("position", "id")  # type: ignore[attr-defined]
        index = next(i for i, q in enumerate(order) if q.id == question.id)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(order):
            return False
        order[index], order[other] = order[other], order[index]
        # Renumber 1..n so that equal or missing positions cannot make a swap a no-op.
        for position, item in enumerate(order, start=1):
            if item.position != position:
                await Question.filter(id=item.id).update(position=position)
            if item.id == question.id:
                question.position = position
        await record_action(
            actor, "question.moved", question, {"direction": "up" if up else "down"}
        )
    return True


async def remove_question(actor: Person, question: Question) -> None:
    """Delete a question nobody has answered; an answered one stays (FieldProblem on `question`)."""
    refusal = FieldProblem(
        f"question-{question.id}", "This question has answers, so it cannot be removed"
    )
    if await question_is_answered(question):
        raise refusal
    try:
        async with in_transaction():
            await record_action(actor, "question.removed", question, {"prompt": question.prompt})
            await question.delete()
    except IntegrityError:
        # An answer arrived after the check: the foreign key refuses, and so do we.
        raise refusal from None


def _question_fields(details: QuestionDetails) -> dict[str, Any]:
    kind = details.kind
    rules = KINDS[kind]
    return {
        "kind": kind,
        "prompt": details.prompt,
        "help_text": details.help_text,
        "required": details.required,
        "word_limit": details.word_limit if rules.prose else None,
        "options": _checked_options(details.options) if rules.has_options else [],
    }


def _checked_options(options: Sequence[str]) -> list[str]:
    cleaned = [option.strip() for option in options if option.strip()]
    if len(cleaned) < MIN_OPTIONS:
        raise FieldProblem("options", "Give at least two options, one on each line")
    if len(cleaned) > MAX_OPTIONS:
        raise FieldProblem("options", f"Give at most {MAX_OPTIONS} options")
    if any(len(option) > OPTION_MAX_LENGTH for option in cleaned):
        raise FieldProblem(
            "options", f"Each option must be {OPTION_MAX_LENGTH} characters or fewer"
        )
    seen: set[str] = set()
    for option in cleaned:
        if option.casefold() in seen:
            raise FieldProblem("options", f"“{option}” is given twice; give each option once")
        seen.add(option.casefold())
    return cleaned


async def _chosen_options(question: Question, options: Sequence[str]) -> list[str]:
    """Those of `options` that at least one answer to `question` chose."""
    if not options:
        return []
    wanted = set(options)
    chosen: set[str] = set()
    # JSON containment differs between SQLite and PostgreSQL; reading only this column is portable
    # and happens only when an organiser removes an option.
    answered = Question.filter(id=question.id, answers__id__isnull=False)
    for choices in await answered.values_list("answers__choices", flat=True):
        chosen.update(wanted.intersection(choices or []))
    return [option for option in options if option in chosen]


# ---------------------------------------------------------------- Documents


async def add_document(
    actor: Person,
    call: Call,
    *,
    name: str,
    data: bytes,
    title: str,
    upload_dir: Path,
    max_bytes: int,
) -> Attachment:
    """Store a file checked by its content under a random name and list it among the call's documents."""
    try:
        stored = await store_upload_in_thread(upload_dir, name, data, max_bytes=max_bytes)
    except UploadRefused as refusal:
        raise FieldProblem("file", str(refusal)) from None
    try:
        async with in_transaction():
            attachment = await Attachment.create(
                kind=AttachmentKind.CALL_DOCUMENT,
                call=call,
                original_name=stored.original_name,
                stored_name=stored.stored_name,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                title=title or stored.original_name,
                uploaded_by=actor,
            )
            await record_action(
                actor,
                "document.added",
                attachment,
                {"call": call.slug, "name": stored.original_name, "sha256": stored.sha256},
            )
    except BaseException:
        upload_path(upload_dir, stored.stored_name).unlink(missing_ok=True)
        raise
    return attachment


async def remove_document(actor: Person, attachment: Attachment, *, upload_dir: Path) -> None:
    """Delete the document's row and then its stored bytes."""
    async with in_transaction():
        await record_action(
            actor, "document.removed", attachment, {"name": attachment.original_name}
        )
        await attachment.delete()
    upload_path(upload_dir, attachment.stored_name).unlink(missing_ok=True)
