"""Tables of the consult domain: people, topics, the audit log and rate-limit counters."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from core.vocabulary import Role, Sector, country_name


class Person(Model):
    """Anyone with an account. Email is stored lower-cased so uniqueness ignores case."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=200)
    display_name = fields.CharField(max_length=100)
    role = fields.CharEnumField(Role, max_length=20, default=Role.STAKEHOLDER)
    verified_at = fields.DatetimeField(null=True)
    is_active = fields.BooleanField(default=True)
    organisation = fields.CharField(max_length=200, default="")
    sector = fields.CharEnumField(Sector, max_length=20, default=Sector.OTHER)
    country = fields.CharField(max_length=2, default="")
    # Raised on every password change: links (and half-done two-step sign-ins) issued before it
    # stop working. Sessions end by their rows (SignInSession).
    auth_version = fields.IntField(default=1)
    # The zone the person reads times in: their daily digest comes at 08:00 here.
    time_zone = fields.CharField(max_length=64, default="Europe/London")
    # Optional kinds of mail this person turned off (core.notifications.preferences.MAIL_CHOICES keys).
    mail_opt_outs: list[str] = fields.JSONField(default=list)
    # Two-step sign-in: the authenticator key sealed under SECRET_KEY (consult.accounts.sealing),
    # when it was turned on, and the last time step accepted, so that no code works twice.
    two_step_key = fields.CharField(max_length=200, null=True)
    two_step_since = fields.DatetimeField(null=True)
    two_step_last_step = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    # Not stored: set for the signed-in person when TWO_STEP_REQUIRED asks their role for two-step
    # sign-in and they have not set it up. `may()` then refuses them everything an organiser may do.
    needs_two_step_setup: bool = False

    class Meta:
        table = "person"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"

    # Starlette's request.user protocol, so templates can ask `request.user.is_authenticated`.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def identity(self) -> str:
        return str(self.id)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def uses_two_step(self) -> bool:
        return self.two_step_key is not None

    @property
    def country_name(self) -> str:
        return country_name(self.country)


class RecoveryCode(Model):
    """A one-use code that signs in instead of the authenticator app, for a lost phone.

    Each has 120 random bits, so its SHA-256 is stored rather than a slow password hash (ASVS
    6.5.2 allows that from 112 bits)."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name="recovery_codes", on_delete=fields.CASCADE
    )
    code_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "recovery_code"


class Topic(Model):
    """A theme of the partnership under which calls and sessions are published."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=60, unique=True)
    name = fields.CharField(max_length=120)
    summary = fields.CharField(max_length=300, default="")
    description = fields.TextField(default="")
    position = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "topic"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class AuditEntry(Model):
    """Who did what to which object, and when (UTC). Written for every organiser and admin action."""

    id = fields.BigIntField(primary_key=True)
    actor: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharField(max_length=60, db_index=True)
    object_type = fields.CharField(max_length=40)
    object_id = fields.CharField(max_length=60)
    detail: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    actor_id: int | None

    class Meta:
        table = "audit_entry"
        ordering = ["-created_at", "-id"]


class RateLimitCounter(Model):
    """Attempts at one limited thing in its current window, shared by every process and host.

    consult/accounts/ratelimit.py says how one conditional UPDATE claims an attempt."""

    key = fields.CharField(max_length=200, primary_key=True)
    attempts = fields.IntField(default=0)
    seconds = fields.IntField()  # the current window's length (it grows with backoff)
    ends_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "rate_limit_counter"


class SignInSession(Model):
    """One signed-in browser. Its cookie holds a random id (256 bits) of which only the SHA-256 is
    stored, so a copy of this table signs nobody in. Ending a session deletes its row: a copy of
    the cookie taken before then finds nothing and is a visitor's."""

    id = fields.BigIntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name="sign_in_sessions", on_delete=fields.CASCADE
    )
    # True when this session gave the authenticator's code (or turned two-step sign-in on).
    two_step = fields.BooleanField(default=False)
    user_agent = fields.CharField(max_length=200, default="")
    # What the pages keep between requests: the CSRF token, notices, a receipt just given…
    data: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()
    # Written at most once a minute (SEEN_EVERY in consult.accounts.sessions), not per request.
    last_seen_at = fields.DatetimeField(db_index=True)

    person_id: int

    class Meta:
        table = "sign_in_session"
        ordering = ["-last_seen_at", "-id"]
        indexes = (("person_id", "last_seen_at"),)
