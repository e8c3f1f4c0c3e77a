"""Writing the audit log: one entry per organiser or admin action."""

from __future__ import annotations

from typing import Any

from tortoise.models import Model

from consult.models import AuditEntry, Person


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
