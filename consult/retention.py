"""The retention job (SPEC §10): keep personal data no longer than the consultation needs it.

RETENTION_DAYS after a call's outcome is published, its drafts and withdrawn responses (with their
files) are deleted, and so are changes never submitted (draft revisions); its submitted responses
that were not published are anonymised: the link to the person and the organisation's name go,
from the response and every revision of it, the answers stay (they are the evidence the outcome
rests on; sector and country stay for the statistics). Sent mail, which can hold a copy of someone's
answers, is deleted SENT_MAIL_DAYS after it went; rate-limit counters once no window can use them;
signed-in sessions (with their browser's user agent) once idle or past their absolute limit.
Every step is idempotent, so a second run, or a run from a second scheduler, changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from base.settings import Settings
from consult.accounts.sessions import Limits, forget_expired_sessions
from consult.api.idempotency import forget_expired as forget_expired_keys
from consult.calls.models import Attachment, AttachmentKind, Call, CallState
from consult.responses.models import (
    Consent,
    Response,
    ResponseRevision,
    ResponseStatus,
    RevisionAnswer,
)
from core.audit import record_action
from core.models import RateLimitCounter
from core.notifications.models import Notification
from core.uploads import upload_path

log = logging.getLogger("consult.scheduler")

# Responses the public may read once the workspace publishes them; everything else is "unpublished".
PUBLISHABLE = (Consent.PUBLISH_NAMED, Consent.PUBLISH_ANONYMOUS)
# Responses nobody will read: deleted with their files, by retention and by account deletion.
UNKEPT = (ResponseStatus.DRAFT, ResponseStatus.WITHDRAWN)


@dataclass(frozen=True)
class RetentionReport:
    calls: int = 0
    deleted_responses: int = 0
    anonymised_responses: int = 0
    deleted_mail: int = 0

    def __str__(self) -> str:
        return (
            f"{self.calls} call(s) past retention: {self.deleted_responses} draft or withdrawn "
            f"response(s) deleted, {self.anonymised_responses} anonymised; "
            f"{self.deleted_mail} old message(s) deleted"
        )


async def apply_retention(settings: Settings, *, now: datetime) -> RetentionReport:
    deleted = anonymised = 0
    due = await Call.filter(
        state=CallState.OUTCOME_PUBLISHED,
        outcome_published_at__lte=now - timedelta(days=settings.retention_days),
        retention_done_at__isnull=True,
    )
    for call in due:
        removed, hidden = await _retain_call(settings, call, now=now)
        deleted += removed
        anonymised += hidden
    mail = await Notification.filter(
        Q(sent_at__lte=now - timedelta(days=settings.sent_mail_days))
        | Q(suppressed_at__lte=now - timedelta(days=settings.sent_mail_days))
    ).delete()
    # An ended window is kept as long as the longest window, for backoff to remember it.
    await RateLimitCounter.filter(ends_at__lte=now - _longest_limit_window(settings)).delete()
    await forget_expired_keys(now)
    limits = Limits.of(
        idle_minutes=settings.session_idle_minutes, max_hours=settings.session_max_hours
    )
    await forget_expired_sessions(limits, now=now)
    report = RetentionReport(len(due), deleted, anonymised, mail)
    if due or mail:
        log.info("retention: %s", report)
    return report


async def _retain_call(settings: Settings, call: Call, *, now: datetime) -> tuple[int, int]:
    """Delete the call's drafts and withdrawn responses and anonymise its unpublished ones."""
    gone = Response.filter(call_id=call.id, status__in=UNKEPT)
    files = await files_of_unkept_responses(call_id=call.id)
    files += await files_of_draft_revisions(call.id)
    async with in_transaction():
        # Counted first: `delete()` reports the cascaded answers and files too.
        deleted = await gone.count()
        await gone.delete()
        # Changes never submitted are drafts too, with the files only they held.
        await Attachment.filter(stored_name__in=files).delete()
        await ResponseRevision.filter(response__call_id=call.id, submitted_at__isnull=True).delete()
        await Response.filter(call_id=call.id).update(unsubmitted_changes=False)
        unpublished = Response.filter(
            call_id=call.id, status=ResponseStatus.SUBMITTED, anonymised_at__isnull=True
        ).exclude(consent__in=PUBLISHABLE)
        ids = list(await unpublished.values_list("id", flat=True))
        anonymised = await Response.filter(id__in=ids).update(
            respondent_id=None, organisation_name="", anonymised_at=now
        )
        # Every revision keeps the organisation's name otherwise: it goes from all of them.
        await ResponseRevision.filter(response_id__in=ids).update(organisation_name="")
        claimed = await Call.filter(id=call.id, retention_done_at__isnull=True).update(
            retention_done_at=now
        )
        if claimed:
            await record_action(
                None,
                "call.retention_applied",
                call,
                {"deleted_responses": deleted, "anonymised_responses": anonymised},
            )
    # The rows are gone for good; the bytes follow (a crash here leaves unreachable files only).
    discard_files(settings.upload_dir, files)
    return deleted, anonymised


async def files_of_unkept_responses(**response: Any) -> list[str]:
    """Stored names of the files in the drafts and withdrawn responses matching `response`
    (Response fields, e.g. call_id=…): what goes when those responses are deleted."""
    # By owner as well as by answer: files that only an earlier revision or a draft names go too.
    names: set[str] = set()
    for path in ("response", "answer__response"):
        where = {f"{path}__{name}": value for name, value in response.items()}
        found = await Attachment.filter(
            kind=AttachmentKind.RESPONSE_FILE, **{f"{path}__status__in": UNKEPT}, **where
        ).values_list("stored_name", flat=True)
        names.update(str(name) for name in found)
    return sorted(str(name) for name in names)


async def files_of_draft_revisions(call_id: int) -> list[str]:
    """Stored names of files that only unsubmitted changes hold (no answer, no submitted
    revision names them): what goes with those drafts."""
    kept: set[int] = set()
    for ids in await RevisionAnswer.filter(
        revision__response__call_id=call_id, revision__submitted_at__isnull=False
    ).values_list("file_ids", flat=True):
        kept.update(ids or [])
    loose = await Attachment.filter(
        kind=AttachmentKind.RESPONSE_FILE,
        response__call_id=call_id,
        response__status=ResponseStatus.SUBMITTED,
        answer_id__isnull=True,
    ).values_list("id", "stored_name")
    return [str(name) for file_id, name in loose if file_id not in kept]


def discard_files(upload_dir: Path, names: list[str]) -> None:
    """Remove stored upload files whose rows were deleted (after the transaction committed)."""
    for name in names:
        upload_path(upload_dir, name).unlink(missing_ok=True)


def _longest_limit_window(settings: Settings) -> timedelta:
    limits = (
        settings.signin_limit,
        settings.signin_account_limit,
        settings.signup_limit,
        settings.mail_limit,
        settings.comment_limit,
        settings.not_me_limit,
        settings.api_token_limit,
        settings.api_address_limit,
    )
    return timedelta(seconds=max(limit.longest or limit.seconds for limit in limits))
