"""Tables of responses: a stakeholder's response to a call, its revisions and answers."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from consult.calls.models import Attachment, Call, Question
from core.models import Person
from core.vocabulary import Labelled, Sector, country_name


class RespondentType(Labelled):
    INDIVIDUAL = "individual", "As an individual"
    ORGANISATION = "organisation", "On behalf of an organisation"


class Consent(Labelled):
    PUBLISH_NAMED = "publish_named", "Publish my response with my name"
    PUBLISH_ANONYMOUS = "publish_anonymous", "Publish my response anonymously"
    DO_NOT_PUBLISH = "do_not_publish", "Do not publish my response"


# The consents under which moderators may publish a response.
PUBLISHABLE_CONSENT = (Consent.PUBLISH_NAMED, Consent.PUBLISH_ANONYMOUS)


class ResponseStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class Publication(Labelled):
    """The moderators' decision on a response; only a consenting response may be published."""

    PENDING = "pending", "To moderate"
    PUBLISHED = "published", "Published"
    HELD = "held", "Held"


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
    # Campaigns are found and kept by `consult.analysis`, above this layer: named by label, read
    # as `campaign_id`.
    campaign: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
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


class ResponseSearch(Model):
    """The public text of a published response, for full-text search (one row per published one).

    Written by `consult.moderation.public.refresh_public_text` whenever publication or a redaction
    changes; it never holds a sensitive answer or a redacted span. An author's withdrawal (of the
    response or of consent) deletes it (`consult.responses.services`), which is why it lives here,
    below moderation. The index itself is SQLite FTS5 (a virtual table kept in step by triggers)
    or a PostgreSQL GIN index on `to_tsvector('english', body)`, both made by the migration.
    """

    id = fields.IntField(primary_key=True)
    response_id = fields.IntField(unique=True)
    call_id = fields.IntField(db_index=True)
    body = fields.TextField()

    class Meta:
        table = "response_search"
