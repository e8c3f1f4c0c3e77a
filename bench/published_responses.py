"""Published responses at scale: the page query (filters, search, count, paging) and the exports.

    .venv/bin/python bench/published_responses.py [--responses 100000] [--database-url URL]

Without --database-url it builds a fresh SQLite file in a temporary folder; a PostgreSQL URL must
name an empty database (it is migrated here). Rows are inserted in bulk, the search index
included, so the figures are of reading, not of moderating. Prints the time of each page query
and, for each export format, its size and the peak memory Python allocated while streaming it
at a tenth of the responses and at all of them: a ratio near 1 means constant memory.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

from tortoise import Tortoise, connections

from config.database import migrate, tortoise_config
from consult.calls.models import (
    Answer,
    Call,
    Consent,
    Publication,
    Question,
    QuestionKind,
    RespondentType,
    Response,
    ResponseStatus,
)
from consult.exports.formats import encode
from consult.exports.tables import public_table
from consult.models import Topic
from consult.moderation.models import ResponseSearch
from consult.responses.published import Filters, published_page
from consult.vocabulary import Sector

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
    "cryogenic",
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
RARE = "zeolite"
COUNTRIES = ["US", "GB", "CA", "DE", "FR", "JP", "AU", "NL"]
BATCH = 5_000


def answer_text(rng: random.Random, number: int) -> str:
    words = rng.choices(WORDS, k=60)
    if number % 1000 == 0:
        words.append(RARE)
    return " ".join(words).capitalize() + "."


async def fill(call: Call, questions: dict[QuestionKind, Question], start: int, count: int) -> None:
    rng = random.Random(start)  # noqa: S311 (made-up data, not secrets)
    submitted = datetime(2026, 10, 1, tzinfo=UTC)
    for offset in range(start, start + count, BATCH):
        numbers = range(offset, min(offset + BATCH, start + count))
        responses = [
            Response(
                call=call,
                status=ResponseStatus.SUBMITTED,
                consent=Consent.PUBLISH_ANONYMOUS,
                publication=Publication.PUBLISHED,
                tracking_number=f"QC-BENCH-{n:08d}",
                respondent_type=rng.choice(list(RespondentType)),
                sector=rng.choice(list(Sector)),
                country=rng.choice(COUNTRIES),
                submitted_at=submitted + timedelta(seconds=n),
            )
            for n in numbers
        ]
        await Response.bulk_create(responses)
        ids = await Response.filter(tracking_number__in=[r.tracking_number for r in responses])
        by_tracking = {r.tracking_number: r.id for r in ids}
        texts = {n: answer_text(rng, n) for n in numbers}
        answers = []
        for n in numbers:
            response_id = by_tracking[f"QC-BENCH-{n:08d}"]
            answers += [
                Answer(
                    response_id=response_id,
                    question=questions[QuestionKind.LONG_TEXT],
                    text=texts[n],
                ),
                Answer(
                    response_id=response_id,
                    question=questions[QuestionKind.SINGLE_CHOICE],
                    choices=[rng.choice(["NIST", "NPL", "Jointly"])],
                ),
                Answer(
                    response_id=response_id,
                    question=questions[QuestionKind.SCALE],
                    scale=rng.randint(1, 5),
                ),
            ]
        await Answer.bulk_create(answers)
        await ResponseSearch.bulk_create(
            [
                ResponseSearch(
                    response_id=by_tracking[f"QC-BENCH-{n:08d}"], call_id=call.id, body=texts[n]
                )
                for n in numbers
            ]
        )


async def timed(label: str, filters: Filters, call: Call, page: int = 1) -> None:
    times = []
    for _ in range(5):
        began = time.perf_counter()
        result = await published_page(call, filters, page)
        times.append(time.perf_counter() - began)
    print(
        f"  {label:<44} {result.total:>7} found  median {statistics.median(times) * 1000:7.1f} ms"
    )


async def stream(call: Call, extension: str) -> int:
    size = 0
    async for chunk in encode(await public_table(call), extension):
        size += len(chunk)
    return size


async def export_memory(call: Call, extension: str) -> tuple[int, int]:
    """(bytes streamed, peak bytes Python allocated meanwhile). Tracing makes it slow."""
    tracemalloc.start()
    try:
        size = await stream(call, extension)
        return size, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def main(total: int, database_url: str | None, *, exports: bool) -> None:
    folder = tempfile.TemporaryDirectory()
    url = database_url or f"sqlite://{folder.name}/bench.sqlite3"
    await migrate(url)
    await Tortoise.init(config=tortoise_config(url))
    try:
        topic = await Topic.create(slug="bench", name="Bench", summary="Bench")
        now = datetime(2026, 11, 24, tzinfo=UTC)
        call = await Call.create(
            slug="bench",
            topic=topic,
            title="Bench",
            summary="Bench",
            opens_at=now - timedelta(days=60),
            closes_at=now - timedelta(days=1),
            state="published",
        )
        kinds = (QuestionKind.LONG_TEXT, QuestionKind.SINGLE_CHOICE, QuestionKind.SCALE)
        for position, kind in enumerate(kinds, start=1):
            await Question.create(
                call=call,
                position=position,
                kind=kind,
                prompt=f"Question {position}",
                options=["NIST", "NPL", "Jointly"] if kind == QuestionKind.SINGLE_CHOICE else [],
            )
        questions = {q.kind: q for q in await Question.filter(call=call)}

        tenth = total // 10
        began = time.perf_counter()
        await fill(call, questions, 0, tenth)
        small = {ext: await export_memory(call, ext) for ext in ("csv", "jsonl", "xlsx") if exports}
        await fill(call, questions, tenth, total - tenth)
        if not url.startswith("sqlite"):
            # What autovacuum does on a live server. Without statistics, right after a bulk load,
            # PostgreSQL may filter every response with to_tsvector() instead of using the index.
            await connections.get("default").execute_script("ANALYZE")
        print(
            f"{url.split(':')[0]}: {total:,} published responses loaded in "
            f"{time.perf_counter() - began:.0f} s\n"
        )

        print("Page queries (count + one page of 20, public views included):")
        await timed("all, page 1", Filters(), call)
        await timed("all, last page", Filters(), call, page=10**6)
        await timed("sector=academia & country=GB", Filters(Sector.ACADEMIA, "GB"), call)
        await timed("search a common word (“cryogenic”)", Filters(query="cryogenic"), call)
        await timed(
            "search two words + sector",
            Filters(sector=Sector.INDUSTRY, query="photonic roadmap"),
            call,
        )
        await timed(f"search a rare word (“{RARE}”)", Filters(query=RARE), call)

        if not exports:
            return
        print("\nPublic exports, streamed (peak memory Python allocated while streaming):")
        for ext in ("csv", "jsonl", "xlsx"):
            began = time.perf_counter()
            await stream(call, ext)
            seconds = time.perf_counter() - began
            size, peak = await export_memory(call, ext)
            small_size, small_peak = small[ext]
            print(
                f"  {ext:<5} {tenth:>7,} responses: {small_size / 1e6:7.1f} MB, "
                f"peak {small_peak / 1e6:5.1f} MB | {total:,}: {size / 1e6:7.1f} MB in "
                f"{seconds:5.1f} s, peak {peak / 1e6:5.1f} MB | peak ratio "
                f"{peak / small_peak:4.2f} for {total / tenth:.0f}x the rows"
            )
    finally:
        await Tortoise.close_connections()
        folder.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--no-exports", action="store_true", help="time the page queries only")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.responses, arguments.database_url, exports=not arguments.no_exports))
