"""Tables of the JSON API: organisations' API tokens and the results kept per Idempotency-Key."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from core.models import Person


class ApiToken(Model):
    """A credential for the write API, issued on an account page. Only its SHA-256 is stored."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name="api_tokens", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    # The first characters of the token, shown on the account page so its owner can tell them apart.
    prefix = fields.CharField(max_length=16)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    person_id: int

    class Meta:
        table = "api_token"
        ordering = ["-created_at", "-id"]

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class IdempotentRequest(Model):
    """A write made with an Idempotency-Key: claimed before the work, its result kept after it.

    The result is written in the same transaction as the work, so a key either names a finished
    request with its answer or one that changed nothing; a retry can never make a second response.
    """

    id = fields.BigIntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name="idempotent_requests", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=255)
    # SHA-256 of the method, path and body: the same key with another request is refused.
    fingerprint = fields.CharField(max_length=64)
    claimed_at = fields.DatetimeField()
    status_code = fields.IntField(null=True)  # None while the request is in flight
    body: dict[str, Any] = fields.JSONField(default=dict)
    location = fields.CharField(max_length=300, default="")
    # By the app's clock (like `claimed_at`), which decides when the key expires.
    created_at = fields.DatetimeField(db_index=True)

    person_id: int

    class Meta:
        table = "api_idempotent_request"
        unique_together = (("person", "key"),)
