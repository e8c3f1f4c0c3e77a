"""What differs between the kinds of question, in one table: `KINDS[kind]`.

Code that treats kinds differently (forms, the service's checks, the API, exports, statistics,
moderation) looks the kind's rules up here instead of branching on the kind, so a kind's rules
are read in one place and a new kind is one entry. What needs the layers above this one (form
fields, the service's `AnswerInput`, API schemas) stays there, in tables keyed by `AnswerPart`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from consult.calls.models import QuestionKind


class AnswerPart(StrEnum):
    """The part of a stored answer that holds its value. The value is also the member of an API
    answer that carries it."""

    TEXT = "text"
    CHOICES = "choices"
    SCALE = "scale"
    FILE = "file"


# The values a scale answer may take, lowest first.
SCALE_VALUES = range(1, 6)
# Between several choices (or file names) in one cell of an export.
CHOICE_SEPARATOR = "; "

AnswerCell = str | int | None


@dataclass(frozen=True)
class AnswerValues:
    """What an answer holds, whichever table it is read from (the working copy, a revision, the
    public view of one)."""

    text: str = ""
    choices: Sequence[str] = ()
    scale: int | None = None
    file_names: Sequence[str] = ()


def _text_cell(answer: AnswerValues) -> AnswerCell:
    return answer.text or None


def _choices_cell(answer: AnswerValues) -> AnswerCell:
    return CHOICE_SEPARATOR.join(answer.choices) or None


def _scale_cell(answer: AnswerValues) -> AnswerCell:
    return answer.scale


def _file_cell(answer: AnswerValues) -> AnswerCell:
    return CHOICE_SEPARATOR.join(answer.file_names) or None


# How an answer is shown in one cell of an export, by the part that holds its value.
CELLS: dict[AnswerPart, Callable[[AnswerValues], AnswerCell]] = {
    AnswerPart.TEXT: _text_cell,
    AnswerPart.CHOICES: _choices_cell,
    AnswerPart.SCALE: _scale_cell,
    AnswerPart.FILE: _file_cell,
}


@dataclass(frozen=True)
class KindRules:
    """The rules of one kind of question."""

    part: AnswerPart
    # Organisers list options, and an answer chooses among them.
    has_options: bool = False
    # At most one option may be chosen.
    one_choice: bool = False
    # Answered at length in the respondent's own words: organisers may set a word limit, the
    # analysis counts words and looks for form-letter campaigns among these texts.
    prose: bool = False
    # Files are never published: not on public pages, not in public exports, not redacted.
    published: bool = True
    # The analysis counts how many answers chose each option or value.
    counted: bool = False
    # Added to the description of the kind's column in an export.
    export_note: str = ""

    def cell(self, answer: AnswerValues) -> AnswerCell:
        """The answer as one cell of an export: text, the choices or file names joined by
        `CHOICE_SEPARATOR`, or the scale's number; None when there is nothing to show."""
        return CELLS[self.part](answer)


KINDS: dict[QuestionKind, KindRules] = {
    QuestionKind.LONG_TEXT: KindRules(AnswerPart.TEXT, prose=True),
    QuestionKind.SHORT_TEXT: KindRules(AnswerPart.TEXT),
    QuestionKind.SINGLE_CHOICE: KindRules(
        AnswerPart.CHOICES, has_options=True, one_choice=True, counted=True
    ),
    QuestionKind.MULTIPLE_CHOICE: KindRules(
        AnswerPart.CHOICES,
        has_options=True,
        counted=True,
        export_note=f" Several choices are separated by “{CHOICE_SEPARATOR}”.",
    ),
    QuestionKind.SCALE: KindRules(
        AnswerPart.SCALE,
        counted=True,
        export_note=f" From {SCALE_VALUES[0]} to {SCALE_VALUES[-1]}.",
    ),
    QuestionKind.FILE: KindRules(AnswerPart.FILE, published=False),
}


def kinds_where(test: Callable[[KindRules], bool]) -> tuple[QuestionKind, ...]:
    """The kinds whose rules pass `test`, in the enum's order: for queries that filter by kind,
    e.g. `Question.filter(kind__in=kinds_where(lambda rules: rules.prose))`."""
    return tuple(kind for kind, rules in KINDS.items() if test(rules))
