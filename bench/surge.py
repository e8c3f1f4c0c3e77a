"""A flash crowd answering calls for input, with faults: is every receipt a stored response?

    .venv/bin/python -m bench.surge [--clients 200] [--seconds 60] [--workers 2]
                                    [--kill-worker-at 20] [--restart-postgres-at 35]

Builds a fresh PostgreSQL database (at TEST_POSTGRES_URL's server), opens calls with five
questions each and signs `--clients` stakeholders in, then starts `consult serve --workers N` and
lets every stakeholder answer call after call through the real HTML forms — start, details,
answers, check, submit — until the time is up, as browsers do: a 503 is waited out (Retry-After)
and a dropped connection retried, the way a person presses the button again. Midway it SIGKILLs
one uvicorn worker and, later, restarts PostgreSQL. Then it reads the database: every receipt a
client saw (the redirect to /responses/{tracking}) must name a submitted response, every submitted
revision must have its confirmation mail in the outbox, and no person may hold two responses to
one call. Prints counts, latencies and the outage as the clients saw it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from tortoise import Tortoise

from bench.harness import admin_url, dsn
from bench.submission import KINDS, answers_for
from config.database import migrate, tortoise_config
from consult.accounts.passwords import hash_password
from consult.calls.models import Call, CallState, Question
from core.models import Person, Topic

PASSWORD = "a surge of quantum stakeholders"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SUBMIT_TOKEN = re.compile(r'name="submit_token"[^>]*value="([^"]+)"')
RECEIPT = re.compile(r"/responses/(QC-[0-9A-Z-]+)$")
CALLS = 40


@dataclass
class Tally:
    receipts: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    dropped: int = 0  # connections refused or cut
    abandoned: int = 0  # responses given up on because a page never came
    latencies: list[float] = field(default_factory=list)  # seconds per submitted response
    outage_503: list[float] = field(default_factory=list)  # when 503s were seen (s from start)


async def seed(database_url: str, people: int) -> tuple[list[str], dict[str, list[Question]]]:
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        now = datetime.now(UTC)
        topic = await Topic.create(slug="standards", name="Standards")
        hashed = await hash_password(PASSWORD)
        await Person.bulk_create(
            [
                Person(
                    email=f"stakeholder-{n:04d}@surge.example",
                    password_hash=hashed,
                    display_name=f"Stakeholder {n}",
                    verified_at=now,
                )
                for n in range(people)
            ]
        )
        questions: dict[str, list[Question]] = {}
        for number in range(CALLS):
            call = await Call.create(
                slug=f"surge-call-{number}",
                topic=topic,
                title=f"Surge call {number}",
                summary="Where are quantum standards needed?",
                opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=10),
                state=CallState.PUBLISHED,
            )
            questions[call.slug] = [
                await Question.create(
                    call=call, position=p, kind=k, prompt=f"Question {p}", required=True, options=o
                )
                for p, (k, o) in enumerate(KINDS, 1)
            ]
        emails = [f"stakeholder-{n:04d}@surge.example" for n in range(people)]
        return emails, questions
    finally:
        await Tortoise.close_connections()


class Browser:
    """One stakeholder's browser: waits out 503s and retries what a dropped connection lost."""

    def __init__(self, base: str, tally: Tally, started: float) -> None:
        self.http = httpx.AsyncClient(base_url=base, timeout=30)
        self.tally = tally
        self.started = started

    async def send(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        for _attempt in range(60):
            try:
                answer = await self.http.request(method, url, **kwargs)  # type: ignore[arg-type]
            except httpx.TransportError:
                self.tally.dropped += 1
                await asyncio.sleep(0.5)
                continue
            self.tally.statuses[answer.status_code] += 1
            if answer.status_code == 503:
                self.tally.outage_503.append(time.monotonic() - self.started)
                await asyncio.sleep(float(answer.headers.get("retry-after", "1")))
                continue
            return answer
        raise RuntimeError(f"{method} {url} never answered")

    async def csrf(self, url: str) -> str:
        page = await self.send("GET", url)
        found = CSRF.search(page.text)
        if found is None:
            raise RuntimeError(f"no form at {url}: {page.status_code}")
        return found.group(1)


async def stakeholder(
    base: str,
    email: str,
    questions: dict[str, list[Question]],
    deadline: float,
    tally: Tally,
    started: float,
) -> None:
    browser = Browser(base, tally, started)
    token = await browser.csrf("/account/signin")
    await browser.send(
        "POST", "/account/signin", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    slugs = list(questions)
    random.shuffle(slugs)
    for slug in slugs:
        if time.monotonic() > deadline:
            break
        try:
            await respond(browser, slug, questions[slug], tally)
        except RuntimeError:
            tally.abandoned += 1  # a page that never came: a person would give up on this call
    await browser.http.aclose()


async def respond(browser: Browser, slug: str, questions: list[Question], tally: Tally) -> None:
    """Start, details, answers, check, submit: the six requests of one response."""
    began = time.monotonic()
    base_path = f"/calls/{slug}/respond"
    token = await browser.csrf(base_path)
    await browser.send("POST", base_path, data={"csrf_token": token})
    details = {
        "csrf_token": token,
        "respondent_type": "individual",
        "sector": "industry",
        "country": "GB",
        "consent": "publish_named",
    }
    await browser.send("POST", f"{base_path}/details", data=details)
    await browser.send(
        "POST",
        f"{base_path}/answers",
        data={"csrf_token": token, **answers_for(questions)},
    )
    check = await browser.send("GET", f"{base_path}/check")
    submit_token = SUBMIT_TOKEN.search(check.text)
    if submit_token is None:
        return  # already submitted before a retry: the check page says so
    submitted = await browser.send(
        "POST",
        f"{base_path}/submit",
        data={"csrf_token": token, "submit_token": submit_token.group(1)},
    )
    receipt = RECEIPT.search(submitted.headers.get("location", ""))
    if submitted.status_code == 303 and receipt:
        tally.receipts.append(receipt.group(1))
        tally.latencies.append(time.monotonic() - began)


async def wait_until_ready(base: str) -> None:
    async with httpx.AsyncClient(timeout=1) as http:
        for _ in range(150):
            try:
                if (await http.get(f"{base}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the server did not start")


def worker_pids(master: int) -> list[int]:
    """uvicorn's worker processes (not multiprocessing's resource tracker, also a child)."""
    found = subprocess.run(
        ["pgrep", "-P", str(master)], capture_output=True, text=True, check=False
    )
    workers = []
    for pid in found.stdout.split():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            workers.append(int(pid))
    return workers


def restart_postgres() -> float:
    """Restart the local cluster; the seconds it was down."""
    version = sorted(os.listdir("/etc/postgresql"))[0]
    began = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True
    )
    return time.monotonic() - began


async def chaos(
    args: argparse.Namespace, server: subprocess.Popen[bytes], started: float, notes: list[str]
) -> None:
    if args.kill_worker_at:
        await asyncio.sleep(args.kill_worker_at)
        victims = worker_pids(server.pid)
        if victims:
            os.kill(victims[0], signal.SIGKILL)
            notes.append(
                f"SIGKILL uvicorn worker {victims[0]} of {len(victims)} at "
                f"{time.monotonic() - started:.1f} s"
            )
            await asyncio.sleep(5)
            notes.append(f"workers alive 5 s later: {len(worker_pids(server.pid))}")
            await asyncio.sleep(10)
            notes.append(f"workers alive 15 s later: {len(worker_pids(server.pid))}")
    if args.restart_postgres_at:
        await asyncio.sleep(max(0.0, args.restart_postgres_at - (time.monotonic() - started)))
        at = time.monotonic() - started
        down = await asyncio.to_thread(restart_postgres)
        notes.append(f"PostgreSQL restarted at {at:.1f} s ({down:.1f} s for pg_ctlcluster restart)")


@dataclass(frozen=True)
class Audit:
    missing: int  # receipts with no submitted row
    doubled: int  # persons with two responses to one call
    submitted: int  # rows submitted
    revisions: int  # submitted revisions, one per receipt a client was given
    without_mail: int  # submitted revisions with no confirmation in the outbox
    mails: int  # confirmations in the outbox


async def verify(database_url: str, receipts: list[str]) -> Audit:
    """What the database holds against the receipts the clients were given."""
    connection = await asyncpg.connect(dsn(database_url))
    try:
        stored = await connection.fetch(
            "SELECT tracking_number FROM response WHERE status = 'submitted' AND tracking_number = ANY($1::text[])",
            receipts,
        )
        doubled = await connection.fetchval(
            "SELECT count(*) FROM (SELECT call_id, respondent_id FROM response GROUP BY 1, 2 HAVING count(*) > 1) d"
        )
        submitted = await connection.fetchval(
            "SELECT count(*) FROM response WHERE status = 'submitted'"
        )
        revisions = await connection.fetchval(
            "SELECT count(*) FROM response_revision WHERE submitted_at IS NOT NULL"
        )
        # Each submitted revision's confirmation is keyed response_copy:{response}:{revision}.
        without_mail = await connection.fetchval(
            """SELECT count(*) FROM response_revision r
            WHERE r.submitted_at IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM notification n
                WHERE n.key = 'response_copy:' || r.response_id || ':' || r.number)"""
        )
        mails = await connection.fetchval(
            "SELECT count(*) FROM notification WHERE kind = 'response_copy'"
        )
        return Audit(
            len(set(receipts) - {row[0] for row in stored}),
            int(doubled),
            int(submitted),
            int(revisions),
            int(without_mail),
            int(mails),
        )
    finally:
        await connection.close()


async def main(args: argparse.Namespace) -> None:
    name = f"qc_surge_{os.getpid()}"
    admin = await asyncpg.connect(dsn(admin_url()))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    database_url = admin_url().rsplit("/", 1)[0] + f"/{name}"
    await migrate(database_url)
    emails, questions = await seed(database_url, args.clients)
    port = 8700 + os.getpid() % 200
    base = f"http://127.0.0.1:{port}"
    data_dir = Path(tempfile.mkdtemp(prefix="surge-"))
    env = {
        **os.environ,
        "ENV": "test",
        "DATABASE_URL": database_url,
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": "surge-secret-key-that-is-long-enough-for-signing",
        "BASE_URL": base,
        "SMTP_URL": "",  # receipts are written as .eml files under DATA_DIR/mail
        "SCHEDULER": "off",
        "LOG_LEVEL": "warning",
        "SIGNIN_LIMIT": "100000/60",
    }
    server = subprocess.Popen(  # noqa: ASYNC220 -- started once, before any load
        [
            sys.executable,
            "-m",
            "config",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(data_dir / "server.log").open("wb"),
        start_new_session=True,  # its own process group: the workers are stopped with it
    )
    try:
        await wait_until_ready(base)
        tally, notes = Tally(), list[str]()
        started = time.monotonic()
        deadline = started + args.seconds
        clients = [
            stakeholder(base, email, questions, deadline, tally, started) for email in emails
        ]
        await asyncio.gather(chaos(args, server, started, notes), *clients)
        elapsed = time.monotonic() - started
        audit = await verify(database_url, tally.receipts)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        admin = await asyncpg.connect(dsn(admin_url()))
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

    latencies = sorted(tally.latencies) or [0.0]
    print(
        f"{args.clients} stakeholders, {args.workers} uvicorn workers, PostgreSQL, {elapsed:.0f} s"
    )
    for note in notes:
        print(f"  fault: {note}")
    print(
        f"  receipts issued:            {len(tally.receipts)} ({len(tally.receipts) / elapsed:.1f}/s)"
    )
    print(f"  responses submitted (rows): {audit.submitted}")
    print(f"  submitted revisions:        {audit.revisions}")
    print(f"  confirmation mails queued:  {audit.mails}")
    print(f"  receipts without a row:     {audit.missing}")
    print(f"  revisions without a mail:   {audit.without_mail}")
    print(f"  duplicate receipts:         {len(tally.receipts) - len(set(tally.receipts))}")
    print(f"  person twice on one call:   {audit.doubled}")
    print(f"  statuses seen:              {dict(sorted(tally.statuses.items()))}")
    print(f"  connections dropped:        {tally.dropped}")
    print(f"  responses abandoned:        {tally.abandoned}")
    if tally.outage_503:
        print(f"  503s seen from {min(tally.outage_503):.1f} s to {max(tally.outage_503):.1f} s")
    print(
        f"  seconds per response (6 requests): median {statistics.median(latencies):.2f}, "
        f"p95 {latencies[int(len(latencies) * 0.95) - 1]:.2f}, max {latencies[-1]:.2f}"
    )
    if audit.missing or audit.doubled or audit.without_mail or tally.statuses.get(500):
        raise SystemExit("FAILED: a receipt without its row or its mail, a duplicate, or a 500")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-worker-at", type=float, default=20)
    parser.add_argument("--restart-postgres-at", type=float, default=35)
    asyncio.run(main(parser.parse_args()))
