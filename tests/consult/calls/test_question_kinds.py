"""The rules of each kind of question (`consult.calls.question_kinds.KINDS`), as the form, the
service, exports and the analysis apply them."""

from __future__ import annotations

import io

import pytest
from starlette.datastructures import MultiDict, UploadFile

from consult.analysis.stats import question_counts, word_counts
from consult.calls.models import Question, QuestionKind
from consult.calls.question_kinds import (
    CELLS,
    KINDS,
    SCALE_VALUES,
    AnswerPart,
    AnswerValues,
    kinds_where,
)
from consult.exports.tables import organiser_table, public_columns
from consult.responses.forms import (
    ANSWER_FIELDS,
    answer_inputs,
    answers_form_class,
    initial_answers,
)
from consult.responses.models import Response, RevisionAnswer
from consult.responses.services import AnswerInput, AnswerSheet, completeness_problems
from core.clock import FixedClock
from tests.factories import TINY_PDF, make_call, questions_by_kind

NO_CSRF = {"csrf": False}

# One answer holding something in every part: each kind shows only the part it stores.
EVERYTHING = AnswerValues(
    text="Shared test beds", choices=("NPL", "NIST"), scale=4, file_names=("a.pdf", "b.pdf")
)


def test_every_kind_has_rules_and_every_part_a_form_field_and_a_cell() -> None:
    assert set(KINDS) == set(QuestionKind)
    assert set(ANSWER_FIELDS) == set(AnswerPart)
    assert set(CELLS) == set(AnswerPart)


@pytest.mark.parametrize(
    ("kind", "shown"),
    [
        (QuestionKind.LONG_TEXT, "Shared test beds"),
        (QuestionKind.SHORT_TEXT, "Shared test beds"),
        (QuestionKind.SINGLE_CHOICE, "NPL; NIST"),
        (QuestionKind.MULTIPLE_CHOICE, "NPL; NIST"),
        (QuestionKind.SCALE, 4),
        (QuestionKind.FILE, "a.pdf; b.pdf"),
    ],
)
def test_each_kind_shows_its_own_part_in_an_export_cell(
    kind: QuestionKind, shown: str | int
) -> None:
    assert KINDS[kind].cell(EVERYTHING) == shown
    assert KINDS[kind].cell(AnswerValues()) is None


def test_only_file_questions_are_kept_from_the_public() -> None:
    assert kinds_where(lambda rules: not rules.published) == (QuestionKind.FILE,)


async def _problems(question: Question, answer: RevisionAnswer) -> list[tuple[str, str]]:
    answer.files = []
    sheet = AnswerSheet({question.id: answer})
    return completeness_problems(Response(details_confirmed=True), [question], sheet)


# (0 is no answer at all: an empty answer is only refused when one is required.)
@pytest.mark.parametrize("scale", [6, 7, -1])
async def test_the_service_refuses_a_scale_answer_outside_the_scale(
    db: None, clock: FixedClock, scale: int
) -> None:
    question = (await questions_by_kind(await make_call(clock.now())))[QuestionKind.SCALE]

    assert await _problems(question, RevisionAnswer(scale=scale)) == [
        (question.field_name, "Choose a number from 1 to 5 for “How urgent is this?”")
    ]
    for allowed in SCALE_VALUES:
        assert await _problems(question, RevisionAnswer(scale=allowed)) == []


async def test_one_choice_is_the_single_choice_kinds_rule(db: None, clock: FixedClock) -> None:
    questions = await questions_by_kind(await make_call(clock.now()))
    single, multiple = (
        questions[QuestionKind.SINGLE_CHOICE],
        questions[QuestionKind.MULTIPLE_CHOICE],
    )
    multiple.options = single.options  # the same options, so only the kind differs

    assert await _problems(single, RevisionAnswer(choices=["NPL", "NIST"])) == [
        (single.field_name, "Choose one option for “Who should lead?”")
    ]
    assert await _problems(multiple, RevisionAnswer(choices=["NPL", "NIST"])) == []


async def test_word_limits_and_word_counts_are_for_long_text_only(
    db: None, clock: FixedClock
) -> None:
    questions = await questions_by_kind(await make_call(clock.now()))
    long, short = questions[QuestionKind.LONG_TEXT], questions[QuestionKind.SHORT_TEXT]
    short.word_limit = long.word_limit  # 50 for both, so only the kind differs
    words = " ".join(["word"] * 51)

    for question, refused in [(long, True), (short, False)]:
        form = answers_form_class([question], complete=True)(
            MultiDict([(question.field_name, words)]), meta=NO_CSRF
        )
        assert form.validate() is not refused, question.kind
        assert bool(await _problems(question, RevisionAnswer(text=words))) is refused
    assert [counted.question_id for counted in await word_counts([long, short])] == [long.id]


async def test_the_form_refuses_a_scale_value_outside_the_scale(
    db: None, clock: FixedClock
) -> None:
    question = (await questions_by_kind(await make_call(clock.now())))[QuestionKind.SCALE]
    form_class = answers_form_class([question], complete=False)

    for value, accepted in [("0", False), ("6", False), ("five", False), ("1", True), ("5", True)]:
        form = form_class(MultiDict([(question.field_name, value)]), meta=NO_CSRF)
        assert form.validate() is accepted, value


# What a browser posts for each kind, what the service is given, and the form's data again
# when the stored answer is shown.
ROUND_TRIPS = [
    (QuestionKind.LONG_TEXT, ["Shared test beds"], AnswerInput(text="Shared test beds")),
    (QuestionKind.SHORT_TEXT, ["Principal engineer"], AnswerInput(text="Principal engineer")),
    (QuestionKind.SINGLE_CHOICE, ["Jointly"], AnswerInput(choices=("Jointly",))),
    (
        QuestionKind.MULTIPLE_CHOICE,
        ["Metrology", "Benchmarks"],
        AnswerInput(choices=("Metrology", "Benchmarks")),
    ),
    (QuestionKind.SCALE, ["4"], AnswerInput(scale=4)),
]


@pytest.mark.parametrize(("kind", "posted", "given"), ROUND_TRIPS)
async def test_each_kind_goes_from_the_form_to_the_service_and_back(
    db: None, clock: FixedClock, kind: QuestionKind, posted: list[str], given: AnswerInput
) -> None:
    question = (await questions_by_kind(await make_call(clock.now())))[kind]
    form = answers_form_class([question], complete=True)(
        MultiDict([(question.field_name, value) for value in posted]), meta=NO_CSRF
    )
    assert form.validate(), form.errors

    assert await answer_inputs(form, [question], max_bytes=1000) == {question.id: given}

    stored = RevisionAnswer(text=given.text, choices=list(given.choices), scale=given.scale)
    shown = initial_answers([question], AnswerSheet({question.id: stored}))
    single = posted[0] if kind != QuestionKind.MULTIPLE_CHOICE else posted
    assert shown == {question.field_name: single, f"{question.field_name}_sensitive": False}


async def test_a_file_is_read_one_byte_past_the_limit_and_never_shown_in_its_field(
    db: None, clock: FixedClock
) -> None:
    question = (await questions_by_kind(await make_call(clock.now())))[QuestionKind.FILE]
    upload = UploadFile(io.BytesIO(TINY_PDF), filename="evidence.pdf")
    form = answers_form_class([question], complete=True)(
        MultiDict([(question.field_name, upload)]), meta=NO_CSRF
    )
    assert form.validate(), form.errors

    inputs = await answer_inputs(form, [question], max_bytes=10)

    assert inputs == {question.id: AnswerInput(upload=("evidence.pdf", TINY_PDF[:11]))}
    stored = RevisionAnswer(sensitive=True)
    shown = initial_answers([question], AnswerSheet({question.id: stored}))
    assert shown == {f"{question.field_name}_sensitive": True}


async def test_exports_keep_files_from_the_public_and_number_the_scale(
    db: None, clock: FixedClock
) -> None:
    call = await make_call(clock.now())

    public = {column.name: column for column in await public_columns(call)}
    organisers = {column.name: column for column in (await organiser_table(call)).columns}

    assert "Q6. Supporting evidence" not in public
    assert organisers["Q6. Supporting evidence"].type == "string"
    for columns in (public, organisers):
        scale = columns["Q5. How urgent is this?"]
        assert (scale.type, scale.minimum, scale.maximum) == ("integer", 1, 5)
        assert scale.description.endswith(" From 1 to 5.")
        assert columns["Q4. Which areas matter?"].description.endswith(
            " Several choices are separated by “; ”."
        )
        assert "Several choices" not in columns["Q3. Who should lead?"].description


async def test_the_analysis_counts_choice_and_scale_questions_only(
    db: None, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    questions = await Question.filter(call_id=call.id).order_by("position", "id")

    counted = await question_counts(questions)

    assert [(c.number, c.kind) for c in counted] == [
        (3, QuestionKind.SINGLE_CHOICE),
        (4, QuestionKind.MULTIPLE_CHOICE),
        (5, QuestionKind.SCALE),
    ]
    assert [label for label, _ in counted[2].counts.rows] == ["1", "2", "3", "4", "5"]
    assert [label for label, _ in counted[0].counts.rows] == ["NIST", "NPL", "Jointly"]
