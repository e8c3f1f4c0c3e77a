"""The outbox table. It belongs to the Tortoise app "events" (its migrations are there)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models import Person


class Notification(Model):
    """One message that must go out: written first, then sent, then marked sent (the outbox).

    `key` names the message uniquely (kind, recipient, subject, occurrence), so deriving the same
    reminder twice, from two processes or after a restart, finds the row already there.
    """

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=255, unique=True)
    kind = fields.CharField(max_length=40, db_index=True)
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name="notifications", null=True, on_delete=fields.SET_NULL
    )
    recipient = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=300)
    text = fields.TextField()
    html = fields.TextField(default="")
    headers: dict[str, str] = fields.JSONField(default=dict)
    # Files sent with the message (iTIP invitations): filename, content_type, params, base64 data.
    attachments: list[dict[str, object]] = fields.JSONField(default=list)
    due_at = fields.DatetimeField(db_index=True)
    # Whoever claims a row may send it until `claimed_until`; after that (a crash) it is due again.
    claimed_until = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True, db_index=True)
    # Not sent because the recipient turned this kind of mail off after it was written.
    suppressed_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    person_id: int | None

    class Meta:
        table = "notification"
        ordering = ["due_at", "id"]
