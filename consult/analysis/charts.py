"""Horizontal bar charts as geometry for an SVG template: pure Python, no I/O, no JavaScript.

Each bar has its label on a line of its own above it, so long option texts fit, and its number
at its end. `analysis/_chart.html` draws a chart and, after it, a table of the same numbers: the
template reads both from one `BarChart`, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from consult.calls.question_kinds import KINDS, AnswerPart

if TYPE_CHECKING:
    from consult.analysis.stats import CallAnalysis

WIDTH = 640
LABEL_HEIGHT = 20
BAR_HEIGHT = 20
ROW_GAP = 12
ROW_HEIGHT = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
NUMBER_ROOM = 64  # right of the longest bar, for its number
LABEL_CHARACTERS = 80  # longer labels are cut short in the chart (the table has them in full)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    label_y: int
    bar_y: int
    length: float

    @property
    def short_label(self) -> str:
        if len(self.label) <= LABEL_CHARACTERS:
            return self.label
        return self.label[: LABEL_CHARACTERS - 1].rstrip() + "…"

    @property
    def number_x(self) -> float:
        return round(self.length + 6, 1)

    @property
    def number_y(self) -> int:
        return self.bar_y + BAR_HEIGHT - 5


@dataclass(frozen=True)
class BarChart:
    """A chart and the table beside it: `id` makes the element ids of both unique on the page."""

    id: str
    title: str
    description: str
    label_heading: str
    value_heading: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    bar_height: int = BAR_HEIGHT


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def bar_chart(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, int]],
    *,
    label_heading: str,
    value_heading: str = "Responses",
    unit: str = "response",
) -> BarChart:
    """A horizontal bar chart of `rows` (label, count), in the order given.

    Bars are scaled to the largest count; the description names the largest bar, for those who
    cannot see the chart (the table after it has every number).
    """
    top = max((value for _, value in rows), default=0)
    room = WIDTH - NUMBER_ROOM
    bars = []
    for index, (label, value) in enumerate(rows):
        row_top = index * ROW_HEIGHT
        bars.append(
            Bar(
                label=label,
                value=value,
                label_y=row_top + LABEL_HEIGHT - 6,
                bar_y=row_top + LABEL_HEIGHT,
                length=round(room * value / top, 1) if top else 0.0,
            )
        )
    if not rows:
        description = "No answers yet."
    else:
        largest = max(rows, key=lambda row: row[1])
        description = (
            f"Bar chart of {len(rows)} bars, one per {label_heading.lower()}. "
            f"The largest is {largest[0]}: {_plural(largest[1], unit)}."
        )
    return BarChart(
        id=chart_id,
        title=title,
        description=description,
        label_heading=label_heading,
        value_heading=value_heading,
        bars=tuple(bars),
        width=WIDTH,
        height=max(ROW_HEIGHT, len(rows) * ROW_HEIGHT - ROW_GAP),
    )


def analysis_sections(analysis: CallAnalysis) -> list[tuple[str, str, list[BarChart]]]:
    """The analysis page's sections (key, heading, charts), in the order shown."""
    respondents = [
        bar_chart(
            "sector", analysis.by_sector.title, analysis.by_sector.rows, label_heading="Sector"
        ),
        bar_chart(
            "country", analysis.by_country.title, analysis.by_country.rows, label_heading="Country"
        ),
        bar_chart("type", analysis.by_type.title, analysis.by_type.rows, label_heading="Type"),
    ]
    answers = [
        bar_chart(
            f"question-{q.question_id}",
            f"Question {q.number}: {q.prompt}",
            q.counts.rows,
            label_heading="Value" if KINDS[q.kind].part is AnswerPart.SCALE else "Option",
            value_heading="Answers",
            unit="answer",
        )
        for q in analysis.questions
    ]
    words = [
        bar_chart(
            f"words-{w.question_id}",
            f"Question {w.number}: words per answer",
            w.histogram.rows,
            label_heading="Words",
            value_heading="Answers",
            unit="answer",
        )
        for w in analysis.word_counts
    ]
    return [
        ("respondents", "Who responded", respondents),
        ("answers", "Answers", answers),
        ("words", "Length of long answers", words),
    ]
