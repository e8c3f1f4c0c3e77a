"""The write API: an organisation's token submits and changes its own response, exactly once.

Runs on SQLite and PostgreSQL through the real app; the database and the loopback SMTP server are
checked, not only the status codes.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from consult.api.models import ApiToken, IdempotentRequest
from consult.api.tokens import revoke_token
from consult.calls.models import Attachment, QuestionKind
from consult.responses.models import Answer, Publication, Response, ResponseStatus
from core.clock import FixedClock
from core.models import Person
from core.uploads import TOO_LARGE_UNPACKED
from tests.archives import odt_bomb
from tests.consult.api.helpers import (
    Organisation,
    full_answers,
    organisation_with_token,
    post_response,
    submission,
)
from tests.factories import make_call, questions_by_kind
from tests.support import Mailbox, PeakMemory, subjects

PROBLEM = "application/problem+json"


@pytest.fixture
async def qubit(app: Starlette, clock: FixedClock) -> Organisation:
    return await organisation_with_token(
        "ops@qubitworks.example", "Qubit Works Ltd", now=clock.now()
    )


@pytest.fixture
async def photon(app: Starlette, clock: FixedClock) -> Organisation:
    return await organisation_with_token("ops@photonics.example", "Photonics plc", now=clock.now())


async def test_a_submission_is_stored_submitted_and_acknowledged_by_email(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation, mailbox: Mailbox
) -> None:
    call = await make_call(clock.now())
    answered = await post_response(client, qubit, call.slug, submission(await full_answers(call)))

    assert answered.status_code == 201, answered.text
    body = answered.json()
    assert answered.headers["location"] == body["links"]["self"]
    stored = await Response.get(tracking_number=body["tracking_number"])
    assert stored.respondent_id == qubit.person.id
    assert stored.status == ResponseStatus.SUBMITTED
    assert stored.organisation_name == "Qubit Works Ltd"
    assert stored.respondent_type == "organisation"
    assert stored.publication == Publication.PENDING
    texts = await Answer.filter(response_id=stored.id).values_list("text", flat=True)
    assert "Cryogenic metrology first." in texts
    assert body["status"] == "submitted"
    assert {a["question_id"] for a in body["answers"]} == {
        a["question_id"] for a in await full_answers(call)
    }
    assert [s for s, _ in subjects(mailbox)] == [
        f"Your response to “{call.title}”: {body['tracking_number']}"
    ] or len(mailbox.messages) == 1
    token = await ApiToken.get(person_id=qubit.person.id)
    assert token.last_used_at == clock.now()


async def test_the_same_key_and_body_twice_makes_one_response_and_replays_the_first_answer(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation, mailbox: Mailbox
) -> None:
    call = await make_call(clock.now())
    body = submission(await full_answers(call))
    first = await post_response(client, qubit, call.slug, body, key="retry-me-1")
    again = await post_response(client, qubit, call.slug, body, key="retry-me-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert await Response.filter(call_id=call.id).count() == 1
    assert (await Response.get(call_id=call.id)).revision == 1
    assert len(mailbox.messages) == 1


async def test_the_same_key_with_another_body_is_refused_with_422_and_changes_nothing(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation
) -> None:
    call = await make_call(clock.now())
    await post_response(client, qubit, call.slug, submission(await full_answers(call)), key="k-2")
    other = submission(await full_answers(call, text="Something else entirely."))
    refused = await post_response(client, qubit, call.slug, other, key="k-2")

    assert refused.status_code == 422
    assert refused.headers["content-type"] == PROBLEM
    assert "different request" in refused.json()["detail"]
    texts = await Answer.filter(response__call_id=call.id).values_list("text", flat=True)
    assert "Something else entirely." not in texts
    assert (await Response.get(call_id=call.id)).revision == 1


async def test_a_write_without_an_idempotency_key_is_refused_and_creates_nothing(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation
) -> None:
    call = await make_call(clock.now())
    refused = await client.post(
        f"/api/v1/calls/{call.slug}/responses",
        json=submission(await full_answers(call)),
        headers=qubit.headers,
    )
    assert refused.status_code == 400
    assert "Idempotency-Key" in refused.json()["detail"]
    assert await Response.filter(call_id=call.id).count() == 0


async def test_a_revoked_token_gets_401_and_creates_nothing(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation
) -> None:
    call = await make_call(clock.now())
    token = await ApiToken.get(person_id=qubit.person.id)
    assert await revoke_token(qubit.person, token.id, now=clock.now())

    refused = await post_response(client, qubit, call.slug, submission(await full_answers(call)))

    assert refused.status_code == 401
    assert refused.headers["content-type"] == PROBLEM
    assert 'error="invalid_token"' in refused.headers["www-authenticate"]
    assert await Response.filter(call_id=call.id).count() == 0
    assert await IdempotentRequest.all().count() == 0


async def test_no_token_gets_401_with_a_bearer_challenge(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    refused = await client.post(
        f"/api/v1/calls/{call.slug}/responses",
        json=submission(await full_answers(call)),
        headers={"Idempotency-Key": "k"},
    )
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")


async def test_another_organisations_token_can_neither_read_nor_change_your_response(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation, photon: Organisation
) -> None:
    call = await make_call(clock.now())
    mine = await post_response(client, qubit, call.slug, submission(await full_answers(call)))
    tracking = mine.json()["tracking_number"]
    before = await Answer.filter(response__tracking_number=tracking).values_list("text", flat=True)

    read = await client.get(f"/api/v1/responses/{tracking}", headers=photon.headers)
    changed = await client.put(
        f"/api/v1/responses/{tracking}",
        json=submission(await full_answers(call, text="Hijacked.")),
        headers={**photon.headers, "Idempotency-Key": "steal-1"},
    )

    assert read.status_code == 404
    assert changed.status_code == 404
    assert read.headers["content-type"] == changed.headers["content-type"] == PROBLEM
    after = await Answer.filter(response__tracking_number=tracking).values_list("text", flat=True)
    assert sorted(after) == sorted(before)
    assert (await Response.get(tracking_number=tracking)).revision == 1


async def test_the_owner_reads_and_changes_its_response_which_returns_to_moderation(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation
) -> None:
    call = await make_call(clock.now())
    sensitive = await full_answers(call)
    sensitive[1]["sensitive"] = True
    first = await post_response(client, qubit, call.slug, submission(sensitive))
    tracking = first.json()["tracking_number"]
    await Response.filter(tracking_number=tracking).update(publication=Publication.PUBLISHED)

    changed = await client.put(
        f"/api/v1/responses/{tracking}",
        json=submission(await full_answers(call, text="Benchmarks before interfaces.")),
        headers={**qubit.headers, "Idempotency-Key": "change-1"},
    )
    read = await client.get(f"/api/v1/responses/{tracking}", headers=qubit.headers)

    assert changed.status_code == 200, changed.text
    assert read.status_code == 200
    assert read.json() == changed.json()
    assert read.headers["cache-control"] == "private, no-store"
    stored = await Response.get(tracking_number=tracking)
    assert stored.revision == 2
    assert stored.publication == Publication.PENDING
    texts = await Answer.filter(response_id=stored.id).values_list("text", flat=True)
    assert "Benchmarks before interfaces." in texts
    assert "Cryogenic metrology first." not in texts
    assert not await Answer.filter(response_id=stored.id, sensitive=True).exists()


async def test_a_second_post_to_the_same_call_is_a_conflict_naming_the_existing_response(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation
) -> None:
    call = await make_call(clock.now())
    first = await post_response(client, qubit, call.slug, submission(await full_answers(call)))
    second = await post_response(
        client, qubit, call.slug, submission(await full_answers(call, text="Again."))
    )
    assert second.status_code == 409
    assert second.json()["tracking_number"] == first.json()["tracking_number"]
    assert await Response.filter(call_id=call.id).count() == 1


async def test_a_closed_call_refuses_with_409_and_creates_nothing(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation
) -> None:
    call = await make_call(clock.now(), opens_in=timedelta(days=-9), closes_in=timedelta(hours=-1))
    refused = await post_response(client, qubit, call.slug, submission(await full_answers(call)))
    assert refused.status_code == 409
    assert "closed" in refused.json()["detail"]
    assert await Response.filter(call_id=call.id).count() == 0


async def test_web_form_rules_apply_with_a_pointer_to_each_field_at_fault(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation
) -> None:
    call = await make_call(clock.now())
    questions = await questions_by_kind(call)
    answers = await full_answers(call, text=" ".join(["word"] * 51))  # the limit is 50
    answers[2]["choices"] = ["Somebody else"]
    answers[4]["scale"] = "four"
    body = submission(answers)
    body["respondent"]["country"] = "XX"

    refused = await post_response(client, qubit, call.slug, body)

    assert refused.status_code == 422
    errors = [(e["pointer"], e["detail"]) for e in refused.json()["errors"]]
    pointers = {pointer for pointer, _ in errors}
    assert ("/answers/0/text", "Your answer has 51 words; use 50 words or fewer") in errors
    assert ("/answers/4/scale", "Expected a whole number from 1 to 5") in errors
    assert {"/answers/2/choices", "/respondent/country"} <= pointers
    assert questions[QuestionKind.LONG_TEXT].id == answers[0]["question_id"]
    assert await Response.filter(call_id=call.id).count() == 0
    assert await IdempotentRequest.all().count() == 0  # the key is free for the corrected request


async def test_a_missing_required_answer_and_unknown_members_are_each_reported(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation
) -> None:
    call = await make_call(clock.now())
    answers = [a for a in await full_answers(call) if "scale" not in a]
    answers.append({"question_id": 999_999, "text": "?"})
    answers[0]["colour"] = "blue"
    refused = await post_response(client, qubit, call.slug, submission(answers))

    assert refused.status_code == 422
    details = [(e["pointer"], e["detail"]) for e in refused.json()["errors"]]
    assert (
        "/answers/0/colour",
        "Unknown member: use question_id, text, choices, scale, file, sensitive",
    ) in details
    assert ("/answers/4/question_id", "Not a question of this call") in details
    scale = (await questions_by_kind(call))[QuestionKind.SCALE]
    assert ("/answers", f"Answer “How urgent is this?” (question_id {scale.id})") in details
    assert await Response.filter(call_id=call.id).count() == 0


async def test_a_file_answer_is_checked_by_content_like_an_upload(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation
) -> None:
    call = await make_call(clock.now())
    file_question = (await questions_by_kind(call))[QuestionKind.FILE]
    disguised = {
        "question_id": file_question.id,
        "file": {
            "file_name": "evidence.pdf",
            "content_base64": base64.b64encode(b"MZ\x90\x00\x03").decode(),
        },
    }
    refused = await post_response(
        client, qubit, call.slug, submission([*await full_answers(call), disguised])
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["pointer"] == "/answers/5/file"
    assert await Response.filter(call_id=call.id).count() == 0

    pdf = {
        "question_id": file_question.id,
        "file": {
            "file_name": "evidence.pdf",
            "content_base64": base64.b64encode(b"%PDF-1.7\n%%EOF\n").decode(),
        },
    }
    accepted = await post_response(
        client, qubit, call.slug, submission([*await full_answers(call), pdf])
    )
    assert accepted.status_code == 201, accepted.text
    stored = await Attachment.get(answer__response__call_id=call.id)
    assert stored.content_type == "application/pdf"
    assert stored.original_name == "evidence.pdf"


async def test_an_archive_bomb_sent_as_base64_is_refused_with_its_reason_within_a_few_mb(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation
) -> None:
    call = await make_call(clock.now())
    file_question = (await questions_by_kind(call))[QuestionKind.FILE]
    bomb = {
        "question_id": file_question.id,
        "file": {
            "file_name": "evidence.odt",
            # 1 MB whose `mimetype` unpacks to 1 GiB
            "content_base64": base64.b64encode(odt_bomb(1024)).decode(),
        },
    }
    body = submission([*await full_answers(call), bomb])

    with PeakMemory() as peak:
        refused = await post_response(client, qubit, call.slug, body)

    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"pointer": "/answers/5/file", "detail": TOO_LARGE_UNPACKED}
    ]
    assert peak.mb < 16  # what any 1 MB file costs here, client included; unpacking took 2 GB
    assert await Response.filter(call_id=call.id).count() == 0
    assert await Attachment.all().count() == 0
    upload_dir = app.state.settings.upload_dir
    assert not upload_dir.exists() or not list(upload_dir.iterdir())


async def test_a_file_over_the_limit_is_refused_by_its_base64_length_before_it_is_decoded(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation
) -> None:
    app.state.settings = replace(app.state.settings, upload_max_mb=1)
    call = await make_call(clock.now())
    file_question = (await questions_by_kind(call))[QuestionKind.FILE]

    def answer(content: str) -> dict[str, object]:
        return {
            "question_id": file_question.id,
            "file": {"file_name": "notes.txt", "content_base64": content},
        }

    # Not even base64, but longer than any 1 MB file's base64: refused by its length alone.
    oversized = "!" * (4 * ((1024 * 1024 + 2) // 3) + 4)
    refused = await post_response(
        client, qubit, call.slug, submission([*await full_answers(call), answer(oversized)])
    )
    at_the_limit = base64.b64encode(b"a" * 1024 * 1024).decode()
    accepted = await post_response(
        client, qubit, call.slug, submission([*await full_answers(call), answer(at_the_limit)])
    )

    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {
            "pointer": "/answers/5/file/content_base64",
            "detail": "The file must be smaller than 1 MB.",
        }
    ]
    assert accepted.status_code == 201, accepted.text
    stored = await Attachment.get(answer__response__call_id=call.id)
    assert stored.size == 1024 * 1024


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b'"just a string"', "application/json", 422),
        (b"respondent=x", "application/x-www-form-urlencoded", 415),
        (b'{"respondent": {"sector": "\\ud800"}, "answers": []}', "application/json", 422),
        (b'{"respondent": {}, "answers": [{"text": "a\\u0000b"}]}', "application/json", 422),
    ],
)
async def test_unreadable_bodies_get_a_problem_and_change_nothing(
    client: httpx.AsyncClient,
    clock: FixedClock,
    qubit: Organisation,
    content: bytes,
    content_type: str,
    status: int,
) -> None:
    call = await make_call(clock.now())
    refused = await client.post(
        f"/api/v1/calls/{call.slug}/responses",
        content=content,
        headers={
            **qubit.headers,
            "Idempotency-Key": str(uuid.uuid4()),
            "Content-Type": content_type,
        },
    )
    assert refused.status_code == status
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["status"] == status
    assert await Response.filter(call_id=call.id).count() == 0


async def test_an_oversized_body_is_refused_with_413_as_a_problem(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation, app: Starlette
) -> None:
    call = await make_call(clock.now())
    limit = app.state.settings.max_request_mb * 1024 * 1024
    refused = await client.post(
        f"/api/v1/calls/{call.slug}/responses",
        content=b"{" + b" " * limit + b"}",
        headers={**qubit.headers, "Idempotency-Key": "big", "Content-Type": "application/json"},
    )
    assert refused.status_code == 413
    assert refused.headers["content-type"] == PROBLEM
    assert await Response.filter(call_id=call.id).count() == 0


async def test_an_unconfirmed_account_token_is_forbidden(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation
) -> None:
    call = await make_call(clock.now())
    await Person.filter(id=qubit.person.id).update(verified_at=None)
    refused = await post_response(client, qubit, call.slug, submission(await full_answers(call)))
    assert refused.status_code == 403
    assert await Response.filter(call_id=call.id).count() == 0


async def test_writes_are_limited_per_token_with_retry_after(
    client: httpx.AsyncClient, clock: FixedClock, qubit: Organisation, app: Starlette
) -> None:
    from base.settings import Limit

    app.state.settings = __import__("dataclasses").replace(
        app.state.settings, api_token_limit=Limit(2, 3600)
    )
    call = await make_call(clock.now())
    answers = submission(await full_answers(call))
    statuses = [
        (await post_response(client, qubit, call.slug, answers, key=f"k{n}")).status_code
        for n in range(2)
    ]
    limited = await post_response(client, qubit, call.slug, answers, key="k3")
    assert statuses == [201, 409]
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) == 3600
    assert limited.headers["content-type"] == PROBLEM
