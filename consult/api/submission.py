"""A response sent as JSON, read through the web form's own form classes.

The API does not restate the rules: it turns the JSON into the fields the web form posts and
validates them with `RespondentForm` and `answers_form_class(…, complete=True)`, then hands the
result to the same services (`consult.responses.services`) the web form uses. Only what JSON adds
is checked here: types, unknown or repeated fields, and files sent as base64.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import MultiDict

from consult.api.problems import FieldError, Problem
from consult.calls.models import Question
from consult.calls.question_kinds import KINDS, SCALE_VALUES, AnswerPart
from consult.responses.forms import RespondentForm, answer_inputs, answers_form_class
from consult.responses.models import Consent, RespondentType
from consult.responses.services import AnswerInput, RespondentDetails
from core.uploads import too_large
from core.vocabulary import Sector

RESPONDENT_FIELDS = ("sector", "country", "consent")
NO_CSRF = {"csrf": False}  # the API authenticates with a bearer token, which no other site holds


@dataclass(frozen=True)
class Submission:
    details: RespondentDetails
    inputs: dict[int, AnswerInput]
    pointers: dict[str, str]  # form field name -> JSON Pointer into the request body


class _Errors:
    def __init__(self) -> None:
        self.found: list[FieldError] = []

    def add(self, pointer: str, detail: str) -> None:
        self.found.append(FieldError(pointer, detail))

    def raise_any(self) -> None:
        if self.found:
            raise Problem(422, "The response has problems: see `errors`.", self.found)


def _object(value: Any, pointer: str, allowed: tuple[str, ...], errors: _Errors) -> dict[str, Any]:
    if not isinstance(value, dict):
        errors.add(pointer, "Expected an object")
        return {}
    for name in value:
        if name not in allowed:
            errors.add(f"{pointer}/{name}", f"Unknown member: use {', '.join(allowed)}")
    return value


def _respondent_form(data: dict[str, Any], organisation: str, errors: _Errors) -> RespondentForm:
    given = _object(data.get("respondent"), "/respondent", RESPONDENT_FIELDS, errors)
    fields = [
        ("respondent_type", RespondentType.ORGANISATION.value),
        ("organisation_name", organisation),
    ]
    for name in RESPONDENT_FIELDS:
        value = given.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            errors.add(f"/respondent/{name}", "Expected a string")
            continue
        fields.append((name, value))
    form = RespondentForm(MultiDict(fields), meta=NO_CSRF)
    form.validate()
    for name, messages in form.errors.items():
        pointer = "/respondent" if name == "organisation_name" else f"/respondent/{name}"
        for message in messages:
            errors.add(pointer, str(message))
    return form


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _value_member(question: Question) -> str:
    """The member of a JSON answer that carries the value: the part of the answer its kind stores."""
    return KINDS[question.kind].part.value


def _answer_fields(
    index: int, given: dict[str, Any], question: Question, errors: _Errors, max_file_bytes: int
) -> tuple[list[tuple[str, str]], tuple[str, bytes] | None]:
    """The form fields one JSON answer stands for, and its file."""
    pointer = f"/answers/{index}"
    rules = KINDS[question.kind]
    member = rules.part.value
    fields: list[tuple[str, str]] = []
    upload = None
    for other in AnswerPart:
        if other is not rules.part and other.value in given:
            errors.add(f"{pointer}/{other.value}", f"This question is answered with `{member}`")
    sensitive = given.get("sensitive", False)
    if not isinstance(sensitive, bool):
        errors.add(f"{pointer}/sensitive", "Expected true or false")
    elif sensitive:
        fields.append((f"{question.field_name}_sensitive", "y"))
    value = given.get(member)
    if value is None:
        return fields, None
    name = question.field_name
    if rules.part is AnswerPart.TEXT:
        if isinstance(value, str):
            fields.append((name, value))
        else:
            errors.add(f"{pointer}/text", "Expected a string")
    elif rules.part is AnswerPart.CHOICES:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            if rules.one_choice and len(value) > 1:
                errors.add(f"{pointer}/choices", "Choose one option")
            fields.extend((name, v) for v in value)
        else:
            errors.add(f"{pointer}/choices", "Expected a list of strings")
    elif rules.part is AnswerPart.SCALE:
        if _is_int(value):
            fields.append((name, str(value)))
        else:
            errors.add(
                f"{pointer}/scale",
                f"Expected a whole number from {SCALE_VALUES[0]} to {SCALE_VALUES[-1]}",
            )
    else:
        upload = _file(value, f"{pointer}/file", errors, max_file_bytes)
    return fields, upload


def _file(value: Any, pointer: str, errors: _Errors, max_bytes: int) -> tuple[str, bytes] | None:
    given = _object(value, pointer, ("file_name", "content_base64"), errors)
    name, content = given.get("file_name"), given.get("content_base64")
    if not (isinstance(name, str) and name.strip() and len(name) <= 255):
        errors.add(f"{pointer}/file_name", "Give the file's name (at most 255 characters)")
        return None
    if not isinstance(content, str):
        errors.add(f"{pointer}/content_base64", "Give the file's bytes in base64")
        return None
    # Refused by its length before it is decoded: base64 spends 4 characters on every 3 bytes.
    if len(content) > 4 * ((max_bytes + 2) // 3):
        errors.add(f"{pointer}/content_base64", too_large(max_bytes))
        return None
    try:
        return name.strip(), base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        errors.add(f"{pointer}/content_base64", "This is not valid base64")
        return None


async def read_submission(
    data: dict[str, Any], questions: list[Question], organisation: str, *, max_file_bytes: int
) -> Submission:
    """The respondent's details and answers from a request body; Problem(422) listing each fault."""
    errors = _Errors()
    _object(data, "", ("respondent", "answers"), errors)
    if "respondent" not in data:
        errors.add("/respondent", "Give the respondent's sector, country and consent")
    respondent = _respondent_form(data, organisation, errors)

    by_id = {q.id: q for q in questions}
    answers = data.get("answers", [])
    if not isinstance(answers, list):
        errors.add("/answers", "Expected a list of answers")
        answers = []
    formdata: list[tuple[str, str]] = []
    uploads: dict[int, tuple[str, bytes]] = {}
    pointers: dict[str, str] = {}
    members = ("question_id", *(part.value for part in AnswerPart), "sensitive")
    for index, item in enumerate(answers):
        given = _object(item, f"/answers/{index}", members, errors)
        if not given:
            continue
        question_id = given.get("question_id")
        question = (
            by_id.get(question_id)
            if isinstance(question_id, int) and _is_int(question_id)
            else None
        )
        if question is None:
            errors.add(f"/answers/{index}/question_id", "Not a question of this call")
            continue
        if question.field_name in pointers:
            errors.add(f"/answers/{index}/question_id", "This question is answered twice")
            continue
        pointers[question.field_name] = f"/answers/{index}/{_value_member(question)}"
        fields, upload = _answer_fields(index, given, question, errors, max_file_bytes)
        formdata.extend(fields)
        if upload is not None:
            uploads[question.id] = upload
    form = answers_form_class(questions, complete=True)(MultiDict(formdata), meta=NO_CSRF)
    form.validate()
    for name, messages in form.errors.items():
        for message in messages:
            errors.add(*_placed(name.removesuffix("_sensitive"), str(message), pointers))
    errors.raise_any()

    inputs = await answer_inputs(form, questions, max_bytes=0)
    for question_id, upload in uploads.items():
        inputs[question_id] = AnswerInput(sensitive=inputs[question_id].sensitive, upload=upload)
    details = RespondentDetails(
        RespondentType.ORGANISATION,
        organisation,
        Sector(respondent.sector.data),
        respondent.country.data or "",
        Consent(respondent.consent.data),
    )
    return Submission(details, inputs, pointers)


def _placed(field: str, message: str, pointers: dict[str, str]) -> tuple[str, str]:
    """(pointer, detail) for a problem the forms or services name by form field (`q{id}`): a
    question the body did not answer points at the list and names the question's id."""
    if field == "details":
        return "/respondent", message
    if field in pointers:
        return pointers[field], message
    question_id = field.removeprefix("q")
    return (
        "/answers",
        f"{message} (question_id {question_id})" if question_id.isdigit() else message,
    )


def problem_errors(pointers: dict[str, str], problems: list[tuple[str, str]]) -> list[FieldError]:
    """A service's problems, named by form field, as errors pointing into the request body."""
    return [FieldError(*_placed(name, message, pointers)) for name, message in problems]
