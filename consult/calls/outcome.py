"""The outcome of a call: what was learned, written in the workspace and published once it closes.

Services never import Starlette. Problems an organiser can fix come back as `FieldProblem`s on the
"outcome" field; every change writes an audit entry in the same transaction as the change.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from consult.calls.models import Call, CallPhase, CallState
from core.audit import record_action
from core.errors import FieldProblem
from core.models import Person

OUTCOME_MAX = 50_000


async def save_outcome(actor: Person, call: Call, text: str) -> bool:
    """Store the call's outcome (Markdown) without publishing it; False when nothing changed.

    Once the outcome is published the call page shows the saved words at once, so it cannot be
    emptied then.
    """
    outcome = _checked_outcome(text, required=call.state == CallState.OUTCOME_PUBLISHED)
    if outcome == call.outcome:
        return False
    async with in_transaction():
        call.outcome = outcome
        await call.save(update_fields=["outcome", "updated_at"])
        await record_action(
            actor,
            "call.outcome_saved",
            call,
            {"slug": call.slug, "published": call.state == CallState.OUTCOME_PUBLISHED},
        )
    return True


async def publish_outcome(actor: Person, call: Call, text: str, *, now: datetime) -> bool:
    """Save the outcome and move a closed call to "outcome published"; False if it already was.

    Only a call that has closed can publish its outcome: until then responses may still arrive.
    """
    if call.state == CallState.OUTCOME_PUBLISHED:
        await save_outcome(actor, call, text)
        return False
    if call.state == CallState.DRAFT:
        raise FieldProblem(
            "outcome", "A draft call has no outcome to publish: publish the call first"
        )
    if call.phase(now) != CallPhase.CLOSED:
        raise FieldProblem("outcome", "You can publish the outcome once the call has closed")
    outcome = _checked_outcome(text, required=True)
    async with in_transaction():
        # Compare-and-set, so two clicks publish (and audit) once.
        published = await Call.filter(
            id=call.id, state=CallState.PUBLISHED, closes_at__lte=now
        ).update(state=CallState.OUTCOME_PUBLISHED, outcome=outcome, outcome_published_at=now)
        if published:
            await call.save(update_fields=["updated_at"])
            await record_action(actor, "call.outcome_published", call, {"slug": call.slug})
    if published:
        call.state = CallState.OUTCOME_PUBLISHED
        call.outcome = outcome
        call.outcome_published_at = now
    return bool(published)


def _checked_outcome(text: str, *, required: bool) -> str:
    outcome = text.strip()
    if required and not outcome:
        raise FieldProblem("outcome", "Write the outcome: what was learned and what happens next")
    if len(outcome) > OUTCOME_MAX:
        raise FieldProblem("outcome", f"The outcome is at most {OUTCOME_MAX:,} characters")
    return outcome
