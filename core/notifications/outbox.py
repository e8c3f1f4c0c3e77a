"""The outbox: every message is written under a unique key, then sent, then marked sent.

Sending claims a row first (a compare-and-set on `claimed_until`), so two processes never send the
same row at once. A process that dies after sending but before marking leaves a claim that expires:
the message may then go out once more, never more. A failing SMTP server is retried with backoff.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from base.settings import MailSettings
from core.models import Person
from core.notifications.models import Notification
from core.notifications.preferences import choice_of, wants
from core.notifications.transport import Attachment, OutgoingMail, send_mail

log = logging.getLogger("consult.notify")

CLAIM = timedelta(minutes=5)
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))


@dataclass(frozen=True)
class DispatchReport:
    sent: int = 0
    failed: int = 0


async def enqueue(
    key: str, kind: str, mail: OutgoingMail, *, due_at: datetime, person_id: int | None = None
) -> Notification | None:
    """Write the message unless one with this key exists; None when it already did.

    Call it inside the transaction of the change the message reports, so that both commit or
    neither does. The insert runs in a savepoint: a key already taken (by a scheduler's job on
    another process) must not abort the caller's transaction on PostgreSQL.
    """
    try:
        async with in_transaction():
            return await Notification.create(
                key=key[:255],
                kind=kind,
                person_id=person_id,
                recipient=mail.to,
                subject=mail.subject,
                text=mail.text,
                html=mail.html or "",
                headers=dict(mail.headers),
                attachments=[
                    {
                        "filename": a.filename,
                        "content_type": a.content_type,
                        "params": dict(a.params),
                        "data": base64.b64encode(a.data).decode(),
                    }
                    for a in mail.attachments
                ],
                due_at=due_at,
            )
    except IntegrityError:
        return None


async def _claim(notification_id: int, now: datetime) -> bool:
    claimed = await Notification.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now),
        id=notification_id,
        sent_at__isnull=True,
        suppressed_at__isnull=True,
    ).update(claimed_until=now + CLAIM)
    return bool(claimed)


async def _still_wanted(notification: Notification) -> bool:
    """False when the recipient turned this kind of mail off after the message was written."""
    if notification.person_id is None or choice_of(notification.kind) is None:
        return True
    opt_outs = await Person.filter(id=notification.person_id).values_list(
        "mail_opt_outs", flat=True
    )
    return not opt_outs or wants(list(opt_outs[0]), notification.kind)


class Sent(StrEnum):
    SENT = "sent"
    FAILED = "failed"  # left due, retried after the backoff
    SKIPPED = "skipped"  # another process has it, or the recipient turned this mail off


async def send_one(settings: MailSettings, notification: Notification, *, now: datetime) -> Sent:
    """Claim, send and mark one message."""
    if not await _claim(notification.id, now):
        return Sent.SKIPPED
    if not await _still_wanted(notification):
        await Notification.filter(id=notification.id).update(suppressed_at=now)
        log.info("not sending %s: its recipient turned this mail off", notification.key)
        return Sent.SKIPPED
    mail = OutgoingMail(
        to=notification.recipient,
        subject=notification.subject,
        text=notification.text,
        html=notification.html or None,
        headers=notification.headers,
        attachments=tuple(
            Attachment(
                str(a["filename"]),
                str(a["content_type"]),
                base64.b64decode(str(a["data"])),
                {str(k): str(v) for k, v in dict(a["params"]).items()},  # type: ignore[call-overload]
            )
            for a in notification.attachments
        ),
    )
    try:
        where = await send_mail(settings, mail)
    except Exception as exc:  # SMTP down, refused, timed out: try again later
        attempts = notification.attempts + 1
        retry_at = now + BACKOFF[min(attempts, len(BACKOFF)) - 1]
        await Notification.filter(id=notification.id).update(
            attempts=attempts, last_error=str(exc)[:1000], claimed_until=retry_at
        )
        log.warning(
            "could not send %s (attempt %d), next try at %s: %s",
            notification.key,
            attempts,
            retry_at,
            exc,
        )
        return Sent.FAILED
    await Notification.filter(id=notification.id).update(
        sent_at=now, attempts=notification.attempts + 1
    )
    log.info("sent %s to %s via %s", notification.kind, notification.recipient, where)
    return Sent.SENT


async def dispatch_due(
    settings: MailSettings, *, now: datetime, limit: int = 200
) -> DispatchReport:
    """Send every message that is due and not claimed, oldest first."""
    due = (
        await Notification.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lte=now),
            sent_at__isnull=True,
            suppressed_at__isnull=True,
            due_at__lte=now,
        )
        .order_by("due_at", "id")
        .limit(limit)
    )
    outcomes = [await send_one(settings, notification, now=now) for notification in due]
    return DispatchReport(outcomes.count(Sent.SENT), outcomes.count(Sent.FAILED))
