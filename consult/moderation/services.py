"""The moderators' rules: publishing or holding responses, redacting spans of answers, and
resolving "this was not me" reports.

Every function checks `may(actor, Action.MODERATE, call)` itself, writes an audit entry, and brings
the search index in step (`refresh_public_text`), so no caller can forget one of the three.
"""

from __future__ import annotations

import re
from datetime import datetime

from tortoise.transactions import in_transaction

from consult.audit import record_action
from consult.calls.models import Answer, Call, Publication, Response
from consult.models import Person
from consult.moderation.models import NotMeReport, Redaction, ReportStatus
from consult.moderation.public import may_be_published, refresh_public_text
from consult.permissions import Action, may

REASON_MAX = 200
RESOLUTION_MAX = 2_000
QUOTE_MAX = 60
LINE_BREAK = re.compile(r"(?:\r\n|\r|\n)")


class ModerationProblem(Exception):
    """A decision the rules do not allow; the message says why, for the moderator.

    `field` names the form field the problem belongs to, when it belongs to one.
    """

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


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
    return await _redact(actor, answer, response, start, end, reason)


async def redact_text(
    actor: Person, answer: Answer, text: str, reason: str, *, occurrence: int | None = None
) -> Redaction:
    """Hide the `occurrence`-th appearance (from 1) of `text` in the answer, for `reason`.

    For moderators without JavaScript: they paste the text instead of selecting it. The text must
    appear in the answer exactly; when it appears more than once, `occurrence` must say which.
    """
    response = await Response.get(id=answer.response_id)
    await _check(actor, response.call_id)
    wanted = text.strip()
    if not wanted:
        raise ModerationProblem("Paste the text to hide from the public", field="text")
    starts = occurrences(answer.text, wanted)
    quoted = _quote(wanted)
    if not starts:
        raise ModerationProblem(
            f"{quoted} is not in this answer. Paste the text exactly as the answer has it",
            field="text",
        )
    count = len(starts)
    if occurrence is None and count > 1:
        raise ModerationProblem(
            f"{quoted} appears {count} times in this answer. "
            f"Say which one to hide, from 1 to {count}",
            field="occurrence",
        )
    chosen = 1 if occurrence is None else occurrence
    if not 1 <= chosen <= count:
        times = "once" if count == 1 else f"{count} times"
        raise ModerationProblem(
            f"{quoted} appears {times} in this answer, so choose a number from 1 to {count}",
            field="occurrence",
        )
    start, end = starts[chosen - 1]
    return await _redact(actor, answer, response, start, end, reason)


def occurrences(text: str, wanted: str) -> list[tuple[int, int]]:
    """The (start, end) of each appearance of `wanted` in `text`, left to right, not overlapping.

    A line break matches whichever kind the answer has: browsers send line feeds as CR LF.
    """
    lines = (re.escape(line) for line in LINE_BREAK.split(wanted))
    pattern = re.compile(LINE_BREAK.pattern.join(lines))
    return [match.span() for match in pattern.finditer(text)]


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return f"“{flat if len(flat) <= QUOTE_MAX else flat[: QUOTE_MAX - 1] + '…'}”"


async def _redact(
    actor: Person, answer: Answer, response: Response, start: int, end: int, reason: str
) -> Redaction:
    reason = reason.strip()
    if not reason:
        raise ModerationProblem(
            "Give a reason for the redaction, such as “phone number”", field="reason"
        )
    if len(reason) > REASON_MAX:
        raise ModerationProblem(f"Reasons are at most {REASON_MAX} characters", field="reason")
    if not 0 <= start < end <= len(answer.text):
        raise ModerationProblem("Choose some text of the answer to redact", field="text")
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
