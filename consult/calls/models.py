"""Tables of calls for input: calls, questions, responses, answers, attachments, comments.

Whether a call accepts responses is decided from `opens_at`/`closes_at` at request time
(`Call.phase(now)`), never from a stored status a stopped scheduler could leave stale.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from core.models import Person, Topic

if TYPE_CHECKING:
    from consult.analysis.models import Campaign
from core.vocabulary import Labelled, Sector, country_name


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

    @property
    def has_options(self) -> bool:
        return self in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


class RespondentType(Labelled):
    INDIVIDUAL = "individual", "As an individual"
    ORGANISATION = "organisation", "On behalf of an organisation"


class Consent(Labelled):
    PUBLISH_NAMED = "publish_named", "Publish my response with my name"
    PUBLISH_ANONYMOUS = "publish_anonymous", "Publish my response anonymously"
    DO_NOT_PUBLISH = "do_not_publish", "Do not publish my response"


class ResponseStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class Publication(Labelled):
    """The moderators' decision on a response; only a consenting response may be published."""

    PENDING = "pending", "To moderate"
    PUBLISHED = "published", "Published"
    HELD = "held", "Held"


class CommentStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


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
    responses: fields.ReverseRelation[Response]
    documents: fields.ReverseRelation[Attachment]
    comments: fields.ReverseRelation[Comment]

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


class Response(Model):
    """One per stakeholder per call: the unique constraint, not a prior check, keeps it so."""

    id = fields.IntField(primary_key=True)
    call: fields.ForeignKeyRelation[Call] = fields.ForeignKeyField(
        "consult.Call", related_name="responses", on_delete=fields.RESTRICT
    )
    respondent: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name="responses", null=True, on_delete=fields.SET_NULL
    )
    status = fields.CharEnumField(ResponseStatus, max_length=20, default=ResponseStatus.DRAFT)
    tracking_number = fields.CharField(max_length=24, unique=True, null=True)
    respondent_type = fields.CharEnumField(
        RespondentType, max_length=20, default=RespondentType.INDIVIDUAL
    )
    organisation_name = fields.CharField(max_length=200, default="")
    sector = fields.CharEnumField(Sector, max_length=20, default=Sector.OTHER)
    country = fields.CharField(max_length=2, default="")
    consent = fields.CharEnumField(Consent, max_length=20, default=Consent.DO_NOT_PUBLISH)
    details_confirmed = fields.BooleanField(default=False)
    revision = fields.IntField(default=0)
    submitted_at = fields.DatetimeField(null=True)
    last_submitted_at = fields.DatetimeField(null=True)
    withdrawn_at = fields.DatetimeField(null=True)
    # Set by the retention job: the link to the person and their organisation's name are gone.
    anonymised_at = fields.DatetimeField(null=True)
    # The details above and the `answers` are the latest submitted revision (for a response never
    # submitted: the author's draft). Every revision is kept in `ResponseRevision`: `latest_revision`
    # is the one mirrored here, `published_revision` the newest one moderators approved, the only
    # one the public reads. Changes to a submitted response wait in a draft revision.
    latest_revision: fields.ForeignKeyNullableRelation[ResponseRevision] = fields.ForeignKeyField(
        "consult.ResponseRevision", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    published_revision: fields.ForeignKeyNullableRelation[ResponseRevision] = (
        fields.ForeignKeyField(
            "consult.ResponseRevision", related_name=False, null=True, on_delete=fields.SET_NULL
        )
    )
    # Raised on every change the author saves: the Submit button carries the revision and
    # this number it was shown for, so a stale page cannot submit words its author did not check.
    edits = fields.IntField(default=0, db_default=0)
    # A draft revision holds changes to the submitted response that wait for "Submit".
    unsubmitted_changes = fields.BooleanField(default=False, db_default=False)
    # The moderators' decision on the latest revision (pending again when a new one arrives).
    publication = fields.CharEnumField(
        Publication, max_length=20, default=Publication.PENDING, db_index=True
    )
    publication_decided_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name="publications_decided", null=True, on_delete=fields.SET_NULL
    )
    publication_decided_at = fields.DatetimeField(null=True)
    # The form-letter campaign this response belongs to, and what its author added to the template.
    campaign: fields.ForeignKeyNullableRelation[Campaign] = fields.ForeignKeyField(
        "consult.Campaign", related_name="members", null=True, on_delete=fields.SET_NULL
    )
    campaign_extra = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    answers: fields.ReverseRelation[Answer]
    revisions: fields.ReverseRelation[ResponseRevision]
    call_id: int
    respondent_id: int | None
    campaign_id: int | None
    latest_revision_id: int | None
    published_revision_id: int | None
    publication_decided_by_id: int | None

    class Meta:
        table = "response"
        unique_together = (("call", "respondent"),)
        ordering = ["id"]

    @property
    def country_name(self) -> str:
        return country_name(self.country)


class ResponseRevision(Model):
    """One version of a response: its details and answers as the author sent them.

    A submitted revision (`submitted_at` set) is never changed after (the retention job may blank
    the organisation's name). At most one revision of a response is a draft (`submitted_at` null):
    the author's changes to a submitted response, kept apart until they press Submit. On
    submission a revision's content is also copied into the response row and its `Answer` rows,
    which therefore always hold the latest submitted revision: what organisers read. Moderators
    decide on a revision and redact its answers, and the public reads only the response's
    `published_revision`, so a change waits for a moderator before it shows.
    """

    id = fields.IntField(primary_key=True)
    response: fields.ForeignKeyRelation[Response] = fields.ForeignKeyField(
        "consult.Response", related_name="revisions", on_delete=fields.CASCADE
    )
    number = fields.IntField()
    submitted_at = fields.DatetimeField(null=True)
    respondent_type = fields.CharEnumField(RespondentType, max_length=20)
    organisation_name = fields.CharField(max_length=200, default="")
    sector = fields.CharEnumField(Sector, max_length=20)
    country = fields.CharField(max_length=2, default="")
    consent = fields.CharEnumField(Consent, max_length=20)
    publication = fields.CharEnumField(Publication, max_length=20, default=Publication.PENDING)
    publication_decided_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    publication_decided_at = fields.DatetimeField(null=True)

    answers: fields.ReverseRelation[RevisionAnswer]
    response_id: int
    # Not stored: the answers with their files, filled by `consult.responses.revisions.history`.
    answer_list: list[RevisionAnswer]

    class Meta:
        table = "response_revision"
        unique_together = (("response", "number"),)
        ordering = ["response_id", "number"]

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def details_confirmed(self) -> bool:
        """A revision's details were confirmed when the response was first submitted."""
        return True


class RevisionAnswer(Model):
    """An answer as submitted in one revision, with `file_ids`, the files it carried then."""

    id = fields.IntField(primary_key=True)
    revision: fields.ForeignKeyRelation[ResponseRevision] = fields.ForeignKeyField(
        "consult.ResponseRevision", related_name="answers", on_delete=fields.CASCADE
    )
    question: fields.ForeignKeyRelation[Question] = fields.ForeignKeyField(
        "consult.Question", related_name=False, on_delete=fields.RESTRICT
    )
    text = fields.TextField(default="")
    choices: list[str] = fields.JSONField(default=list)
    scale = fields.SmallIntField(null=True)
    sensitive = fields.BooleanField(default=False)
    file_ids: list[int] = fields.JSONField(default=list)

    revision_id: int
    question_id: int
    # Not stored: the attachments of `file_ids`, filled by `consult.responses.revisions`.
    files: list[Attachment]

    class Meta:
        table = "revision_answer"
        unique_together = (("revision", "question"),)
        ordering = ["id"]


class Answer(Model):
    id = fields.IntField(primary_key=True)
    response: fields.ForeignKeyRelation[Response] = fields.ForeignKeyField(
        "consult.Response", related_name="answers", on_delete=fields.CASCADE
    )
    question: fields.ForeignKeyRelation[Question] = fields.ForeignKeyField(
        "consult.Question", related_name="answers", on_delete=fields.RESTRICT
    )
    text = fields.TextField(default="")
    choices: list[str] = fields.JSONField(default=list)
    scale = fields.SmallIntField(null=True)
    sensitive = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    files: fields.ReverseRelation[Attachment]
    response_id: int
    question_id: int

    class Meta:
        table = "answer"
        unique_together = (("response", "question"),)
        ordering = ["id"]


class Attachment(Model):
    """A stored file: a call's document or a file given in an answer. Bytes live outside the web root."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(AttachmentKind, max_length=20)
    call: fields.ForeignKeyNullableRelation[Call] = fields.ForeignKeyField(
        "consult.Call", related_name="documents", null=True, on_delete=fields.CASCADE
    )
    answer: fields.ForeignKeyNullableRelation[Answer] = fields.ForeignKeyField(
        "consult.Answer", related_name="files", null=True, on_delete=fields.CASCADE
    )
    # The response a file was given in. It stays the owner when a later edit takes the file out
    # of the working copy while an earlier revision still names it (`RevisionAnswer.file_ids`).
    response: fields.ForeignKeyNullableRelation[Response] = fields.ForeignKeyField(
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


class Comment(Model):
    id = fields.IntField(primary_key=True)
    call: fields.ForeignKeyRelation[Call] = fields.ForeignKeyField(
        "consult.Call", related_name="comments", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name="comments", null=True, on_delete=fields.SET_NULL
    )
    parent: fields.ForeignKeyNullableRelation[Comment] = fields.ForeignKeyField(
        "consult.Comment", related_name="replies", null=True, on_delete=fields.CASCADE
    )
    body = fields.TextField()
    status = fields.CharEnumField(CommentStatus, max_length=20, default=CommentStatus.PENDING)
    moderated_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name="comments_moderated", null=True, on_delete=fields.SET_NULL
    )
    moderated_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    replies: fields.ReverseRelation[Comment]
    call_id: int
    author_id: int | None
    parent_id: int | None

    class Meta:
        table = "comment"
        ordering = ["created_at", "id"]


class CommentReport(Model):
    id = fields.IntField(primary_key=True)
    comment: fields.ForeignKeyRelation[Comment] = fields.ForeignKeyField(
        "consult.Comment", related_name="reports", on_delete=fields.CASCADE
    )
    reporter: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name="comment_reports", null=True, on_delete=fields.SET_NULL
    )
    reason = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "comment_report"
        unique_together = (("comment", "reporter"),)
