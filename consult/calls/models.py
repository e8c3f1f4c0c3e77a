"""Tables of calls for input: calls, their questions and the stored files (a call's documents and
the files given in answers).

Whether a call accepts responses is decided from `opens_at`/`closes_at` at request time
(`Call.phase(now)`), never from a stored status a stopped scheduler could leave stale.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from core.models import Person, Topic
from core.vocabulary import Labelled


class CallState(StrEnum):
    """What organisers have done with a call; its phase also depends on the clock."""

    DRAFT = "draft"
    PUBLISHED = "published"
    OUTCOME_PUBLISHED = "outcome_published"


class CallPhase(Labelled):
    DRAFT = "draft", "Draft"
    UPCOMING = "upcoming", "Opens soon"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    OUTCOME_PUBLISHED = "outcome_published", "Outcome published"


class QuestionKind(Labelled):
    LONG_TEXT = "long_text", "Long text"
    SHORT_TEXT = "short_text", "Short text"
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    SCALE = "scale", "Scale 1 to 5"
    FILE = "file", "File upload"


class AttachmentKind(StrEnum):
    CALL_DOCUMENT = "call_document"
    RESPONSE_FILE = "response_file"


class Call(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=80, unique=True)
    topic: fields.ForeignKeyRelation[Topic] = fields.ForeignKeyField(
        "consult.Topic", related_name="calls", on_delete=fields.RESTRICT
    )
    title = fields.CharField(max_length=200)
    summary = fields.CharField(max_length=500)
    body = fields.TextField(default="")
    # The zone the organiser thinks in; times are stored in UTC and shown here and in both capitals.
    timezone = fields.CharField(max_length=64, default="Europe/London")
    opens_at = fields.DatetimeField()
    closes_at = fields.DatetimeField(db_index=True)
    state = fields.CharEnumField(CallState, max_length=20, default=CallState.DRAFT)
    outcome = fields.TextField(default="")
    outcome_published_at = fields.DatetimeField(null=True)
    # The phase the scheduler last moved the call to (with an audit entry and a note to its team).
    # Only a record: whether a call accepts responses is decided by `phase(now)` at request time.
    recorded_phase = fields.CharEnumField(CallPhase, max_length=20, default=CallPhase.DRAFT)
    # When the retention job anonymised this call's unpublished responses and removed its drafts.
    retention_done_at = fields.DatetimeField(null=True)
    premoderate_comments = fields.BooleanField(default=True)
    created_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name="calls_created", null=True, on_delete=fields.SET_NULL
    )
    team: fields.ManyToManyRelation[Person] = fields.ManyToManyField(
        "consult.Person", related_name="calls_organised", through="call_team"
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    questions: fields.ReverseRelation[Question]
    documents: fields.ReverseRelation[Attachment]

    class Meta:
        table = "call"
        ordering = ["closes_at", "id"]

    def __str__(self) -> str:
        return self.title

    def phase(self, now: datetime) -> CallPhase:
        if self.state == CallState.DRAFT:
            return CallPhase.DRAFT
        if self.state == CallState.OUTCOME_PUBLISHED:
            return CallPhase.OUTCOME_PUBLISHED
        if now < self.opens_at:
            return CallPhase.UPCOMING
        if now < self.closes_at:
            return CallPhase.OPEN
        return CallPhase.CLOSED

    def changed_at(self, now: datetime) -> datetime:
        """When what the public sees of this call last changed: an edit, or its opening or
        closing by the clock (`phase(now)` moves then without a write). Kept in step with
        `queries.recently_changed_calls`."""
        passed = [moment for moment in (self.opens_at, self.closes_at) if moment <= now]
        return max([self.updated_at, *passed])

    def accepts_responses(self, now: datetime) -> bool:
        return self.phase(now) == CallPhase.OPEN

    def is_public(self) -> bool:
        return self.state != CallState.DRAFT


class Question(Model):
    id = fields.IntField(primary_key=True)
    call: fields.ForeignKeyRelation[Call] = fields.ForeignKeyField(
        "consult.Call", related_name="questions", on_delete=fields.CASCADE
    )
    position = fields.IntField(default=0)
    kind = fields.CharEnumField(QuestionKind, max_length=20)
    prompt = fields.CharField(max_length=500)
    help_text = fields.TextField(default="")
    required = fields.BooleanField(default=False)
    word_limit = fields.IntField(null=True)
    options: list[str] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "question"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.prompt

    @property
    def field_name(self) -> str:
        """The name of this question's input on the answers form."""
        return f"q{self.id}"


class Attachment(Model):
    """A stored file: a call's document or a file given in an answer. Bytes live outside the web root."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(AttachmentKind, max_length=20)
    call: fields.ForeignKeyNullableRelation[Call] = fields.ForeignKeyField(
        "consult.Call", related_name="documents", null=True, on_delete=fields.CASCADE
    )
    # The answer and the response a file was given in live in `consult.responses.models`, above
    # this layer: named by label only, and read through `answer_id` and `response_id`.
    answer: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "consult.Answer", related_name="files", null=True, on_delete=fields.CASCADE
    )
    # The response stays the owner when a later edit takes the file out of the working copy
    # while an earlier revision still names it (`RevisionAnswer.file_ids`).
    response: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "consult.Response", related_name=False, null=True, on_delete=fields.CASCADE
    )
    original_name = fields.CharField(max_length=255)
    stored_name = fields.CharField(max_length=64, unique=True)
    content_type = fields.CharField(max_length=100)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    title = fields.CharField(max_length=200, default="")
    uploaded_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name="uploads", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    response_id: int | None
    answer_id: int | None

    class Meta:
        table = "attachment"
        ordering = ["id"]
