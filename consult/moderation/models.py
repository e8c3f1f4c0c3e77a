"""Tables of moderation: redactions of answers and "this was not me" reports."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from consult.responses.models import Response, RevisionAnswer
from core.models import Person
from core.vocabulary import Labelled


class Redaction(Model):
    """Text of one answer of one revision hidden from every public surface.

    Every occurrence of `original` in that answer is hidden, matched as
    `consult.moderation.matching` says (case and runs of spaces or line breaks do not matter).
    `start` and `end` are where the moderator marked it first (character offsets into the text),
    kept for the record. A redaction belongs to a revision: a new revision starts with none, and
    the moderator carries the earlier ones forward with one action.
    """

    id = fields.IntField(primary_key=True)
    answer: fields.ForeignKeyRelation[RevisionAnswer] = fields.ForeignKeyField(
        "consult.RevisionAnswer", related_name="redactions", on_delete=fields.CASCADE
    )
    start = fields.IntField()
    end = fields.IntField()
    original = fields.TextField()
    reason = fields.CharField(max_length=200)
    created_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name="redactions_made", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    answer_id: int

    class Meta:
        table = "redaction"
        ordering = ["start", "id"]


class ReportStatus(Labelled):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class NotMeReport(Model):
    """Someone says a published response was submitted in their name without their knowledge."""

    id = fields.IntField(primary_key=True)
    response: fields.ForeignKeyRelation[Response] = fields.ForeignKeyField(
        "consult.Response", related_name="not_me_reports", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    email = fields.CharField(max_length=254)
    details = fields.TextField(default="")
    status = fields.CharEnumField(ReportStatus, max_length=20, default=ReportStatus.OPEN)
    resolution = fields.TextField(default="")
    resolved_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name="not_me_resolved", null=True, on_delete=fields.SET_NULL
    )
    resolved_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(db_index=True)

    response_id: int

    class Meta:
        table = "not_me_report"
        ordering = ["-created_at", "-id"]
