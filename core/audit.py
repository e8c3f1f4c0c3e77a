"""The audit log: one entry per organiser or admin action, and the filtered list admins read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.models import Model

from core.models import AuditEntry, Person
from core.queries import Page, paginate

AUDIT_PAGE_SIZE = 50


async def record_action(
    actor: Person | None, action: str, target: Model, detail: dict[str, Any] | None = None
) -> AuditEntry:
    """Record that `actor` (None for the command line or the system) did `action` to `target`."""
    return await AuditEntry.create(
        actor=actor,
        action=action,
        object_type=target._meta.db_table,
        object_id=str(target.pk),
        detail=detail or {},
    )


@dataclass(frozen=True)
class AuditFilters:
    """What an admin narrows the log to; empty values filter nothing. Times are aware."""

    action: str = ""
    actor_email: str = ""
    object_type: str = ""
    object_id: str = ""
    since: datetime | None = None  # from this moment on
    before: datetime | None = None  # up to, not including, this moment


async def audit_entries(
    filters: AuditFilters, *, page: int, size: int = AUDIT_PAGE_SIZE
) -> Page[AuditEntry]:
    """One page of the log, newest first, with each entry's actor."""
    query = AuditEntry.all()
    if filters.action:
        query = query.filter(action=filters.action)
    if filters.actor_email:
        query = query.filter(actor__email__icontains=filters.actor_email)
    if filters.object_type:
        query = query.filter(object_type=filters.object_type)
    if filters.object_id:
        query = query.filter(object_id=filters.object_id)
    if filters.since is not None:
        query = query.filter(created_at__gte=filters.since)
    if filters.before is not None:
        query = query.filter(created_at__lt=filters.before)
    ordered = query.select_related("actor").order_by("-created_at", "-id")
    return await paginate(ordered, page=page, size=size)


async def audit_vocabulary() -> tuple[list[str], list[str]]:
    """The actions and object types the log holds, for the filters' choices."""
    actions = await AuditEntry.all().distinct().order_by("action").values_list("action", flat=True)
    types = (
        await AuditEntry.all()
        .distinct()
        .order_by("object_type")
        .values_list("object_type", flat=True)
    )
    return [str(a) for a in actions], [str(t) for t in types]
