"""`consult serve` runs the scheduler in-process (unless SCHEDULER=off), as one leader."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

from asgi_lifespan import LifespanManager

from base.settings import Settings
from config.app import create_app
from core.notifications.outbox import enqueue
from core.notifications.transport import OutgoingMail
from tests.support import Mailbox


async def test_the_app_runs_the_scheduler_and_sends_queued_mail(
    settings: Settings, mailbox: Mailbox
) -> None:
    app = create_app(replace(settings, scheduler=True, scheduler_poll_seconds=1))

    async with LifespanManager(app):
        await enqueue(
            "test:queued",
            "test",
            OutgoingMail("a@example.org", "Queued while nobody sent it", "Text"),
            due_at=datetime.now(UTC),
        )
        await asyncio.to_thread(mailbox.wait_for, 1, 10)
        await asyncio.sleep(1.5)  # another pass: the message is not sent again
        messages = list(mailbox.messages)

    assert [str(m["Subject"]).strip() for m in messages] == ["Queued while nobody sent it"]


async def test_scheduler_off_leaves_the_outbox_to_consult_scheduler(
    settings: Settings, mailbox: Mailbox
) -> None:
    app = create_app(settings)  # the tests' settings say SCHEDULER=off

    async with LifespanManager(app):
        await enqueue(
            "test:waiting",
            "test",
            OutgoingMail("a@example.org", "Waiting", "Text"),
            due_at=datetime.now(UTC),
        )
        await asyncio.sleep(1.5)

    assert mailbox.messages == []
