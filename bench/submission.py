"""Submitting a response through the real HTML pages, against raw asyncpg inserts of the same rows.

    .venv/bin/python -m bench.submission [--clients 64] [--seconds 15]

Builds a PostgreSQL database with open calls of five required questions (long text, short text,
single choice, multiple choice, scale) and signed-in stakeholders, then:

- **app**: one uvicorn process of the real app; each of `--clients` closed-loop clients answers
  call after call as a browser does: GET the start page (CSRF token), POST start, POST details,
  POST answers, GET the check page (the one-time submit token), POST submit, which validates,
  commits, mails the receipt (to files) and redirects to `/responses/{tracking}`.
- **baseline**: one uvicorn process of `bench.baselines`, whose endpoint reads the same fields and
  inserts the same rows (a submitted response and five answers) with raw asyncpg in one
  transaction, then redirects to the receipt: one request per response.

Both go through the same load generator on the same machine. Prints responses per second, the
ratio (target >= 0.6), and request latencies (target p99 < 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from tortoise import Tortoise

from bench.harness import (
    Client,
    Load,
    app_environment,
    closed_loop,
    dsn,
    machine,
    ms,
    percentile,
    scratch_database,
    served,
    verdict,
)
from config.database import tortoise_config
from consult.accounts.passwords import hash_password
from consult.calls.models import Call, CallState, Question, QuestionKind
from core.models import Topic

PASSWORD = "stakeholders answering quickly"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SUBMIT_TOKEN = re.compile(r'name="submit_token"[^>]*value="([^"]+)"')
CALLS = 300  # each client answers each call once: enough for one client alone for 15 s
BASELINE_PEOPLE = 40_000  # the baseline's respondents, shared out between its clients
KINDS: tuple[tuple[QuestionKind, list[str]], ...] = (
    (QuestionKind.LONG_TEXT, []),
    (QuestionKind.SHORT_TEXT, []),
    (QuestionKind.SINGLE_CHOICE, ["NIST", "NPL", "Jointly"]),
    (QuestionKind.MULTIPLE_CHOICE, ["Metrology", "Interfaces", "Benchmarks"]),
    (QuestionKind.SCALE, []),
)
DETAILS = {
    "respondent_type": "individual",
    "sector": "industry",
    "country": "GB",
    "consent": "publish_named",
}


async def seed(database_url: str, people: int) -> dict[str, list[Question]]:
    """Open calls, `people` verified stakeholders (copied in: sign-up is not what is measured)."""
    now = datetime.now(UTC)
    hashed = await hash_password(PASSWORD)
    connection = await asyncpg.connect(dsn(database_url))
    try:
        await connection.copy_records_to_table(
            "person",
            columns=[
                "email",
                "password_hash",
                "display_name",
                "role",
                "verified_at",
                "is_active",
                "organisation",
                "sector",
                "country",
                "auth_version",
                "time_zone",
                "mail_opt_outs",
                "two_step_last_step",
                "created_at",
                "updated_at",
            ],
            records=[
                (
                    f"stakeholder-{n:06d}@bench.example",
                    hashed,
                    f"Stakeholder {n}",
                    "stakeholder",
                    now,
                    True,
                    "Bench Ltd",
                    "industry",
                    "GB",
                    1,
                    "Europe/London",
                    "[]",
                    0,
                    now,
                    now,
                )
                for n in range(people)
            ],
        )
    finally:
        await connection.close()
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        topic = await Topic.create(slug="standards", name="Standards")
        questions: dict[str, list[Question]] = {}
        for number in range(CALLS):
            call = await Call.create(
                slug=f"bench-call-{number}",
                topic=topic,
                title=f"Where are quantum standards needed? ({number})",
                summary="Tell us which measurements and interfaces need common standards.",
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
        return questions
    finally:
        await Tortoise.close_connections()


def answers_for(questions: list[Question]) -> dict[str, str | list[str]]:
    values: dict[str, str | list[str]] = {}
    for question in questions:
        kind = QuestionKind(question.kind)
        if kind == QuestionKind.LONG_TEXT:
            values[question.field_name] = "Shared cryogenic test beds, measured the same way. " * 5
        elif kind == QuestionKind.SHORT_TEXT:
            values[question.field_name] = "Head of standards"
        elif kind == QuestionKind.SINGLE_CHOICE:
            values[question.field_name] = "Jointly"
        elif kind == QuestionKind.MULTIPLE_CHOICE:
            values[question.field_name] = ["Metrology", "Interfaces"]
        else:
            values[question.field_name] = "4"
    return values


def csrf_of(text: str) -> str:
    found = CSRF.search(text)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


async def run_app(
    database_url: str, questions: dict[str, list[Question]], args: argparse.Namespace
) -> Load:
    slugs = list(questions)
    environment = app_environment(database_url, "", Path(tempfile.mkdtemp(prefix="bench-sub-")))

    async def sign_in(client: Client, number: int) -> None:
        page = await client.http.get("/account/signin")
        await client.http.post(
            "/account/signin",
            data={
                "csrf_token": csrf_of(page.text),
                "email": f"stakeholder-{number:06d}@bench.example",
                "password": PASSWORD,
            },
        )

    async def respond(client: Client, iteration: int) -> None:
        slug = slugs[iteration % 1_000_000]
        base = f"/calls/{slug}/respond"
        start = await client.request("GET start", "GET", base)
        token = csrf_of(start.text)
        await client.request("POST start", "POST", base, data={"csrf_token": token})
        await client.request(
            "POST details", "POST", f"{base}/details", data={"csrf_token": token, **DETAILS}
        )
        await client.request(
            "POST answers",
            "POST",
            f"{base}/answers",
            data={"csrf_token": token, **answers_for(questions[slug])},
        )
        check = await client.request("GET check", "GET", f"{base}/check")
        submit_token = SUBMIT_TOKEN.search(check.text)
        if submit_token is None:
            raise RuntimeError(f"no submit token on the check page ({check.status_code})")
        done = await client.request(
            "POST submit",
            "POST",
            f"{base}/submit",
            data={"csrf_token": token, "submit_token": submit_token.group(1)},
        )
        if done.status_code != 303 or "/responses/" not in done.headers.get("location", ""):
            raise RuntimeError(f"submit answered {done.status_code}")

    with served("config.asgi:app", environment) as base:
        return await closed_loop(
            base, respond, clients=args.clients, seconds=args.seconds, prepare=sign_in
        )


async def run_baseline(
    database_url: str,
    questions: dict[str, list[Question]],
    first_person: int,
    args: argparse.Namespace,
) -> Load:
    slug = next(iter(questions))
    answers = answers_for(questions[slug])
    environment = {
        **app_environment(database_url, "", Path(tempfile.mkdtemp())),
        "BENCH_DATABASE_URL": database_url,
    }

    async def submit(client: Client, iteration: int) -> None:
        number, count = divmod(iteration, 1_000_000)
        each = BASELINE_PEOPLE // args.clients
        if count >= each:
            raise RuntimeError("the baseline ran out of people: raise BASELINE_PEOPLE")
        person = first_person + number * each + count
        done = await client.request(
            "POST",
            "POST",
            f"/calls/{slug}/responses",
            data={"person": str(person), **DETAILS, **answers},
        )
        if done.status_code != 303:
            raise RuntimeError(f"baseline answered {done.status_code}")

    with served("bench.baselines:app", environment) as base:
        return await closed_loop(base, submit, clients=args.clients, seconds=args.seconds)


async def count_submitted(database_url: str) -> int:
    connection = await asyncpg.connect(dsn(database_url))
    try:
        return int(
            await connection.fetchval("SELECT count(*) FROM response WHERE status = 'submitted'")
        )
    finally:
        await connection.close()


async def main(args: argparse.Namespace) -> None:
    print(f"Submission on {machine()}")
    async with scratch_database("submission") as database_url:
        questions = await seed(database_url, args.clients + BASELINE_PEOPLE)
        connection = await asyncpg.connect(dsn(database_url))
        first_baseline_person = (
            int(await connection.fetchval("SELECT min(id) FROM person")) + args.clients
        )
        await connection.close()
        app = await run_app(database_url, questions, args)
        app_rows = await count_submitted(database_url)
        baseline = await run_baseline(database_url, questions, first_baseline_person, args)
        all_rows = await count_submitted(database_url)

    print(
        f"\n{args.clients} clients, {args.seconds:.0f} s measured after 2 s of warm-up, one uvicorn process each, PostgreSQL"
    )
    ratio = app.per_second() / baseline.per_second()
    for label, load, rows in (
        ("app (6 requests)", app, app_rows),
        ("baseline (1 request)", baseline, all_rows - app_rows),
    ):
        latencies = load.all_latencies()
        print(
            f"  {label:<22} {load.per_second():7.1f} responses/s  {load.requests / load.seconds:7.1f} req/s"
            f"  p50 {ms(percentile(latencies, 0.5)):>9}  p99 {ms(percentile(latencies, 0.99)):>9}"
            f"  statuses {load.statuses}  rows {rows}"
        )
    print("  app requests:")
    for label, values in app.latencies.items():
        print(
            f"    {label:<14} p50 {ms(percentile(values, 0.5)):>9}  p95 {ms(percentile(values, 0.95)):>9}  p99 {ms(percentile(values, 0.99)):>9}"
        )
    p99 = percentile(app.all_latencies(), 0.99)
    print(
        f"  ratio app / baseline (responses per second): {ratio:.2f} (target >= 0.60: {verdict(ratio >= 0.6)})"
    )
    print(f"  app p99 per request: {ms(p99)} (target < 100 ms: {verdict(p99 < 0.1)})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=15)
    asyncio.run(main(parser.parse_args()))
