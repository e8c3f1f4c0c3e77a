"""Published responses at 100,000: the public pages over HTTP, and the exports' speed and memory.

    .venv/bin/python -m bench.published [--responses 100000] [--clients 8] [--seconds 5]

Builds a PostgreSQL database with one closed call whose responses are all published (answers
and the search index included, loaded in bulk), runs VACUUM ANALYZE as autovacuum would, then:

1. **Pages**: the real app (one uvicorn process) serves `/calls/{slug}`, `/calls/{slug}/responses/`
   (pages 1 and 50) and the list searched for a word in about 80% of the responses and for a rare
   word: latency with one client at a time (target: p95 < 50 ms), then throughput with
   `--clients` at once. The baseline is a plain endpoint answering with the same page's bytes
   from memory (`bench.baselines`), measured the same two ways.
2. **Exports**: the public CSV and XLSX exports as the download view streams them, at a tenth of
   the responses and at all of them, each in a fresh process that reports rows per second and its
   peak resident memory (ru_maxrss). The baseline is PostgreSQL's own `COPY ... TO STDOUT CSV` of
   the same responses joined with their answers: the floor for rows per second. Target: peak
   under 200 MB, and the same at both sizes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from tortoise import Tortoise

from bench.harness import (
    Client,
    analyse,
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
from consult.calls.models import Call, CallState, Question, QuestionKind
from consult.responses.models import Response
from core.models import Topic

SLUG = "bench-published"
COMMON, RARE = "cryogenic", "zeolite"
WORDS = [
    "quantum",
    "standards",
    "metrology",
    "interfaces",
    "benchmarks",
    "photonic",
    "qubit",
    "supply",
    "chain",
    "fabrication",
    "testing",
    "calibration",
    "error",
    "correction",
    "research",
    "security",
    "workforce",
    "training",
    "export",
    "control",
    "interoperability",
    "software",
    "hardware",
    "sensing",
    "timing",
    "networks",
    "laboratory",
    "partnership",
    "funding",
    "procurement",
    "roadmap",
    "industry",
    "academia",
    "government",
    "measurement",
    "reference",
    "traceable",
]
COUNTRIES = ("US", "GB", "CA", "DE", "FR", "JP", "AU", "NL")
SECTORS = ("academia", "industry", "government", "civil_society", "other")
BATCH = 10_000


def answer_text(rng: random.Random, number: int) -> str:
    words = rng.choices(WORDS, k=60)
    if rng.random() < 0.8:
        words.append(COMMON)
    if number % 1000 == 0:
        words.append(RARE)
    return " ".join(words).capitalize() + "."


async def create_call() -> dict[QuestionKind, int]:
    now = datetime.now(UTC)
    topic = await Topic.create(slug="standards", name="Standards", summary="Standards")
    call = await Call.create(
        slug=SLUG,
        topic=topic,
        title="Where are quantum standards needed?",
        summary="Tell us which measurements and interfaces need common standards.",
        body="## Background\n\nThe joint statement asks where **standards** are needed.",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=1),
        state=CallState.PUBLISHED,
    )
    kinds = (QuestionKind.LONG_TEXT, QuestionKind.SINGLE_CHOICE, QuestionKind.SCALE)
    ids = {}
    for position, kind in enumerate(kinds, start=1):
        question = await Question.create(
            call=call,
            position=position,
            kind=kind,
            prompt=f"Question {position}",
            options=["NIST", "NPL", "Jointly"] if kind == QuestionKind.SINGLE_CHOICE else [],
        )
        ids[kind] = question.id
    return ids


REVISIONS = """
INSERT INTO response_revision (response_id, number, submitted_at, respondent_type,
    organisation_name, sector, country, consent, publication)
SELECT id, revision, submitted_at, respondent_type, organisation_name, sector, country, consent,
    publication
FROM response WHERE id = ANY($1::int[])
"""
REVISION_ANSWERS = """
INSERT INTO revision_answer (revision_id, question_id, text, choices, scale, sensitive, file_ids)
SELECT r.id, a.question_id, a.text, a.choices, a.scale, a.sensitive, '[]'::jsonb
FROM answer a JOIN response_revision r ON r.response_id = a.response_id
WHERE a.response_id = ANY($1::int[])
"""
POINTERS = """
UPDATE response SET latest_revision_id = r.id, published_revision_id = r.id
FROM response_revision r WHERE r.response_id = response.id AND response.id = ANY($1::int[])
"""


async def fill(
    database_url: str, questions: dict[QuestionKind, int], start: int, count: int
) -> None:
    """Published responses numbered start.. with their answers and search rows, by COPY."""
    rng = random.Random(start)
    submitted = datetime(2026, 10, 1, tzinfo=UTC)
    connection = await asyncpg.connect(dsn(database_url))
    try:
        call_id = await connection.fetchval("SELECT id FROM call WHERE slug = $1", SLUG)
        for offset in range(start, start + count, BATCH):
            numbers = range(offset, min(offset + BATCH, start + count))
            now = datetime.now(UTC)
            await connection.copy_records_to_table(
                "response",
                columns=[
                    "call_id",
                    "status",
                    "tracking_number",
                    "respondent_type",
                    "organisation_name",
                    "sector",
                    "country",
                    "consent",
                    "details_confirmed",
                    "revision",
                    "submitted_at",
                    "last_submitted_at",
                    "publication",
                    "campaign_extra",
                    "created_at",
                    "updated_at",
                ],
                records=[
                    (
                        call_id,
                        "submitted",
                        f"QC-BENCH-{n:08d}",
                        rng.choice(("individual", "organisation")),
                        "",
                        rng.choice(SECTORS),
                        rng.choice(COUNTRIES),
                        "publish_anonymous",
                        True,
                        1,
                        submitted + timedelta(seconds=n),
                        submitted + timedelta(seconds=n),
                        "published",
                        "",
                        now,
                        now,
                    )
                    for n in numbers
                ],
            )
            ids = dict(
                await connection.fetch(
                    "SELECT tracking_number, id FROM response WHERE tracking_number = ANY($1::text[])",
                    [f"QC-BENCH-{n:08d}" for n in numbers],
                )
            )
            texts = {n: answer_text(rng, n) for n in numbers}
            answers = []
            for n in numbers:
                response_id = ids[f"QC-BENCH-{n:08d}"]
                answers += [
                    (response_id, questions[QuestionKind.LONG_TEXT], texts[n], "[]", None),
                    (
                        response_id,
                        questions[QuestionKind.SINGLE_CHOICE],
                        "",
                        json.dumps([rng.choice(["NIST", "NPL", "Jointly"])]),
                        None,
                    ),
                    (response_id, questions[QuestionKind.SCALE], "", "[]", rng.randint(1, 5)),
                ]
            await connection.copy_records_to_table(
                "answer",
                columns=[
                    "response_id",
                    "question_id",
                    "text",
                    "choices",
                    "scale",
                    "sensitive",
                    "created_at",
                    "updated_at",
                ],
                records=[(*answer, False, now, now) for answer in answers],
            )
            # What a submission and a moderator's decision leave: revision 1, published.
            batch_ids = [ids[f"QC-BENCH-{n:08d}"] for n in numbers]
            await connection.execute(REVISIONS, batch_ids)
            await connection.execute(REVISION_ANSWERS, batch_ids)
            await connection.execute(POINTERS, batch_ids)
            await connection.copy_records_to_table(
                "response_search",
                columns=["response_id", "call_id", "body"],
                records=[(ids[f"QC-BENCH-{n:08d}"], call_id, texts[n]) for n in numbers],
            )
    finally:
        await connection.close()


# ---------------------------------------------------------------- Pages


PAGES = (
    ("call page", f"/calls/{SLUG}"),
    ("responses, page 1", f"/calls/{SLUG}/responses/"),
    ("responses, page 50", f"/calls/{SLUG}/responses/?page=50"),
    (f"search “{COMMON}” (80%)", f"/calls/{SLUG}/responses/?q={COMMON}"),
    (f"search “{RARE}” (0.1%)", f"/calls/{SLUG}/responses/?q={RARE}"),
)


async def pages(
    database_url: str, args: argparse.Namespace
) -> list[tuple[str, float, float, float, float, float]]:
    """For each page: (label, app p50 and p95 with one client, app req/s with `--clients`,
    baseline p95 with one client, baseline req/s with `--clients`)."""
    data_dir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    environment = app_environment(database_url, "", data_dir)
    bytes_dir = Path(tempfile.mkdtemp(prefix="bench-page-bytes-"))

    async def measure(base: str, paths: list[str]) -> list[tuple[list[float], float]]:
        figures = []
        for path in paths:

            async def get(client: Client, _: int, path: str = path) -> None:
                answer = await client.request("page", "GET", path)
                assert answer.status_code == 200, (path, answer.status_code)

            alone = await closed_loop(base, get, clients=1, seconds=args.seconds, warmup=1)
            busy = await closed_loop(
                base, get, clients=args.clients, seconds=args.seconds, warmup=1
            )
            figures.append((alone.all_latencies(), busy.requests / busy.seconds))
        return figures

    with served("config.asgi:app", environment) as base:
        for number, (_, path) in enumerate(PAGES):
            page = httpx.get(base + path, timeout=60)
            assert page.status_code == 200, (path, page.status_code)
            (bytes_dir / f"page{number}.html").write_bytes(page.content)
        app = await measure(base, [path for _, path in PAGES])
    with served("bench.baselines:app", {**environment, "BENCH_BYTES_DIR": str(bytes_dir)}) as base:
        plain = await measure(base, [f"/bytes/page{n}.html" for n in range(len(PAGES))])
    return [
        (
            label,
            percentile(app[n][0], 0.5),
            percentile(app[n][0], 0.95),
            app[n][1],
            percentile(plain[n][0], 0.95),
            plain[n][1],
        )
        for n, (label, _) in enumerate(PAGES)
    ]


# ---------------------------------------------------------------- Exports


def export_in_child(database_url: str, extension: str) -> dict[str, float]:
    """Run one export in a fresh process (so its peak memory is its own) and read its report."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.published",
            "--export-child",
            extension,
            "--database-url",
            database_url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


async def export_child(database_url: str, extension: str) -> None:
    """The child: stream the export as the download view does, to nowhere; print a JSON report."""
    from consult.exports.formats import encode
    from consult.exports.tables import public_table

    await Tortoise.init(config=tortoise_config(database_url))
    try:
        call = await Call.get(slug=SLUG)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        began = time.perf_counter()
        size = rows = 0
        table = await public_table(call)
        async for chunk in encode(table, extension):
            size += len(chunk)
        seconds = time.perf_counter() - began
        rows = await Response.filter(call_id=call.id).count()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            json.dumps(
                {
                    "rows": rows,
                    "seconds": seconds,
                    "bytes": size,
                    "peak_kb": peak,
                    "start_kb": before,
                }
            )
        )
    finally:
        await Tortoise.close_connections()


async def copy_baseline(database_url: str) -> tuple[int, float]:
    """PostgreSQL writing the same responses and answers as CSV itself: (bytes, seconds)."""
    query = f"""
        SELECT r.id, r.respondent_type, r.sector, r.country, r.submitted_at,
               max(a.text) FILTER (WHERE q.position = 1),
               max(a.choices::text) FILTER (WHERE q.position = 2),
               max(a.scale) FILTER (WHERE q.position = 3)
        FROM response r JOIN answer a ON a.response_id = r.id JOIN question q ON q.id = a.question_id
        WHERE r.call_id = (SELECT id FROM call WHERE slug = '{SLUG}') AND r.publication = 'published'
        GROUP BY r.id ORDER BY r.id
    """
    size = 0

    async def count(chunk: bytes) -> None:
        nonlocal size
        size += len(chunk)

    connection = await asyncpg.connect(dsn(database_url))
    try:
        began = time.perf_counter()
        await connection.copy_from_query(query, output=count, format="csv")
        return size, time.perf_counter() - began
    finally:
        await connection.close()


async def main(args: argparse.Namespace) -> None:
    print(f"Published responses on {machine()}")
    async with scratch_database("published") as database_url:
        await Tortoise.init(config=tortoise_config(database_url))
        try:
            questions = await create_call()
        finally:
            await Tortoise.close_connections()
        tenth = args.responses // 10
        began = time.perf_counter()
        await fill(database_url, questions, 0, tenth)
        await analyse(database_url)
        exports = ("csv", "xlsx") if args.exports else ()
        small = {ext: export_in_child(database_url, ext) for ext in exports}
        small_copy = await copy_baseline(database_url)
        await fill(database_url, questions, tenth, args.responses - tenth)
        await analyse(database_url)
        print(
            f"  {args.responses:,} published responses loaded in {time.perf_counter() - began:.0f} s (with the tenth's exports)"
        )
        large = {ext: export_in_child(database_url, ext) for ext in exports}
        large_copy = await copy_baseline(database_url)
        page_figures = await pages(database_url, args)

    print(
        f"\n1. Pages with {args.responses:,} responses: latency with one client, throughput with "
        f"{args.clients}, {args.seconds:.0f} s each; baseline = the same bytes from a plain endpoint"
    )
    print(
        f"   {'page':<26} {'p50':>9} {'p95':>9} {'req/s':>7} {'baseline p95':>13} {'req/s':>7}"
        "  target p95 < 50 ms"
    )
    for label, p50, p95, rate, base_p95, base_rate in page_figures:
        print(
            f"   {label:<26} {ms(p50):>9} {ms(p95):>9} {rate:7.0f} {ms(base_p95):>13}"
            f" {base_rate:7.0f}  {verdict(p95 < 0.05)}"
        )
    if not args.exports:
        return
    print("\n2. Public exports (each in a fresh process)")
    for ext in exports:
        for size_label, report in ((f"{tenth:,}", small[ext]), (f"{args.responses:,}", large[ext])):
            print(
                f"   {ext:<5} {size_label:>8} rows: {report['rows'] / report['seconds']:8.0f} rows/s "
                f"({report['seconds']:.1f} s, {report['bytes'] / 1e6:.1f} MB)  peak RSS "
                f"{report['peak_kb'] / 1024:6.1f} MB (at start {report['start_kb'] / 1024:.1f} MB)"
            )
        growth = large[ext]["peak_kb"] / small[ext]["peak_kb"]
        under = large[ext]["peak_kb"] / 1024 < 200
        print(
            f"   {ext} peak at {args.responses:,} / at {tenth:,}: {growth:.2f} (target under 200 MB and ~1.0: {verdict(under and growth < 1.1)})"
        )
    for size_label, (size, seconds), rows in (
        (f"{tenth:,}", small_copy, tenth),
        (f"{args.responses:,}", large_copy, args.responses),
    ):
        print(
            f"   baseline COPY TO CSV {size_label:>8} rows: {rows / seconds:8.0f} rows/s ({seconds:.1f} s, {size / 1e6:.1f} MB)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--no-exports", dest="exports", action="store_false", help="pages only")
    parser.add_argument("--export-child", choices=("csv", "xlsx"), help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.export_child:
        asyncio.run(export_child(arguments.database_url, arguments.export_child))
    else:
        asyncio.run(main(arguments))
