"""From a validated answers form to the service's `AnswerInput`s: shared by the web form and the
API, which fills the same form class from JSON, so both answer to the same rules."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from wtforms import Form

from consult.calls.models import Question, QuestionKind
from consult.responses.services import AnswerInput


async def answer_inputs(
    form: Form, questions: list[Question], max_bytes: int
) -> dict[int, AnswerInput]:
    inputs: dict[int, AnswerInput] = {}
    for question in questions:
        value = form[question.field_name].data
        sensitive = bool(form[f"{question.field_name}_sensitive"].data)
        kind = QuestionKind(question.kind)
        if kind == QuestionKind.FILE:
            upload = None
            if isinstance(value, UploadFile) and value.filename:
                # Read one byte past the limit: enough to refuse an oversized file without holding it.
                data = await value.read(max_bytes + 1)
                upload = (value.filename, data)
            inputs[question.id] = AnswerInput(sensitive=sensitive, upload=upload)
        elif kind == QuestionKind.MULTIPLE_CHOICE:
            inputs[question.id] = AnswerInput(choices=tuple(value or ()), sensitive=sensitive)
        elif kind == QuestionKind.SINGLE_CHOICE:
            inputs[question.id] = AnswerInput(
                choices=(value,) if value else (), sensitive=sensitive
            )
        elif kind == QuestionKind.SCALE:
            inputs[question.id] = AnswerInput(
                scale=int(value) if value else None, sensitive=sensitive
            )
        else:
            inputs[question.id] = AnswerInput(text=value or "", sensitive=sensitive)
    return inputs
