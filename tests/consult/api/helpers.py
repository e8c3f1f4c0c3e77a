"""Shared set-up for the JSON API tests: an organisation's account with a live API token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from consult.api.tokens import issue_token
from consult.calls.models import Call, QuestionKind
from core.models import Person
from tests.factories import make_person, questions_by_kind


@dataclass
class Organisation:
    person: Person
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def organisation_with_token(
    email: str, organisation: str, *, now: datetime, name: str = "Quinn Ops"
) -> Organisation:
    person = await make_person(email, name, organisation=organisation, verified_at=now)
    issued = await issue_token(person, "Our submission system")
    return Organisation(person, issued.secret)


async def full_answers(
    call: Call, text: str = "Cryogenic metrology first."
) -> list[dict[str, Any]]:
    """Answers to every question of `tests.factories.make_call` except the optional file."""
    questions = await questions_by_kind(call)
    return [
        {"question_id": questions[QuestionKind.LONG_TEXT].id, "text": text},
        {"question_id": questions[QuestionKind.SHORT_TEXT].id, "text": "Head of standards"},
        {"question_id": questions[QuestionKind.SINGLE_CHOICE].id, "choices": ["Jointly"]},
        {"question_id": questions[QuestionKind.MULTIPLE_CHOICE].id, "choices": ["Metrology"]},
        {"question_id": questions[QuestionKind.SCALE].id, "scale": 4},
    ]


def submission(answers: list[dict[str, Any]], consent: str = "publish_named") -> dict[str, Any]:
    return {
        "respondent": {"sector": "industry", "country": "GB", "consent": consent},
        "answers": answers,
    }


async def post_response(
    client: httpx.AsyncClient,
    who: Organisation,
    slug: str,
    body: dict[str, Any],
    *,
    key: str | None = None,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/calls/{slug}/responses",
        json=body,
        headers={**who.headers, "Idempotency-Key": key or str(uuid.uuid4())},
    )
