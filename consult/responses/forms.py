"""Forms for answering a call: the respondent's details, and the answers form built per call.

Two strictnesses: "Save and come back later" checks only shape (a choice from the list, a scale
from 1 to 5, no control characters); completing a step also checks required answers and word
limits. The service checks everything again before submitting.

Each question's field, and the way between its data and the service's `AnswerInput`, follow the
part of the answer its kind stores (`ANSWER_FIELDS`, keyed by `AnswerPart`). The API fills the
same form classes from JSON and reads them with the same `answer_inputs`, so both answer to the
same rules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from starlette.datastructures import UploadFile
from wtforms import (
    BooleanField,
    Field,
    FileField,
    Form,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from consult.calls.models import Question
from consult.calls.question_kinds import KINDS, SCALE_VALUES, AnswerPart, KindRules
from consult.calls.rules import LONG_TEXT_MAX, SHORT_TEXT_MAX, count_words
from consult.responses.models import Answer, Consent, RespondentType, RevisionAnswer
from consult.responses.services import AnswerInput, AnswerSheet
from core.forms import CSRFForm, MultiCheckboxField, NoControlCharacters, strip_text
from core.vocabulary import Sector, countries

SCALE_CHOICES = [SelectChoice(str(n), str(n)) for n in SCALE_VALUES]
SCALE_HINT = f"{SCALE_VALUES[0]} means not at all, {SCALE_VALUES[-1]} means very much."


class RespondentForm(CSRFForm):
    respondent_type = RadioField(
        "How are you responding?",
        choices=[SelectChoice(t.value, t.label) for t in RespondentType],
        validators=[
            InputRequired(message="Say whether you respond as an individual or for an organisation")
        ],
    )
    organisation_name = StringField(
        "Organisation name",
        filters=[strip_text],
        validators=[Length(max=200, message="At most 200 characters"), NoControlCharacters()],
        description="Needed when you respond on behalf of an organisation.",
    )
    sector = SelectField(
        "Sector",
        choices=[SelectChoice(s.value, s.label) for s in Sector],
        validators=[InputRequired(message="Choose a sector")],
    )
    country = SelectField(
        "Country",
        choices=[SelectChoice("", "Choose a country")]
        + [SelectChoice(c, n) for c, n in countries()],
        validators=[InputRequired(message="Choose a country")],
    )
    consent = RadioField(
        "Can we publish your response?",
        choices=[SelectChoice(c.value, c.label) for c in Consent],
        validators=[InputRequired(message="Choose whether we may publish your response")],
        description="Answers you mark as commercially sensitive are never published.",
    )

    def validate_organisation_name(self, field: StringField) -> None:
        if self.respondent_type.data == RespondentType.ORGANISATION and not field.data:
            raise ValidationError("Enter the name of the organisation you respond for")


class WordLimit:
    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, form: CSRFForm, field: Field) -> None:
        words = count_words(field.data or "")
        if words > self.limit:
            raise ValidationError(f"Your answer has {words} words; use {self.limit} words or fewer")


class FileQuestionField(FileField):
    """Holds the uploaded file; stored answers' files are listed by the page, not by this field."""


@dataclass(frozen=True)
class Asked:
    """What building the field for one question needs."""

    question: Question
    rules: KindRules
    required: list[Any]  # InputRequired when a step is completed and an answer is required
    complete: bool
    file_hint: str


@dataclass(frozen=True)
class AnswerField:
    """How the answers form holds one part of an answer (`AnswerPart`): the field that asks for
    it, a stored answer as that field's data, and the field's validated data as the service's
    `AnswerInput`. Where kinds sharing a part differ, the kind's rules (`KINDS`) say how."""

    field: Callable[[Asked], Field]
    # None: the field starts empty (stored files are listed by the page, not by the field).
    initial: Callable[[KindRules, Answer | RevisionAnswer], object] | None
    read: Callable[[KindRules, Any, int], Awaitable[AnswerInput]]


def _text_field(asked: Asked) -> Field:
    question, hint = asked.question, asked.question.help_text
    if asked.rules.prose:
        limits: list[Any] = [Length(max=LONG_TEXT_MAX), NoControlCharacters(allow_newlines=True)]
        if question.word_limit:
            hint = f"{hint} Up to {question.word_limit} words.".strip()
            if asked.complete:
                limits.append(WordLimit(question.word_limit))
        return TextAreaField(
            question.prompt,
            filters=[strip_text],
            validators=[*asked.required, *limits],
            description=hint,
        )
    return StringField(
        question.prompt,
        filters=[strip_text],
        validators=[
            *asked.required,
            Length(max=SHORT_TEXT_MAX, message=f"Use {SHORT_TEXT_MAX} characters or fewer"),
            NoControlCharacters(),
        ],
        description=hint,
    )


def _choices_field(asked: Asked) -> Field:
    question = asked.question
    choices = [SelectChoice(o, o) for o in question.options]
    if asked.rules.one_choice:
        return RadioField(
            question.prompt,
            choices=choices,
            validators=asked.required,
            description=question.help_text,
            validate_choice=True,
        )
    return MultiCheckboxField(
        question.prompt, choices=choices, validators=asked.required, description=question.help_text
    )


def _scale_field(asked: Asked) -> Field:
    return RadioField(
        asked.question.prompt,
        choices=SCALE_CHOICES,
        validators=asked.required,
        description=asked.question.help_text or SCALE_HINT,
    )


def _file_field(asked: Asked) -> Field:
    # Files are checked by content in the service; "required" there counts stored files too.
    return FileQuestionField(
        asked.question.prompt, description=f"{asked.question.help_text} {asked.file_hint}".strip()
    )


def _initial_text(rules: KindRules, answer: Answer | RevisionAnswer) -> object:
    return answer.text


def _initial_choices(rules: KindRules, answer: Answer | RevisionAnswer) -> object:
    if rules.one_choice:
        return answer.choices[0] if answer.choices else None
    return answer.choices


def _initial_scale(rules: KindRules, answer: Answer | RevisionAnswer) -> object:
    return str(answer.scale) if answer.scale else None


async def _read_text(rules: KindRules, value: Any, max_bytes: int) -> AnswerInput:
    return AnswerInput(text=value or "")


async def _read_choices(rules: KindRules, value: Any, max_bytes: int) -> AnswerInput:
    if rules.one_choice:
        return AnswerInput(choices=(value,) if value else ())
    return AnswerInput(choices=tuple(value or ()))


async def _read_scale(rules: KindRules, value: Any, max_bytes: int) -> AnswerInput:
    return AnswerInput(scale=int(value) if value else None)


async def _read_file(rules: KindRules, value: Any, max_bytes: int) -> AnswerInput:
    if isinstance(value, UploadFile) and value.filename:
        # Read one byte past the limit: enough to refuse an oversized file without holding it.
        return AnswerInput(upload=(value.filename, await value.read(max_bytes + 1)))
    return AnswerInput()


ANSWER_FIELDS: dict[AnswerPart, AnswerField] = {
    AnswerPart.TEXT: AnswerField(_text_field, _initial_text, _read_text),
    AnswerPart.CHOICES: AnswerField(_choices_field, _initial_choices, _read_choices),
    AnswerPart.SCALE: AnswerField(_scale_field, _initial_scale, _read_scale),
    AnswerPart.FILE: AnswerField(_file_field, None, _read_file),
}


def _answer_field(question: Question, *, complete: bool, file_hint: str) -> Field:
    required = (
        [InputRequired(message=f"Answer “{question.prompt}”")]
        if complete and question.required
        else [Optional()]
    )
    rules = KINDS[question.kind]
    return ANSWER_FIELDS[rules.part].field(Asked(question, rules, required, complete, file_hint))


def answers_form_class(
    questions: Sequence[Question], *, complete: bool, file_hint: str = ""
) -> type[CSRFForm]:
    """A form with one field per question (`q{id}`) and a sensitivity box beside each (`q{id}_sensitive`)."""
    attributes: dict[str, Any] = {}
    for question in questions:
        attributes[question.field_name] = _answer_field(
            question, complete=complete, file_hint=file_hint
        )
        attributes[f"{question.field_name}_sensitive"] = BooleanField(
            "This answer is commercially sensitive: never publish it"
        )
    return type("AnswersForm", (CSRFForm,), attributes)


async def answer_inputs(
    form: Form, questions: Sequence[Question], max_bytes: int
) -> dict[int, AnswerInput]:
    """A validated answers form as the service's input, by question id: shared by the web form
    and the API, which fills the same form class from JSON, so both answer to the same rules."""
    inputs: dict[int, AnswerInput] = {}
    for question in questions:
        rules = KINDS[question.kind]
        given = await ANSWER_FIELDS[rules.part].read(
            rules, form[question.field_name].data, max_bytes
        )
        sensitive = bool(form[f"{question.field_name}_sensitive"].data)
        inputs[question.id] = replace(given, sensitive=sensitive)
    return inputs


def initial_answers(questions: Sequence[Question], sheet: AnswerSheet) -> dict[str, object]:
    """The stored answers as the answers form's data (`answers_form_class(…)(data=…)`)."""
    data: dict[str, object] = {}
    for question in questions:
        answer = sheet.get(question)
        if answer is None:
            continue
        rules = KINDS[question.kind]
        initial = ANSWER_FIELDS[rules.part].initial
        if initial is not None:
            data[question.field_name] = initial(rules, answer)
        data[f"{question.field_name}_sensitive"] = answer.sensitive
    return data


class SubmitForm(CSRFForm):
    """The "Submit" button: carries the one-time submit token issued with the page."""

    submit_token = StringField(validators=[InputRequired(), Length(max=64)])


class WithdrawForm(CSRFForm):
    pass
