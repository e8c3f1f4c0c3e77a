"""The publication rules: what the public may see of a response, and the search index that follows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tortoise import connections

from consult.calls.models import QuestionKind
from consult.moderation.models import Redaction
from consult.moderation.public import ANONYMOUS, public_responses_of, public_views, redact
from consult.moderation.search import match_sql, search_terms
from consult.moderation.services import (
    ModerationProblem,
    add_redaction,
    decide_publication,
    remove_redaction,
)
from consult.responses.models import (
    Answer,
    Consent,
    Publication,
    RespondentType,
    Response,
    ResponseSearch,
    ResponseStatus,
)
from consult.responses.revisions import as_submitted, record_submitted
from core.clock import FixedClock
from core.models import AuditEntry, Person
from core.vocabulary import Role
from tests.factories import make_call, make_person, questions_by_kind

pytestmark = pytest.mark.usefixtures("db")

PHONE = "Call me on 07700 900123 about cryogenic supply."


def span(start: int, end: int, original: str) -> Redaction:
    return Redaction(start=start, end=end, original=original, reason="phone number")


def test_redact_replaces_each_span_and_merges_overlaps() -> None:
    text = "Alice Smith, 07700 900123, Leeds"
    assert redact(text, [span(13, 25, "07700 900123")]) == "Alice Smith, [redacted], Leeds"
    assert (
        redact(text, [span(0, 11, "Alice Smith"), span(6, 25, "Smith, 07700 900123")])
        == "[redacted], Leeds"
    )


def test_a_span_moved_by_an_edit_is_found_again_and_a_lost_one_withholds_the_answer() -> None:
    edited = "Hello. Alice Smith, 07700 900123, Leeds"
    assert redact(edited, [span(13, 25, "07700 900123")]) == "Hello. Alice Smith, [redacted], Leeds"
    assert redact("Now without the number", [span(13, 25, "07700 900123")]) == "[redacted]"


async def submitted_response(
    email: str, consent: Consent, *, named_org: str = "", clock: FixedClock
) -> tuple[Response, dict[QuestionKind, Answer]]:
    call = await make_call(clock.now(), slug=f"call-{email.split('@')[0]}")
    questions = await questions_by_kind(call)
    response = await Response.create(
        call=call,
        respondent=await make_person(email, "Ada Lovelace"),
        status=ResponseStatus.SUBMITTED,
        consent=consent,
        tracking_number=f"QC-2026-{abs(hash(email)) % 10000:04d}-0000",
        respondent_type=RespondentType.ORGANISATION if named_org else RespondentType.INDIVIDUAL,
        organisation_name=named_org,
        submitted_at=clock.now() - timedelta(hours=1),
        revision=1,
    )
    answers = {
        QuestionKind.LONG_TEXT: await Answer.create(
            response=response, question=questions[QuestionKind.LONG_TEXT], text=PHONE
        ),
        QuestionKind.SHORT_TEXT: await Answer.create(
            response=response,
            question=questions[QuestionKind.SHORT_TEXT],
            text="Head of procurement at a secret fab",
            sensitive=True,
        ),
        QuestionKind.SINGLE_CHOICE: await Answer.create(
            response=response, question=questions[QuestionKind.SINGLE_CHOICE], choices=["NPL"]
        ),
    }
    await record_submitted(response)
    return response, answers


async def moderator_of(response: Response) -> Person:
    person = await make_person(f"mod{response.id}@example.gov", role=Role.ORGANISER)
    call = await response.call
    await call.team.add(person)
    return person


async def test_only_published_consenting_submitted_responses_are_public(
    clock: FixedClock,
) -> None:
    named, _ = await submitted_response("n@example.org", Consent.PUBLISH_NAMED, clock=clock)
    private, _ = await submitted_response("p@example.org", Consent.DO_NOT_PUBLISH, clock=clock)
    moderator = await moderator_of(named)

    assert await public_views([named, private]) == []  # nothing is public before moderation
    assert await decide_publication(moderator, named, Publication.PUBLISHED, now=clock.now())
    with pytest.raises(ModerationProblem):
        await decide_publication(
            await moderator_of(private), private, Publication.PUBLISHED, now=clock.now()
        )

    fresh = await Response.get(id=named.id)
    [view] = await public_views([fresh, await Response.get(id=private.id)])
    assert view.author == "Ada Lovelace"
    assert await public_responses_of(named.call_id).values_list("id", flat=True) == [named.id]
    assert [a.action for a in await AuditEntry.filter(action__startswith="response.")] == [
        "response.published"
    ]


async def test_the_public_view_leaves_out_sensitive_answers_files_and_redacted_spans(
    clock: FixedClock,
) -> None:
    response, answers = await submitted_response(
        "a@example.org", Consent.PUBLISH_ANONYMOUS, clock=clock
    )
    moderator = await moderator_of(response)
    await decide_publication(moderator, response, Publication.PUBLISHED, now=clock.now())
    start = PHONE.index("07700")
    await add_redaction(
        moderator, await as_submitted(answers[QuestionKind.LONG_TEXT]), start, start + 12, "phone"
    )

    [view] = await public_views([await Response.get(id=response.id)])

    assert view.author == ANONYMOUS
    assert [(a.kind, a.text, a.choices) for a in view.answers] == [
        (QuestionKind.LONG_TEXT, "Call me on [redacted] about cryogenic supply.", ()),
        (QuestionKind.SINGLE_CHOICE, "", ("NPL",)),
    ]
    indexed = await ResponseSearch.get(response_id=response.id)
    assert "07700" not in indexed.body and "secret fab" not in indexed.body
    assert "Ada Lovelace" not in indexed.body


async def test_an_organisation_publishing_with_its_name_shows_the_organisation(
    clock: FixedClock,
) -> None:
    response, _ = await submitted_response(
        "o@example.org", Consent.PUBLISH_NAMED, named_org="Qubit Works Ltd", clock=clock
    )
    await decide_publication(
        await moderator_of(response), response, Publication.PUBLISHED, now=clock.now()
    )
    [view] = await public_views([await Response.get(id=response.id)])
    assert view.author == "Qubit Works Ltd"


async def test_the_search_index_follows_publication_and_redaction(clock: FixedClock) -> None:
    response, answers = await submitted_response(
        "s@example.org", Consent.PUBLISH_NAMED, clock=clock
    )
    moderator = await moderator_of(response)

    async def found(text: str) -> bool:
        client = connections.get("default")
        condition, params = match_sql(client, search_terms(text))
        rows = await client.execute_query_dict(
            f'SELECT "response"."id" FROM "response" WHERE {condition}', params
        )
        return [row["id"] for row in rows] == [response.id]

    assert not await found("cryogenic")
    await decide_publication(moderator, response, Publication.PUBLISHED, now=clock.now())
    assert await found("cryogenic") and await found("Cryogenic supply")
    assert not await found("procurement")  # a sensitive answer
    start = PHONE.index("cryogenic")
    redaction = await add_redaction(
        moderator,
        await as_submitted(answers[QuestionKind.LONG_TEXT]),
        start,
        start + 9,
        "names a supplier",
    )
    assert not await found("cryogenic")
    await remove_redaction(moderator, redaction)
    assert await found("cryogenic")
    await decide_publication(moderator, response, Publication.HELD, now=clock.now())
    assert not await found("cryogenic")
    assert not await found('" OR 1=1 --')  # query syntax is not the visitor's to use


async def test_only_the_calls_team_may_moderate(clock: FixedClock) -> None:
    response, answers = await submitted_response(
        "t@example.org", Consent.PUBLISH_NAMED, clock=clock
    )
    outsider = await make_person("other@example.gov", role=Role.ORGANISER)

    with pytest.raises(PermissionError):
        await decide_publication(outsider, response, Publication.PUBLISHED, now=clock.now())
    with pytest.raises(PermissionError):
        await add_redaction(
            outsider, await as_submitted(answers[QuestionKind.LONG_TEXT]), 0, 4, "name"
        )
    assert (await Response.get(id=response.id)).publication == Publication.PENDING
    assert await Redaction.all().count() == 0
