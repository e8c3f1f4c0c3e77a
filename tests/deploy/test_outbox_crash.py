"""A receipt's mail survives the death of the process that wrote it, and goes once.

A real server (uvicorn in its own process) takes an API submission and commits it with its
receipt's outbox row; its mail server then stalls mid-message and the server is killed with
SIGKILL before the message is through. The row is there, claimed by the dead process; once the
claim runs out the dispatcher (as a scheduler would run it) sends it, exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from base.settings import MailSettings
from config.database import tortoise_config
from consult.responses.models import Response, ResponseStatus
from core.notifications.models import Notification
from core.notifications.outbox import CLAIM, dispatch_due
from tests.consult.api.helpers import full_answers, organisation_with_token, submission
from tests.factories import make_call
from tests.servers import serve_app_process
from tests.support import Mailbox, start_smtp_server


class StallingMailServer:
    """Accepts a message's envelope, then never finishes its DATA: a sender stays mid-send."""

    def __init__(self) -> None:
        self.data_started = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_started.set()
        await asyncio.sleep(3600)
        return "250 never"


@contextmanager
def stalling_smtp() -> Any:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = StallingMailServer()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


async def _prepare(database_url: str) -> tuple[str, str, list[dict[str, Any]]]:
    EXECUTOR_CACHE.clear()
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        now = datetime.now(UTC)
        call = await make_call(now)
        org = await organisation_with_token("ops@qubitworks.example", "Qubit Works", now=now)
        return call.slug, org.token, await full_answers(call)
    finally:
        await Tortoise.close_connections()


async def _after_the_crash(database_url: str, mail: MailSettings) -> dict[str, Any]:
    EXECUTOR_CACHE.clear()
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        found: dict[str, Any] = {
            "responses": await Response.filter(status=ResponseStatus.SUBMITTED).count(),
            "receipts": await Notification.filter(kind="response_received").count(),
            "claimed": await Notification.filter(
                kind="response_received", sent_at__isnull=True, claimed_until__isnull=False
            ).count(),
        }
        later = datetime.now(UTC) + CLAIM + timedelta(seconds=1)
        found["first run"] = (await dispatch_due(mail, now=later)).sent
        found["second run"] = (await dispatch_due(mail, now=later + timedelta(minutes=1))).sent
        found["sent rows"] = await Notification.filter(sent_at__isnull=False).count()
        return found
    finally:
        await Tortoise.close_connections()


def test_a_receipt_committed_before_a_crash_is_mailed_once_after_it(
    database_url: str, tmp_path: Path
) -> None:
    slug, token, answers = asyncio.run(_prepare(database_url))
    mailbox, good_smtp = start_smtp_server()
    try:
        with stalling_smtp() as (stall, stalling_url):
            serving = serve_app_process(
                database_url,
                tmp_path,
                Mailbox(),
                environment={"SMTP_URL": stalling_url},
            )
            base_url, server = next(serving)
            outcome: dict[str, Any] = {}

            def post() -> None:
                try:
                    outcome["answer"] = httpx.post(
                        f"{base_url}/api/v1/calls/{slug}/responses",
                        json=submission(answers),
                        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k1"},
                        timeout=60,
                    )
                except httpx.HTTPError as error:
                    outcome["error"] = error

            client = threading.Thread(target=post)
            client.start()
            # The server is sending the receipt: its transaction has committed.
            assert stall.data_started.wait(timeout=60), "the server never began to send"
            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
            client.join(timeout=60)
            serving.close()
        assert "answer" not in outcome  # the client never saw its receipt
        found = asyncio.run(
            _after_the_crash(
                database_url,
                MailSettings("QIST Consult <no-reply@localhost>", mailbox.url, tmp_path),
            )
        )
        assert found == {
            "responses": 1,
            "receipts": 1,
            "claimed": 1,  # by the process that died mid-send
            "first run": 1,
            "second run": 0,
            "sent rows": 1,
        }
        received = mailbox.wait_for(1)
        assert [str(m["Subject"]).split(":")[0].strip() for m in received] == ["Response received"]
    finally:
        good_smtp.stop()
