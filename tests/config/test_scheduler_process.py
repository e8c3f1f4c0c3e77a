"""`consult serve` runs the scheduler in-process (unless SCHEDULER=off), as one leader."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

from asgi_lifespan import LifespanManager

from base.settings import Settings
from config.app import create_app
from config.lifespan import SCHEDULER_TASK
from core.notifications.models import Notification
from core.notifications.outbox import enqueue
from core.notifications.transport import OutgoingMail
from tests.support import Mailbox


async def _queue(key: str, subject: str) -> Notification:
    written = await enqueue(
        key, "test", OutgoingMail("a@example.org", subject, "Text"), due_at=datetime.now(UTC)
    )
    assert written is not None
    return written


async def test_the_app_runs_the_scheduler_and_sends_queued_mail(
    settings: Settings, mailbox: Mailbox
) -> None:
    app = create_app(replace(settings, scheduler=True, scheduler_poll_seconds=1))

    async with LifespanManager(app):
        assert scheduler_tasks() == 1
        first = await _queue("test:queued", "Queued while nobody sent it")
        await asyncio.to_thread(mailbox.wait_for, 1, 10)
        first_sent = Notification.filter(id=first.id, sent_at__isnull=False)
        async with asyncio.timeout(60):  # only so that a broken test fails instead of hanging
            while not await first_sent.exists():  # noqa: ASYNC110 (a row to read, no event)
                await asyncio.sleep(0.05)
        # Only a later pass can find this one; it takes due rows oldest first, so had it found
        # the first message unsent again, that copy would arrive before this message.
        await _queue("test:later", "Queued once the first was sent")
        messages = await asyncio.to_thread(mailbox.wait_for, 2, 10)

    assert [str(m["Subject"]).strip() for m in messages] == [
        "Queued while nobody sent it",
        "Queued once the first was sent",
    ]


async def test_scheduler_off_leaves_the_outbox_to_consult_scheduler(
    settings: Settings, mailbox: Mailbox
) -> None:
    app = create_app(settings)  # the tests' settings say SCHEDULER=off

    async with LifespanManager(app):
        waiting = await _queue("test:waiting", "Waiting")
        # Nothing in this process could send it: no scheduler task was started. (Waiting to see
        # that no mail comes would prove less, and depend on how fast the machine is.)
        assert scheduler_tasks() == 0
        assert await Notification.filter(id=waiting.id, sent_at__isnull=True).exists()

    assert mailbox.messages == []


def scheduler_tasks() -> int:
    return sum(task.get_name() == SCHEDULER_TASK for task in asyncio.all_tasks())
