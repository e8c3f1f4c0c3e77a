"""Two web processes and two schedulers on one PostgreSQL behave as one service (docs/deploy.md).

Everything is a real operating-system process started as an operator would start it: `uvicorn
config.asgi:app` twice (SCHEDULER=off, as behind a load balancer) and `consult scheduler` twice
(one leads, one stands by). A browser-like client signs in on one web process and carries on on
the other; both serve byte-identical calendar feeds before and after an edit; a session reminder
that falls due while all four run is sent exactly once.

The processes use the real clock, so the test never races it: the session is first too far off
for a reminder, and the edit that renames it also brings it to 24 hours away, so the reminder can
only fall due after the edit, however slowly the steps before it ran. "Nothing twice" is judged
after a marker message has gone out, i.e. after the leader made another whole pass.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from consult.accounts.passwords import hash_password
from events.models import Session
from tests.config.schedulers import (
    GUARD_SECONDS,
    more_passes,
    running_schedulers,
    scheduler_environ,
    wait_for_leader,
)
from tests.factories import make_person, make_session
from tests.servers import serve_app
from tests.support import Mailbox, csrf_from, page

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)

PASSWORD = "a long and memorable passphrase"
# What the load balancer serves. Plain http here: with https the session cookie is Secure, and
# this test talks to the processes directly over http.
SHARED_BASE_URL = "http://consult.example.gov"
REMINDER_IN = timedelta(seconds=2)  # after the edit, the 24-hour reminder falls due this soon


@contextmanager
def web_processes(
    count: int, database_url: str, tmp_path: Path, mailbox: Mailbox
) -> Iterator[list[str]]:
    with ExitStack() as stack:
        for number in range(1, count + 1):
            (tmp_path / f"web-{number}").mkdir()
        yield [
            stack.enter_context(
                contextmanager(serve_app)(
                    database_url,
                    tmp_path / f"web-{number}",
                    mailbox,
                    environment={"BASE_URL": SHARED_BASE_URL},
                )
            )
            for number in range(1, count + 1)
        ]


async def test_two_web_processes_and_two_schedulers_act_as_one_service(
    database_url: str, db: None, mailbox: Mailbox, tmp_path: Path
) -> None:
    person = await make_person(
        "grace@example.org",
        "Grace Hopper",
        password_hash=await hash_password(PASSWORD),
        verified_at=datetime.now(UTC),
    )
    starts = datetime.now(UTC) + timedelta(days=3)  # no reminder yet
    session = await make_session("standards-roundtable", starts, minutes=60)
    environ = scheduler_environ(database_url, tmp_path, mailbox)
    with (
        web_processes(2, database_url, tmp_path, mailbox) as (first, second),
        running_schedulers(2, environ, tmp_path) as schedulers,
    ):
        await wait_for_leader(schedulers, schedulers)
        async with httpx.AsyncClient(follow_redirects=False, timeout=10) as browser:
            # Signed in on one process, recognised by the other (one SECRET_KEY, state in cookies).
            form = await browser.get(f"{first}/account/signin")
            signed_in = await browser.post(
                f"{first}/account/signin",
                data={"csrf_token": csrf_from(form), "email": person.email, "password": PASSWORD},
            )
            assert signed_in.status_code == 303
            account = await browser.get(f"{second}/account/")
            assert account.status_code == 200
            assert "Grace Hopper" in page(account).get_text()

            # A form from one process is accepted by the other (the CSRF token is the session's).
            session_page = await browser.get(f"{first}/sessions/{session.slug}")
            registered = await browser.post(
                f"{second}/sessions/{session.slug}/register",
                data={"csrf_token": csrf_from(session_page)},
            )
            assert registered.status_code == 303, page(registered).get_text(" ", strip=True)[:800]

            # Both processes serve the same feed, and both see an edit made through either.
            feeds = [await browser.get(f"{base}/calendar/all.ics") for base in (first, second)]
            assert feeds[0].content == feeds[1].content
            assert feeds[0].headers["etag"] == feeds[1].headers["etag"]
            # As the organiser pages save it: a new title and time, a new updated_at. The new
            # time brings the 24-hour reminder due `REMINDER_IN` from now.
            moved = datetime.now(UTC) + timedelta(hours=24) + REMINDER_IN
            await Session.filter(id=session.id).update(
                title="Standards roundtable (room 2)",
                starts_at=moved,
                ends_at=moved + timedelta(hours=1),
                updated_at=datetime.now(UTC),
            )
            edited = [await browser.get(f"{base}/calendar/all.ics") for base in (second, first)]
            assert edited[0].content == edited[1].content
            assert b"room 2" in edited[0].content
            assert edited[0].headers["etag"] != feeds[0].headers["etag"]

        # The reminder falls due while two schedulers run: it arrives once.
        reminder = "Reminder: Standards roundtable (room 2) starts in 24 hours"
        await asyncio.to_thread(_wait_for, mailbox, reminder, GUARD_SECONDS)
        await more_passes(mailbox, 1, schedulers)
        assert _count(mailbox, reminder) == 1, [str(m["Subject"]) for m in mailbox.messages]


def _wait_for(mailbox: Mailbox, subject: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not _count(mailbox, subject):
        time.sleep(0.2)


def _count(mailbox: Mailbox, subject: str) -> int:
    return sum(str(m["Subject"]).strip() == subject for m in list(mailbox.messages))
