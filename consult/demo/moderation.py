"""Moderation of the demonstration responses, as the organisers would have done it so far.

Closed calls: every response whose author consented is published, except one in twenty held.
Open calls: the older two thirds of them are published; the newest wait in the moderation queue.
One published response gives a phone number, redacted; one waiting in the standards call's queue
gives another, for a moderator to redact; one published response draws a "this was not me" report.
Publication goes in bulk (with its audit entries) and the search index is rebuilt per call.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from consult.calls.models import Call, CallPhase, QuestionKind
from consult.moderation.models import NotMeReport
from consult.moderation.public import public_responses_of, rebuild_public_text
from consult.moderation.services import add_redaction
from consult.responses.models import (
    PUBLISHABLE_CONSENT,
    Answer,
    Publication,
    Response,
    RevisionAnswer,
)
from consult.responses.revisions import record_first_revisions
from core.models import AuditEntry, Person

HELD_EVERY = 20
OPEN_CALL_MODERATED = 2 / 3
PHONE_NUMBER = "020 7946 0018"  # an Ofcom drama number: never a real line
PHONE_SENTENCE = f" Happy to discuss further: call me on {PHONE_NUMBER}."
REDACTED_CALL = "research-security-in-collaboration"
QUEUED_PHONE_CALL = "quantum-standards-priorities"
QUEUED_PHONE_NUMBER = "0161 496 0755"  # also an Ofcom drama number
NOT_ME_CALL = "mutual-access-to-facilities"


async def moderate_demo(calls: list[Call], moderator: Person, now: datetime) -> int:
    """Publish and hold the new calls' responses; returns how many were published."""
    published = 0
    for call in calls:
        phase = call.phase(now)
        if phase in (CallPhase.DRAFT, CallPhase.UPCOMING):
            await record_first_revisions(call.id)
            continue
        candidates = (
            await Response.filter(
                call_id=call.id, status="submitted", consent__in=PUBLISHABLE_CONSENT
            )
            .order_by("submitted_at", "id")
            .values_list("id", flat=True)
        )
        if phase == CallPhase.OPEN:
            candidates = candidates[: int(len(candidates) * OPEN_CALL_MODERATED)]
        held = [rid for n, rid in enumerate(candidates) if n % HELD_EVERY == HELD_EVERY - 1]
        chosen = [rid for rid in candidates if rid not in set(held)]
        for ids, decision in ((chosen, Publication.PUBLISHED), (held, Publication.HELD)):
            if not ids:
                continue
            await Response.filter(id__in=ids).update(
                publication=decision,
                publication_decided_by_id=moderator.id,
                publication_decided_at=now - timedelta(hours=1),
            )
            await AuditEntry.bulk_create(
                AuditEntry(
                    actor=moderator,
                    action=f"response.{decision.value}",
                    object_type="response",
                    object_id=str(rid),
                    detail={"call_id": call.id},
                )
                for rid in ids
            )
        published += len(chosen)
        # Each response's revision 1, with the decision above on it: what the public reads.
        await record_first_revisions(call.id)
        await rebuild_public_text(call.id)
    by_slug = {call.slug: call for call in calls}
    if REDACTED_CALL in by_slug:
        await _redact_a_phone_number(by_slug[REDACTED_CALL], moderator)
    if QUEUED_PHONE_CALL in by_slug:
        await _queue_a_phone_number(by_slug[QUEUED_PHONE_CALL])
    if NOT_ME_CALL in by_slug:
        await _report_not_me(by_slug[NOT_ME_CALL], now)
    return published


async def _redact_a_phone_number(call: Call, moderator: Person) -> None:
    response = await public_responses_of(call).order_by("id").first()
    if response is None:
        return
    answer = await _long_answer(response.id)
    if answer is None:
        return
    answer.text = answer.text.rstrip() + PHONE_SENTENCE
    await answer.save(update_fields=["text", "updated_at"])
    submitted = await _as_submitted(answer)
    start = submitted.text.index(PHONE_NUMBER)
    await add_redaction(moderator, submitted, start, start + len(PHONE_NUMBER), "Phone number")


async def _as_submitted(answer: Answer) -> RevisionAnswer:
    """The answer as its latest revision keeps it, brought in line with the edited row."""
    response = await Response.get(id=answer.response_id)
    submitted = await RevisionAnswer.get(
        revision_id=response.latest_revision_id, question_id=answer.question_id
    )
    submitted.text = answer.text
    await submitted.save(update_fields=["text"])
    return submitted


async def _queue_a_phone_number(call: Call) -> None:
    answer = (
        await Answer.filter(
            response__call_id=call.id,
            response__status="submitted",
            response__consent__in=PUBLISHABLE_CONSENT,
            response__publication=Publication.PENDING,
            question__kind=QuestionKind.LONG_TEXT,
            sensitive=False,
        )
        .exclude(text="")
        .order_by("response__submitted_at", "id")
        .first()
    )
    if answer is not None:
        answer.text = answer.text.rstrip() + f" My direct line is {QUEUED_PHONE_NUMBER}."
        await answer.save(update_fields=["text", "updated_at"])
        await _as_submitted(answer)


async def _long_answer(response_id: int) -> Answer | None:
    return await Answer.filter(
        response_id=response_id, question__kind=QuestionKind.LONG_TEXT, sensitive=False
    ).first()


async def _report_not_me(call: Call, now: datetime) -> None:
    response = await public_responses_of(call).order_by("-id").first()
    if response is None:
        return
    await NotMeReport.create(
        response=response,
        name="Jordan Ellis",
        email="jordan.ellis@example.org",
        details="I did not write this response and I have never used this service. "
        "Somebody may have used my name.",
        created_at=now - timedelta(hours=5),
    )
