"""Tables of sessions: sessions (maybe recurring), per-occurrence changes, registrations, feed tokens.

Times are stored in UTC with the session's IANA zone in its own column; a recurring session keeps
its wall-clock time in that zone across daylight-saving changes (see `events.recurrence`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from consult.calls.models import Call
from core.models import Person, Topic
from core.vocabulary import Labelled


class SessionKind(Labelled):
    ROUNDTABLE = "roundtable"
    WORKSHOP = "workshop"
    BILATERAL_DIALOGUE = "bilateral_dialogue"
    WEBINAR = "webinar"
    BRIEFING = "briefing"


class Visibility(Labelled):
    PUBLIC = "public", "Public"
    INVITATION = "invitation", "Invitation only"


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Recurrence(Labelled):
    NONE = "none", "Does not repeat"
    WEEKLY = "weekly", "Every week"
    MONTHLY = "monthly", "Every month"


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


# `Registration.occurrence_key` for a registration to the whole session or series.
WHOLE_SERIES = ""


class Session(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=80, unique=True)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    kind = fields.CharEnumField(SessionKind, max_length=30, default=SessionKind.ROUNDTABLE)
    topics: fields.ManyToManyRelation[Topic] = fields.ManyToManyField(
        "consult.Topic", related_name="sessions", through="session_topic"
    )
    call: fields.ForeignKeyNullableRelation[Call] = fields.ForeignKeyField(
        "consult.Call", related_name="sessions", null=True, on_delete=fields.SET_NULL
    )
    # The first occurrence; later ones keep its wall-clock time in `timezone`.
    starts_at = fields.DatetimeField(db_index=True)
    ends_at = fields.DatetimeField()
    timezone = fields.CharField(max_length=64, default="Europe/London")
    location = fields.CharField(max_length=300, default="")
    online_url = fields.CharField(max_length=500, default="")
    capacity = fields.IntField(null=True)  # None: no limit
    visibility = fields.CharEnumField(Visibility, max_length=20, default=Visibility.PUBLIC)
    status = fields.CharEnumField(SessionStatus, max_length=20, default=SessionStatus.SCHEDULED)
    cancelled_at = fields.DatetimeField(null=True)
    # iCalendar SEQUENCE: raised by every change of time, place or status (RFC 5545 §3.8.7.4).
    sequence = fields.IntField(default=0)
    recurrence = fields.CharEnumField(Recurrence, max_length=20, default=Recurrence.NONE)
    recurrence_count = fields.IntField(null=True)
    recurrence_until = fields.DatetimeField(null=True)
    created_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name="sessions_created", null=True, on_delete=fields.SET_NULL
    )
    team: fields.ManyToManyRelation[Person] = fields.ManyToManyField(
        "consult.Person", related_name="sessions_organised", through="session_team"
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    overrides: fields.ReverseRelation[OccurrenceOverride]
    registrations: fields.ReverseRelation[Registration]
    call_id: int | None

    class Meta:
        table = "event_session"
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def is_recurring(self) -> bool:
        return self.recurrence != Recurrence.NONE

    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


class OccurrenceOverride(Model):
    """One occurrence of a series cancelled, or moved to another time (iCalendar RECURRENCE-ID)."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "events.Session", related_name="overrides", on_delete=fields.CASCADE
    )
    # The start the rule gave this occurrence: its identity, whatever happens to it later.
    original_start = fields.DatetimeField()
    cancelled = fields.BooleanField(default=False)
    starts_at = fields.DatetimeField(null=True)
    ends_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    session_id: int

    class Meta:
        table = "session_occurrence"
        unique_together = (("session", "original_start"),)
        ordering = ["original_start"]


class Registration(Model):
    """A person's place at a session (the whole series, or one occurrence of it)."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[Session] = fields.ForeignKeyField(
        "events.Session", related_name="registrations", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "consult.Person", related_name="registrations", on_delete=fields.CASCADE
    )
    # WHOLE_SERIES, or the occurrence's original start as ISO 8601 UTC. A string rather than a
    # nullable time so the unique constraint holds on both databases (NULLs never collide).
    occurrence_key = fields.CharField(max_length=40, default=WHOLE_SERIES)
    status = fields.CharEnumField(
        RegistrationStatus, max_length=20, default=RegistrationStatus.REGISTERED
    )
    promoted_at = fields.DatetimeField(null=True)  # moved off the waitlist: a message is due
    cancelled_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    session_id: int
    person_id: int

    class Meta:
        table = "registration"
        unique_together = (("session", "person", "occurrence_key"),)
        ordering = ["created_at", "id"]


class CalendarToken(Model):
    """A person's personal feed token: only its SHA-256 and the nonce it is derived from are kept."""

    id = fields.IntField(primary_key=True)
    person: fields.OneToOneRelation[Person] = fields.OneToOneField(
        "consult.Person", related_name="calendar_token", on_delete=fields.CASCADE
    )
    nonce = fields.CharField(max_length=64)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    rotated_at = fields.DatetimeField(null=True)

    person_id: int

    class Meta:
        table = "calendar_token"


def occurrence_key(original_start: datetime | None) -> str:
    """The Registration.occurrence_key for an occurrence (None: the whole series)."""
    if original_start is None:
        return WHOLE_SERIES
    return original_start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
