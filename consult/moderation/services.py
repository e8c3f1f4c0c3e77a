"""The moderators' rules: publishing or holding responses, and redacting spans of answers.

Every function checks `may(actor, Action.MODERATE, call)` itself, writes an audit entry, and brings
the search index in step (`refresh_public_text`), so no caller can forget one of the three.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from consult.audit import record_action
from consult.calls.models import Answer, Call, Publication, Response
from consult.models import Person
from consult.moderation.models import Redaction
from consult.moderation.public import may_be_published, refresh_public_text
from consult.permissions import Action, may

REASON_MAX = 200


class ModerationProblem(Exception):
    """A decision the rules do not allow; the message says why, for the moderator."""


async def _check(actor: Person, call_id: int) -> Call:
    call = await Call.get(id=call_id)
    if not await may(actor, Action.MODERATE, call):
        raise PermissionError("not on this call's team")
    return call


async def decide_publication(
    actor: Person, response: Response, publication: Publication, *, now: datetime
) -> bool:
    """Publish or hold one response; False when it already had that decision."""
    await _check(actor, response.call_id)
    if publication == Publication.PUBLISHED and not may_be_published(response):
        raise ModerationProblem(
            "Only a submitted response whose author agreed to publication can be published"
        )
    async with in_transaction():
        changed = (
            await Response.filter(id=response.id)
            .exclude(publication=publication)
            .update(
                publication=publication,
                publication_decided_by_id=actor.id,
                publication_decided_at=now,
            )
        )
        if changed:
            await record_action(
                actor, f"response.{publication.value}", response, {"call_id": response.call_id}
            )
    if changed:
        response.publication = publication
        response.publication_decided_by_id = actor.id
        response.publication_decided_at = now
        await refresh_public_text(response.id)
    return bool(changed)


async def add_redaction(
    actor: Person, answer: Answer, start: int, end: int, reason: str
) -> Redaction:
    """Hide `answer.text[start:end]` from the public, for `reason` (e.g. "phone number")."""
    response = await Response.get(id=answer.response_id)
    await _check(actor, response.call_id)
    reason = reason.strip()
    if not reason:
        raise ModerationProblem("Give a reason for the redaction, such as “phone number”")
    if len(reason) > REASON_MAX:
        raise ModerationProblem(f"Reasons are at most {REASON_MAX} characters")
    if not 0 <= start < end <= len(answer.text):
        raise ModerationProblem("Choose some text of the answer to redact")
    async with in_transaction():
        redaction = await Redaction.create(
            answer=answer,
            start=start,
            end=end,
            original=answer.text[start:end],
            reason=reason,
            created_by=actor,
        )
        await record_action(
            actor,
            "answer.redacted",
            answer,
            {"response_id": response.id, "start": start, "end": end, "reason": reason},
        )
    await refresh_public_text(response.id)
    return redaction


async def remove_redaction(actor: Person, redaction: Redaction) -> None:
    answer = await Answer.get(id=redaction.answer_id)
    response = await Response.get(id=answer.response_id)
    await _check(actor, response.call_id)
    async with in_transaction():
        await redaction.delete()
        await record_action(
            actor,
            "answer.redaction_removed",
            answer,
            {"response_id": response.id, "start": redaction.start, "end": redaction.end},
        )
    await refresh_public_text(response.id)
