"""The numbers of a call's analysis page, counted in the database with GROUP BY.

Only submitted responses count (not drafts, not withdrawn ones). Choice answers are grouped by
their stored list of choices, so a multiple-choice question costs one row per distinct
combination, not per answer. Word counts are the one exception: SQLite cannot split text into
words, so the texts of long answers are read a page at a time as plain values and counted here.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from tortoise.functions import Count

from consult.calls.models import Call, Question, QuestionKind
from consult.calls.question_kinds import KINDS, SCALE_VALUES, AnswerPart, kinds_where
from consult.responses.models import Answer, RespondentType, Response, ResponseStatus
from core.vocabulary import Sector, country_name

PAGE = 2000
# Histogram bins are one of these widths, the narrowest that needs at most MAX_BINS bins.
BIN_WIDTHS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
MAX_BINS = 10
NO_COUNTRY = "Not given"


@dataclass(frozen=True)
class Breakdown:
    """Counts by category, in the order they are shown."""

    title: str
    rows: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.rows)


@dataclass(frozen=True)
class QuestionCounts:
    question_id: int
    number: int  # the question's place in the call, from 1
    prompt: str
    kind: QuestionKind
    counts: Breakdown
    answered: int  # answers that chose something (a multiple choice may count several times)


@dataclass(frozen=True)
class WordCounts:
    question_id: int
    number: int  # the question's place in the call, from 1
    prompt: str
    answers: int
    minimum: int
    median: float
    mean: float
    maximum: int
    histogram: Breakdown


@dataclass(frozen=True)
class CallAnalysis:
    submitted: int
    by_sector: Breakdown
    by_country: Breakdown
    by_type: Breakdown
    questions: tuple[QuestionCounts, ...]
    word_counts: tuple[WordCounts, ...]


def _submitted(call: Call) -> Any:
    return Response.filter(call_id=call.id, status=ResponseStatus.SUBMITTED)


async def _grouped(query: Any, *keys: str) -> list[tuple[Any, ...]]:
    return list(await query.annotate(n=Count("id")).group_by(*keys).values_list(*keys, "n"))


async def respondent_counts(call: Call) -> tuple[Breakdown, Breakdown, Breakdown]:
    """Submitted responses by sector (every sector), by country (most first), by type."""
    sectors = dict(await _grouped(_submitted(call), "sector"))
    by_sector = Breakdown(
        "Responses by sector", tuple((s.label, int(sectors.get(s.value, 0))) for s in Sector)
    )
    countries = [
        (country_name(code) or (code or NO_COUNTRY), int(n))
        for code, n in await _grouped(_submitted(call), "country")
    ]
    countries.sort(key=lambda row: (-row[1], row[0]))
    by_country = Breakdown("Responses by country", tuple(countries))
    types = dict(await _grouped(_submitted(call), "respondent_type"))
    by_type = Breakdown(
        "Responses by type of respondent",
        tuple((t.label, int(types.get(t.value, 0))) for t in RespondentType),
    )
    return by_sector, by_country, by_type


def _choices(stored: Any) -> list[str]:
    """A stored list of choices: PostgreSQL gives it parsed, SQLite may give the JSON text."""
    value = json.loads(stored) if isinstance(stored, str | bytes) else stored
    return [str(choice) for choice in value or []]


async def question_counts(questions: list[Question]) -> list[QuestionCounts]:
    """Per choice question, how many chose each option; per scale question, each value 1 to 5.

    `questions` are all the call's questions in order (their place gives each its number).
    """
    numbers = {q.id: n for n, q in enumerate(questions, start=1)}
    questions = [q for q in questions if KINDS[q.kind].counted]
    ids = [q.id for q in questions]
    answers = Answer.filter(question_id__in=ids, response__status=ResponseStatus.SUBMITTED)
    chosen: dict[int, Counter[str]] = {q.id: Counter() for q in questions}
    for question_id, stored, n in await _grouped(
        answers.filter(
            question__kind__in=kinds_where(lambda rules: rules.part is AnswerPart.CHOICES)
        ),
        "question_id",
        "choices",
    ):
        for choice in _choices(stored):
            chosen[int(question_id)][choice] += int(n)
    scaled: dict[int, Counter[int]] = {q.id: Counter() for q in questions}
    for question_id, value, n in await _grouped(
        answers.filter(
            question__kind__in=kinds_where(lambda rules: rules.part is AnswerPart.SCALE),
            scale__isnull=False,
        ),
        "question_id",
        "scale",
    ):
        scaled[int(question_id)][int(value)] += int(n)

    found = []
    for question in questions:
        if KINDS[question.kind].part is AnswerPart.SCALE:
            rows = tuple((str(value), scaled[question.id][value]) for value in SCALE_VALUES)
        else:
            counts = chosen[question.id]
            # Options in the question's order; any value no longer an option comes last.
            known = [str(option) for option in question.options]
            extra = sorted(choice for choice in counts if choice not in known)
            rows = tuple((option, counts[option]) for option in [*known, *extra])
        found.append(
            QuestionCounts(
                question_id=question.id,
                number=numbers[question.id],
                prompt=question.prompt,
                kind=question.kind,
                counts=Breakdown(question.prompt, rows),
                answered=sum(n for _, n in rows),
            )
        )
    return found


def histogram(counts: list[int], title: str) -> Breakdown:
    """Counts of words in equal bins from 0, e.g. "0–49", "50–99", wide enough for ≤ 10 bins."""
    if not counts:
        return Breakdown(title, ())
    top = max(counts)
    width = next((w for w in BIN_WIDTHS if top // w < MAX_BINS), BIN_WIDTHS[-1])
    bins = Counter(count // width for count in counts)
    rows = tuple((f"{b * width}–{(b + 1) * width - 1}", bins[b]) for b in range(top // width + 1))
    return Breakdown(title, rows)


async def _word_counts(question_id: int) -> list[int]:
    counts: list[int] = []
    last = 0
    while True:
        rows = await (
            Answer.filter(
                question_id=question_id, response__status=ResponseStatus.SUBMITTED, id__gt=last
            )
            .exclude(text="")
            .order_by("id")
            .limit(PAGE)
            .values_list("id", "text")
        )
        counts += [len(str(text).split()) for _, text in rows]
        if len(rows) < PAGE:
            return counts
        last = int(rows[-1][0])


async def word_counts(questions: list[Question]) -> list[WordCounts]:
    """Per long-text question: how many answered, and the fewest, median, mean and most words.

    `questions` are all the call's questions in order (their place gives each its number).
    """
    found = []
    for number, question in enumerate(questions, start=1):
        if not KINDS[question.kind].prose:
            continue
        counts = await _word_counts(question.id)
        found.append(
            WordCounts(
                question_id=question.id,
                number=number,
                prompt=question.prompt,
                answers=len(counts),
                minimum=min(counts, default=0),
                median=float(statistics.median(counts)) if counts else 0.0,
                mean=statistics.fmean(counts) if counts else 0.0,
                maximum=max(counts, default=0),
                histogram=histogram(counts, f"Words per answer: {question.prompt}"),
            )
        )
    return found


async def call_analysis(call: Call) -> CallAnalysis:
    """Everything the analysis page shows for `call`."""
    by_sector, by_country, by_type = await respondent_counts(call)
    questions = list(await Question.filter(call_id=call.id).order_by("position", "id"))
    return CallAnalysis(
        submitted=await _submitted(call).count(),
        by_sector=by_sector,
        by_country=by_country,
        by_type=by_type,
        questions=tuple(await question_counts(questions)),
        word_counts=tuple(await word_counts(questions)),
    )
