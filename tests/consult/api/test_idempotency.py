"""Idempotency keys over time: a request still running, one that died, and keys that expire."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from starlette.applications import Starlette

from base.settings import Settings
from consult.api.idempotency import ABANDONED_AFTER, KEPT_FOR, fingerprint
from consult.api.models import IdempotentRequest
from consult.calls.models import Call
from consult.responses.models import Response
from consult.retention import apply_retention
from core.clock import FixedClock
from tests.consult.api.helpers import (
    Organisation,
    full_answers,
    organisation_with_token,
    post_response,
    submission,
)
from tests.factories import make_call


@dataclass
class Claimed:
    """An organisation, an open call, a whole response to it, and a key claimed for that
    response at `claimed_at` by a request that has not answered (still running, or dead)."""

    who: Organisation
    call: Call
    body: dict[str, Any]
    key: str


async def claimed_earlier(key: str, claimed_at: datetime) -> Claimed:
    who = await organisation_with_token("ops@qubit.example", "Qubit Works", now=claimed_at)
    call = await make_call(claimed_at)
    body = submission(await full_answers(call))
    # As httpx writes `json=`: compact, UTF-8.
    sent = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    await IdempotentRequest.create(
        person=who.person,
        key=key,
        fingerprint=fingerprint("POST", f"/api/v1/calls/{call.slug}/responses", sent),
        claimed_at=claimed_at,
        created_at=claimed_at,
    )
    return Claimed(who, call, body, key)


async def test_a_repeat_while_the_first_request_runs_is_told_to_retry_with_409(
    client: httpx.AsyncClient, clock: FixedClock, app: Starlette
) -> None:
    busy = await claimed_earlier("busy", clock.now())

    refused = await post_response(client, busy.who, busy.call.slug, busy.body, key=busy.key)

    assert refused.status_code == 409
    assert refused.headers["retry-after"] == "2"
    assert await Response.filter(call_id=busy.call.id).count() == 0


async def test_a_claim_abandoned_by_a_request_that_died_is_taken_over_by_the_retry(
    client: httpx.AsyncClient, clock: FixedClock, app: Starlette
) -> None:
    crashed = await claimed_earlier("crashed", clock.now() - ABANDONED_AFTER - timedelta(seconds=1))

    answered = await post_response(
        client, crashed.who, crashed.call.slug, crashed.body, key=crashed.key
    )

    assert answered.status_code == 201, answered.text
    kept = await IdempotentRequest.get(key="crashed")
    assert kept.status_code == 201
    assert kept.body["tracking_number"] == answered.json()["tracking_number"]


async def test_the_retention_job_forgets_keys_after_a_day(
    client: httpx.AsyncClient, clock: FixedClock, app: Starlette, settings: Settings
) -> None:
    who = await organisation_with_token("ops@qubit.example", "Qubit Works", now=clock.now())
    call = await make_call(clock.now())
    await post_response(client, who, call.slug, submission(await full_answers(call)), key="old")
    assert await IdempotentRequest.filter(key="old").exists()

    await apply_retention(settings, now=clock.now() + KEPT_FOR - timedelta(minutes=1))
    assert await IdempotentRequest.filter(key="old").exists()
    await apply_retention(settings, now=clock.now() + KEPT_FOR + timedelta(minutes=1))
    assert not await IdempotentRequest.filter(key="old").exists()
