"""The moderators' rules: publishing or holding responses, redacting spans of answers, and
resolving "this was not me" reports.

Every function checks `may(actor, Action.MODERATE, call)` itself, writes an audit entry, and brings
the search index in step (`refresh_public_text`), so no caller can forget one of the three.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from consult.calls.models import Call
from consult.moderation.matching import occurrences
from consult.moderation.models import NotMeReport, Redaction, ReportStatus
from consult.moderation.public import may_be_published, refresh_public_text
from consult.responses.models import Publication, Response, ResponseRevision, RevisionAnswer
from core.audit import record_action
from core.errors import Refused
from core.models import Person
from core.permissions import Action, may

REASON_MAX = 200
RESOLUTION_MAX = 2_000
QUOTE_MAX = 60


class ModerationProblem(Refused):
    """A decision the rules do not allow; the message says why, for the moderator.

    `field` names the form field the problem belongs to, when it belongs to one.
    """

    status_code = 409


async def _check(actor: Person, call_id: int) -> Call:
    call = await Call.get(id=call_id)
    if not await may(actor, Action.MODERATE, call):
        raise PermissionError("not on this call's team")
    return call


async def decide_publication(
    actor: Person,
    response: Response,
    publication: Publication,
    *,
    now: datetime,
    revision_shown: int | None = None,
) -> bool:
    """Decide on the response's latest revision; False when it already had that decision.

    Publishing makes the latest revision the one the public reads. Holding takes the response off
    every public surface, whichever revision was published. While neither is decided on a new
    revision, the public keeps reading the revision published before. `revision_shown`, the
    revision the moderator read (the pages send it), must still be the latest: a revision the
    author submitted meanwhile is never published unread.
    """
    await _check(actor, response.call_id)
    if publication == Publication.PUBLISHED and not may_be_published(response):
        raise ModerationProblem(
            "Only a submitted response whose author agreed to publication can be published"
        )
    revision_id = response.latest_revision_id
    if revision_id is None:
        raise ModerationProblem("This response has no submitted revision to decide on")
    if revision_shown is not None and revision_shown != revision_id:
        raise ModerationProblem(
            "The author submitted a new revision while you were reading: read it, then decide"
        )
    async with in_transaction():
        changed = (
            await Response.filter(id=response.id, latest_revision_id=revision_id)
            .exclude(publication=publication)
            .update(
                publication=publication,
                publication_decided_by_id=actor.id,
                publication_decided_at=now,
                published_revision_id=revision_id if publication == Publication.PUBLISHED else None,
            )
        )
        if changed:
            await ResponseRevision.filter(id=revision_id).update(
                publication=publication,
                publication_decided_by_id=actor.id,
                publication_decided_at=now,
            )
            await record_action(
                actor,
                f"response.{publication.value}",
                response,
                {"call_id": response.call_id, "revision": response.revision},
            )
            await refresh_public_text(response.id)
    if changed:
        response.publication = publication
        response.publication_decided_by_id = actor.id
        response.publication_decided_at = now
        response.published_revision_id = (
            revision_id if publication == Publication.PUBLISHED else None
        )
    return bool(changed)


async def _response_of(answer: RevisionAnswer) -> Response:
    revision = await ResponseRevision.get(id=answer.revision_id)
    return await Response.get(id=revision.response_id)


async def add_redaction(
    actor: Person, answer: RevisionAnswer, start: int, end: int, reason: str
) -> Redaction:
    """Hide `answer.text[start:end]`, and every other occurrence of that text in the answer, from
    the public, for `reason` (e.g. "phone number")."""
    response = await _response_of(answer)
    await _check(actor, response.call_id)
    if not 0 <= start < end <= len(answer.text) or not answer.text[start:end].strip():
        raise ModerationProblem("Choose some text of the answer to redact", field="text")
    return await _redact(actor, answer, response, start, end, reason)


async def redact_text(actor: Person, answer: RevisionAnswer, text: str, reason: str) -> Redaction:
    """Hide every occurrence of `text` in the answer, for `reason`.

    For moderators without JavaScript: they paste the text instead of selecting it. What counts
    as the same text is `consult.moderation.matching`'s rule (case and white space aside).
    """
    response = await _response_of(answer)
    await _check(actor, response.call_id)
    wanted = text.strip()
    if not wanted:
        raise ModerationProblem("Paste the text to hide from the public", field="text")
    found = occurrences(answer.text, wanted)
    if not found:
        raise ModerationProblem(
            f"{_quote(wanted)} is not in this answer. Paste the text as the answer has it",
            field="text",
        )
    start, end = found[0]
    return await _redact(actor, answer, response, start, end, reason)


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return f"“{flat if len(flat) <= QUOTE_MAX else flat[: QUOTE_MAX - 1] + '…'}”"


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ModerationProblem(
            "Give a reason for the redaction, such as “phone number”", field="reason"
        )
    if len(reason) > REASON_MAX:
        raise ModerationProblem(f"Reasons are at most {REASON_MAX} characters", field="reason")
    return reason


async def _redact(
    actor: Person, answer: RevisionAnswer, response: Response, start: int, end: int, reason: str
) -> Redaction:
    reason = _reason(reason)
    hidden = answer.text[start:end]
    async with in_transaction():
        redaction = await Redaction.create(
            answer=answer,
            start=start,
            end=end,
            original=hidden,
            reason=reason,
            created_by=actor,
        )
        await record_action(
            actor,
            "answer.redacted",
            answer,
            {
                "response_id": response.id,
                "revision_id": answer.revision_id,
                "start": start,
                "end": end,
                "occurrences": len(occurrences(answer.text, hidden)),
                "reason": reason,
            },
        )
        await refresh_public_text(response.id)
    return redaction


async def remove_redaction(actor: Person, redaction: Redaction) -> None:
    answer = await RevisionAnswer.get(id=redaction.answer_id)
    response = await _response_of(answer)
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


@dataclass(frozen=True)
class CarriedForward:
    carried: int  # redactions copied to the latest revision
    already: int  # the latest revision already hid that text
    not_found: list[str]  # texts the latest revision no longer has (nothing to hide)


async def carry_redactions_forward(actor: Person, response: Response) -> CarriedForward:
    """Copy the published revision's redactions to the same answers of the latest revision,
    wherever their text still occurs there, so a changed response keeps what was hidden."""
    await _check(actor, response.call_id)
    source, target = response.published_revision_id, response.latest_revision_id
    if source is None or target is None or source == target:
        raise ModerationProblem("There is no earlier published revision to carry redactions from")
    latest = {a.question_id: a for a in await RevisionAnswer.filter(revision_id=target)}
    existing = {
        (span.answer_id, span.original.casefold())
        for span in await Redaction.filter(answer__revision_id=target)
    }
    carried, already, not_found = 0, 0, []
    async with in_transaction():
        for span in await Redaction.filter(answer__revision_id=source).select_related("answer"):
            answer = latest.get(span.answer.question_id)
            found = occurrences(answer.text, span.original) if answer is not None else []
            if answer is None or not found:
                not_found.append(span.original)
                continue
            if (answer.id, span.original.casefold()) in existing:
                already += 1
                continue
            start, end = found[0]
            await Redaction.create(
                answer=answer,
                start=start,
                end=end,
                original=answer.text[start:end],
                reason=span.reason,
                created_by=actor,
            )
            existing.add((answer.id, span.original.casefold()))
            carried += 1
        await record_action(
            actor,
            "response.redactions_carried",
            response,
            {"from_revision_id": source, "to_revision_id": target, "carried": carried},
        )
        await refresh_public_text(response.id)
    return CarriedForward(carried, already, not_found)


async def resolve_not_me_report(
    actor: Person, report: NotMeReport, resolution: str, *, hold: bool = False, now: datetime
) -> bool:
    """Close an open report with a note of what was done; False when it was already resolved.

    With `hold`, the response is also held, which takes it off every public surface.
    """
    response = await Response.get(id=report.response_id)
    await _check(actor, response.call_id)
    note = resolution.strip()
    if not note:
        raise ModerationProblem("Say what was done about the report", field="resolution")
    if len(note) > RESOLUTION_MAX:
        raise ModerationProblem(
            f"Resolutions are at most {RESOLUTION_MAX:,} characters", field="resolution"
        )
    if hold:
        await decide_publication(actor, response, Publication.HELD, now=now)
    async with in_transaction():
        # Compare-and-set: two moderators resolving at once record one resolution.
        changed = await NotMeReport.filter(id=report.id, status=ReportStatus.OPEN).update(
            status=ReportStatus.RESOLVED, resolution=note, resolved_by_id=actor.id, resolved_at=now
        )
        if changed:
            await record_action(
                actor,
                "not_me_report.resolved",
                report,
                {"response_id": response.id, "call_id": response.call_id, "held": hold},
            )
    if changed:
        report.status = ReportStatus.RESOLVED
        report.resolution = note
        report.resolved_by_id = actor.id
        report.resolved_at = now
    return bool(changed)
