"""A live server with the demonstration data and an organisation's API token, once per test package and
database: for schemathesis, which speaks HTTP, and for checks over the whole demo record."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from config.database import tortoise_config
from consult.api.tokens import issue_token
from tests.conftest import DEMO_NOW, fresh_database
from tests.factories import make_person
from tests.servers import serve_app
from tests.support import Mailbox

# Limits high enough that a few hundred generated requests from one address are not refused.
GENEROUS_LIMITS = {
    "API_READ_LIMIT": "100000/60",
    "API_TOKEN_LIMIT": "100000/3600",
    "API_ADDRESS_LIMIT": "100000/3600",
}


@dataclass(frozen=True)
class DemoApi:
    base_url: str
    database_url: str
    token: str
    tracking_number: str  # of the response this token's organisation submitted

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def _token_for_an_organisation(database_url: str) -> str:
    EXECUTOR_CACHE.clear()
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        person = await make_person(
            "api@qubitworks.example",
            "Qubit Works API",
            organisation="Qubit Works Ltd",
            verified_at=datetime.now(UTC),
        )
        return (await issue_token(person, "Contract tests")).secret
    finally:
        await Tortoise.close_connections()


@pytest.fixture(scope="package", params=["sqlite", "postgres"])
def demo_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    yield from fresh_database(request, tmp_path_factory.mktemp("demo-api"), contents=DEMO_NOW)


@pytest.fixture(scope="package")
def demo_api(
    demo_database: str, tmp_path_factory: pytest.TempPathFactory, smtp_server: Mailbox
) -> Iterator[DemoApi]:
    serving = contextmanager(serve_app)(
        demo_database,
        tmp_path_factory.mktemp("demo-api-server"),
        smtp_server,
        environment=GENEROUS_LIMITS,
    )
    with serving as base_url:
        token = asyncio.run(_token_for_an_organisation(demo_database))
        yield DemoApi(base_url, demo_database, token, _submit_a_response(base_url, token))


def _answer(question: dict[str, Any]) -> dict[str, Any]:
    """A valid answer to any question of the demo calls."""
    kind, options = question["kind"], question["options"]
    value: dict[str, Any] = {
        "long_text": {"text": "Shared cryogenic test beds, measured the same way on both sides."},
        "short_text": {"text": "Head of standards"},
        "single_choice": {"choices": options[:1]},
        "multiple_choice": {"choices": options[:1]},
        "scale": {"scale": 3},
        "file": {
            "file": {
                "file_name": "evidence.pdf",
                "content_base64": base64.b64encode(b"%PDF-1.7\n%%EOF\n").decode(),
            }
        },
    }[kind]
    return {"question_id": question["id"], **value}


def _submit_a_response(base_url: str, token: str) -> str:
    """Submit a response to the first open demo call through the API; its tracking number."""
    calls = httpx.get(f"{base_url}/api/v1/calls", params={"status": "open"}).json()["data"]
    call = httpx.get(calls[0]["links"]["self"]).json()
    answered = httpx.post(
        f"{base_url}/api/v1/calls/{call['slug']}/responses",
        json={
            "respondent": {"sector": "industry", "country": "GB", "consent": "publish_named"},
            "answers": [_answer(q) for q in call["questions"]],
        },
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "contract-fixture"},
    )
    assert answered.status_code == 201, answered.text
    return str(answered.json()["tracking_number"])
