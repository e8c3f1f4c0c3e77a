"""How a demonstration respondent answers one question, in the shape each question kind stores.

Long answers are built from the question's own sentences, introduced in the respondent's voice
(by sector) and kept under the word limit; choices follow per-call popularity so that charts
show a real spread; a few answers are marked commercially sensitive.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from consult.calls.models import QuestionKind
from consult.calls.question_kinds import SCALE_VALUES
from consult.demo.specs import QuestionSpec
from core.vocabulary import Sector

SENSITIVE_SHARE = 0.05

INTRODUCTIONS: dict[Sector, tuple[str, ...]] = {
    Sector.ACADEMIA: (
        "I lead a university research group working on superconducting and photonic devices.",
        "Our quantum centre trains around a dozen doctoral students a year and works with "
        "partners in both the US and the UK.",
        "I answer as an experimental physicist who has run a quantum laboratory for ten years.",
    ),
    Sector.INDUSTRY: (
        "We build quantum hardware for research laboratories and early commercial customers.",
        "Our company supplies components to quantum computing and sensing firms.",
        "I answer for a start-up of about forty people developing control systems and software.",
    ),
    Sector.GOVERNMENT: (
        "We are a public body that supports quantum technology companies in our region.",
        "I work on technology policy in a government laboratory.",
        "Our agency funds applied quantum research and partnerships with industry.",
    ),
    Sector.CIVIL_SOCIETY: (
        "We speak for members of the public and researchers who care how quantum technologies are "
        "governed.",
        "Our charity works to widen participation in science and engineering.",
        "I answer for a network of early-career researchers.",
    ),
    Sector.OTHER: (
        "I am an independent consultant who advises investors on quantum technology.",
        "I write as a retired engineer who has followed the field closely.",
        "Our firm advises technology companies on export controls and licensing.",
    ),
}

CLOSINGS = (
    "We would be glad to discuss this at a roundtable.",
    "Thank you for the opportunity to respond.",
    "Happy to give more detail on request.",
    "We hope the partnership will publish a summary of the responses.",
)


@dataclass(frozen=True)
class PlannedAnswer:
    """An answer before it is stored: `position` is its question's place in the call."""

    position: int
    text: str = ""
    choices: tuple[str, ...] = ()
    scale: int | None = None
    sensitive: bool = False


def popularity(question: QuestionSpec, rng: random.Random) -> tuple[float, ...]:
    """The question's weights, or made-up ones (fixed per call) when the call gives none."""
    count = len(SCALE_VALUES) if question.kind == QuestionKind.SCALE else len(question.options)
    if len(question.weights) == count:
        return question.weights
    return tuple(rng.uniform(1.0, 5.0) for _ in range(count))


def write_answer(
    rng: random.Random,
    position: int,
    question: QuestionSpec,
    weights: Sequence[float],
    sector: Sector,
    *,
    introduce: bool = False,
    always: Sequence[str] = (),
) -> PlannedAnswer | None:
    """One answer of the right shape; None for a file question (the demo uploads nothing).

    `introduce` opens a long answer in the respondent's voice; `always` are options a multiple
    choice answer includes whatever the odds (a campaign's members tick the same boxes).
    """
    sensitive = rng.random() < SENSITIVE_SHARE
    match question.kind:
        case QuestionKind.LONG_TEXT:
            text = long_text(rng, question, sector, introduce=introduce)
            return PlannedAnswer(position, text=text, sensitive=sensitive)
        case QuestionKind.SHORT_TEXT:
            return PlannedAnswer(position, text=rng.choice(question.answers), sensitive=sensitive)
        case QuestionKind.SINGLE_CHOICE:
            choice = rng.choices(question.options, weights)[0]
            return PlannedAnswer(position, choices=(choice,), sensitive=sensitive)
        case QuestionKind.MULTIPLE_CHOICE:
            chosen = choose_many(rng, question.options, weights, always)
            return PlannedAnswer(position, choices=chosen, sensitive=sensitive)
        case QuestionKind.SCALE:
            value = rng.choices(SCALE_VALUES, weights)[0]
            return PlannedAnswer(position, scale=value, sensitive=sensitive)
    return None


def choose_many(
    rng: random.Random,
    options: Sequence[str],
    weights: Sequence[float],
    always: Sequence[str] = (),
) -> tuple[str, ...]:
    """Each option ticked with odds between 15% and 75% by its weight; never none."""
    top = max(weights)
    chosen = tuple(
        option
        for option, weight in zip(options, weights, strict=True)
        if option in always or rng.random() < 0.15 + 0.6 * weight / top
    )
    return chosen or (rng.choices(options, weights)[0],)


def long_text(
    rng: random.Random, question: QuestionSpec, sector: Sector, *, introduce: bool
) -> str:
    """Two to four of the question's sentences, sometimes as a list, within its word limit."""
    points = rng.sample(question.answers, min(len(question.answers), rng.randint(2, 4)))
    opening = rng.choice(INTRODUCTIONS[sector]) if introduce else ""
    closing = rng.choice(CLOSINGS) if rng.random() < 0.4 else ""
    as_list = len(points) >= 3 and rng.random() < 0.2
    text = _compose(opening, points, closing, as_list=as_list)
    while question.word_limit and len(text.split()) > question.word_limit and len(points) > 1:
        points.pop()
        text = _compose(opening, points, closing, as_list=as_list)
    return text


def _compose(opening: str, points: list[str], closing: str, *, as_list: bool) -> str:
    if as_list:
        body = "\n".join(f"- {point}" for point in points)
        text = f"{opening}\n\n{body}" if opening else body
    else:
        text = " ".join(filter(None, [opening, *points]))
    return f"{text}\n\n{closing}" if closing else text
