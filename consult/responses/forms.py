"""Forms for answering a call: the respondent's details, and the answers form built per call.

Two strictnesses: "Save and come back later" checks only shape (a choice from the list, a scale
from 1 to 5, no control characters); completing a step also checks required answers and word
limits. The service checks everything again before submitting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wtforms import (
    BooleanField,
    Field,
    FileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from consult.calls.models import Question, QuestionKind
from consult.calls.rules import LONG_TEXT_MAX, SHORT_TEXT_MAX, count_words
from consult.responses.models import Consent, RespondentType
from core.forms import CSRFForm, MultiCheckboxField, NoControlCharacters, strip_text
from core.vocabulary import Sector, countries

SCALE_CHOICES = [SelectChoice(str(n), str(n)) for n in range(1, 6)]


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


def _answer_field(question: Question, *, complete: bool, file_hint: str) -> Field:
    required = (
        [InputRequired(message=f"Answer “{question.prompt}”")]
        if complete and question.required
        else [Optional()]
    )
    label, hint = question.prompt, question.help_text
    kind = QuestionKind(question.kind)
    if kind == QuestionKind.LONG_TEXT and question.word_limit:
        hint = f"{hint} Up to {question.word_limit} words.".strip()
    elif kind == QuestionKind.FILE:
        hint = f"{hint} {file_hint}".strip()
    if kind == QuestionKind.LONG_TEXT:
        limits: list[Any] = [Length(max=LONG_TEXT_MAX), NoControlCharacters(allow_newlines=True)]
        if complete and question.word_limit:
            limits.append(WordLimit(question.word_limit))
        return TextAreaField(
            label, filters=[strip_text], validators=[*required, *limits], description=hint
        )
    if kind == QuestionKind.SHORT_TEXT:
        return StringField(
            label,
            filters=[strip_text],
            validators=[
                *required,
                Length(max=SHORT_TEXT_MAX, message=f"Use {SHORT_TEXT_MAX} characters or fewer"),
                NoControlCharacters(),
            ],
            description=hint,
        )
    if kind == QuestionKind.SINGLE_CHOICE:
        return RadioField(
            label,
            choices=[SelectChoice(o, o) for o in question.options],
            validators=required,
            description=hint,
            validate_choice=True,
        )
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return MultiCheckboxField(
            label,
            choices=[SelectChoice(o, o) for o in question.options],
            validators=required,
            description=hint,
        )
    if kind == QuestionKind.SCALE:
        return RadioField(
            label,
            choices=SCALE_CHOICES,
            validators=required,
            description=hint or "1 means not at all, 5 means very much.",
        )
    # Files are checked by content in the service; "required" there counts stored files too.
    return FileQuestionField(label, description=hint)


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


class SubmitForm(CSRFForm):
    """The "Submit" button: carries the one-time submit token issued with the page."""

    submit_token = StringField(validators=[InputRequired(), Length(max=64)])


class WithdrawForm(CSRFForm):
    pass
