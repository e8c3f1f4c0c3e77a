"""Tables of comments on calls: comments, replies and readers' reports of them."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from consult.calls.models import Call
from core.models import Person


class CommentStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


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
