"""The demonstration data: calls in every phase, a few hundred varied responses, one form-letter
campaign, approved comments; loading twice adds nothing."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest

from consult.accounts.passwords import verify_password
from consult.calls.models import (
    Answer,
    Call,
    CallPhase,
    CallState,
    Comment,
    CommentStatus,
    Consent,
    Question,
    QuestionKind,
    RespondentType,
    Response,
    ResponseStatus,
)
from consult.clock import FixedClock
from consult.demo import load_demo
from consult.demo.calls import CALLS, CAMPAIGN_CALL
from consult.demo.campaign import COALITION, TEMPLATE
from consult.demo.people import respondent_profiles
from consult.demo.responses import plan_responses
from consult.models import Person
from consult.responses.tracking import normalise
from consult.vocabulary import Role, Sector


def shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    words = text.lower().split()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def resemblance(a: str, b: str) -> float:
    """Jaccard similarity of 5-word shingles: what near-duplicate detection estimates."""
    first, second = shingles(a), shingles(b)
    return len(first & second) / len(first | second)


async def test_demo_calls_sit_in_every_phase_at_the_stated_distances(
    db: None, clock: FixedClock
) -> None:
    now = clock.now()

    await load_demo(now=now)

    calls = await Call.all().prefetch_related("team", "questions", "created_by", "topic")
    by_phase: dict[CallPhase, list[Call]] = {}
    for call in calls:
        by_phase.setdefault(call.phase(now), []).append(call)

    def days(delta: timedelta) -> int:
        return round(delta / timedelta(days=1))

    assert {phase: len(found) for phase, found in by_phase.items()} == {
        CallPhase.OPEN: 3,
        CallPhase.UPCOMING: 2,
        CallPhase.CLOSED: 2,
        CallPhase.OUTCOME_PUBLISHED: 1,
    }
    assert sorted(days(c.closes_at - now) for c in by_phase[CallPhase.OPEN]) == [3, 10, 25]
    assert sorted(days(c.opens_at - now) for c in by_phase[CallPhase.UPCOMING]) == [5, 14]
    assert sorted(days(now - c.closes_at) for c in by_phase[CallPhase.CLOSED]) == [10, 40]
    [done] = by_phase[CallPhase.OUTCOME_PUBLISHED]
    assert done.state == CallState.OUTCOME_PUBLISHED
    assert done.outcome.startswith("## What we heard")
    assert done.outcome_published_at is not None and done.outcome_published_at < now
    assert {call.topic.slug for call in calls} == {
        "standards",
        "supply-chain",
        "research-security",
        "workforce",
        "research-infrastructure",
    }
    for call in calls:
        assert call.timezone in {"Europe/London", "America/New_York"}
        assert call.created_by is not None and call.created_by.email == "organiser@consult.example"
        assert [person.email for person in call.team] == ["organiser@consult.example"]
        assert 4 <= len(call.questions) <= 7
        assert call.body.startswith("## Why we are asking")
    assert {call.state for call in by_phase[CallPhase.OPEN]} == {CallState.PUBLISHED}


async def test_demo_responses_spread_over_sectors_countries_types_and_consent(
    db: None, clock: FixedClock
) -> None:
    await load_demo(now=clock.now())

    responses = await Response.all()
    statuses = Counter(response.status for response in responses)
    consents = Counter(response.consent for response in responses)

    assert len(responses) == 468
    assert statuses == {
        ResponseStatus.SUBMITTED: 448,
        ResponseStatus.DRAFT: 15,
        ResponseStatus.WITHDRAWN: 5,
    }
    assert {response.sector for response in responses} == set(Sector)
    assert {"US", "GB", "DE", "FR", "JP", "CA", "AU", "NL", "SE", "IN"} <= {
        response.country for response in responses
    }
    assert sum(r.country in {"US", "GB"} for r in responses) / len(responses) >= 0.6
    assert 0.4 <= consents[Consent.PUBLISH_NAMED] / len(responses) <= 0.6
    assert 0.2 <= consents[Consent.PUBLISH_ANONYMOUS] / len(responses) <= 0.4
    assert 0.1 <= consents[Consent.DO_NOT_PUBLISH] / len(responses) <= 0.3
    for response in responses:
        on_behalf = response.respondent_type == RespondentType.ORGANISATION
        assert bool(response.organisation_name) == on_behalf


async def test_demo_submitted_responses_carry_valid_tracking_numbers(
    db: None, clock: FixedClock
) -> None:
    now = clock.now()

    await load_demo(now=now)

    responses = await Response.all()
    sent = [r for r in responses if r.status != ResponseStatus.DRAFT]
    numbers = [r.tracking_number for r in sent]
    assert len(set(numbers)) == len(sent) == 453
    for response in sent:
        assert response.tracking_number is not None
        assert normalise(response.tracking_number) == response.tracking_number
        assert response.tracking_number.startswith(f"QC-{response.submitted_at.year}-")
        assert response.revision == 1
        assert response.submitted_at == response.last_submitted_at
        assert response.submitted_at < now
    for response in responses:
        if response.status == ResponseStatus.DRAFT:
            assert (response.tracking_number, response.submitted_at) == (None, None)
        if response.status == ResponseStatus.WITHDRAWN:
            assert response.submitted_at < response.withdrawn_at < now


async def test_demo_answers_have_the_shape_of_their_question(db: None, clock: FixedClock) -> None:
    await load_demo(now=clock.now())

    questions = {question.id: question for question in await Question.all()}
    answers = await Answer.all()
    by_response: dict[int, set[int]] = {}
    for answer in answers:
        by_response.setdefault(answer.response_id, set()).add(answer.question_id)

    assert {question.kind for question in questions.values()} == set(QuestionKind)
    assert any(q.word_limit for q in questions.values())
    assert any(q.required for q in questions.values())
    assert all(q.help_text for q in questions.values() if q.kind == QuestionKind.SCALE)
    for question in questions.values():
        if question.kind == QuestionKind.SINGLE_CHOICE:
            assert 3 <= len(question.options) <= 5
    for answer in answers:
        question = questions[answer.question_id]
        shape = (bool(answer.text), len(answer.choices), answer.scale)
        match question.kind:
            case QuestionKind.LONG_TEXT:
                assert shape == (True, 0, None)
                assert len(answer.text.split()) <= (question.word_limit or 10_000)
            case QuestionKind.SHORT_TEXT:
                assert shape == (True, 0, None)
            case QuestionKind.SINGLE_CHOICE:
                assert shape[:1] == (False,) and answer.scale is None
                assert len(answer.choices) == 1 and answer.choices[0] in question.options
            case QuestionKind.MULTIPLE_CHOICE:
                assert answer.choices and set(answer.choices) <= set(question.options)
                assert not answer.text and answer.scale is None
            case QuestionKind.SCALE:
                assert not answer.text and not answer.choices
                assert answer.scale in range(1, 6)
            case QuestionKind.FILE:
                pytest.fail("the demo uploads no files")
    assert 0.02 <= sum(a.sensitive for a in answers) / len(answers) <= 0.08
    for response in await Response.filter(status=ResponseStatus.SUBMITTED):
        expected = {
            q.id
            for q in questions.values()
            if q.call_id == response.call_id and q.kind != QuestionKind.FILE
        }
        assert by_response[response.id] == expected


async def test_demo_form_letter_campaign_is_near_duplicate_not_identical(
    db: None, clock: FixedClock
) -> None:
    await load_demo(now=clock.now())

    main = await Question.get(call__slug=CAMPAIGN_CALL.slug, position=0)
    texts = [a.text for a in await Answer.filter(question=main)]
    letters = [text for text in texts if f"supporter of the {COALITION}" in text]
    others = [text for text in texts if text not in letters]
    template = " ".join(TEMPLATE)

    assert len(letters) == 80
    assert len(set(letters)) == 80
    assert min(resemblance(letter, template) for letter in letters) >= 0.55
    assert min(resemblance(letters[0], letter) for letter in letters[1:]) >= 0.4
    assert max(resemblance(other, template) for other in others) < 0.1
    for letter in letters:
        # A member's own sentence or two, before or after the template, in a paragraph of its own.
        own = min(letter.split("\n\n"), key=len)
        assert len(letter.split("\n\n")) == 2
        assert 1 <= own.count(".") <= 2 and COALITION not in own


async def test_demo_comments_are_approved_on_open_calls_some_with_replies(
    db: None, clock: FixedClock
) -> None:
    now = clock.now()

    await load_demo(now=now)

    comments = await Comment.all().prefetch_related("call", "author", "moderated_by")
    replies = [c for c in comments if c.parent_id is not None]
    assert len(comments) == 12
    assert len(replies) == 4
    assert {c.call.slug for c in comments} == {
        "quantum-standards-priorities",
        "quantum-supply-chain-dependencies",
        "quantum-workforce-skills",
    }
    for comment in comments:
        assert comment.status == CommentStatus.APPROVED
        assert comment.call.phase(now) == CallPhase.OPEN
        assert comment.moderated_by is not None and comment.moderated_by.role == Role.ORGANISER
        assert comment.created_at < now
    assert all(c.author is not None for c in comments)


async def test_demo_respondents_share_one_verified_password(db: None, clock: FixedClock) -> None:
    await load_demo(now=clock.now())

    respondents = await Person.filter(email__startswith="respondent-").order_by("email")

    assert len(respondents) == 200
    assert respondents[0].email == "respondent-0001@demo.example"
    assert len({person.password_hash for person in respondents}) == 1
    assert verify_password(respondents[0].password_hash, "stakeholder-demo-qubit-lattice")
    assert all(person.verified_at == clock.now() for person in respondents)
    assert len({person.display_name for person in respondents}) == 200
    assert await Person.all().count() == 210


async def test_demo_second_load_adds_nothing_and_says_so(db: None, clock: FixedClock) -> None:
    lines: list[str] = []

    first = await load_demo(now=clock.now(), progress=lines.append)
    tables = (Person, Call, Question, Response, Answer, Comment)
    before = [await model.all().count() for model in tables]
    second = await load_demo(now=clock.now() + timedelta(days=1))

    assert [await model.all().count() for model in tables] == before
    assert (
        "5 topics, 210 new people (210 in all), 8 new calls (8 in all), "
        "468 new responses (468 in all), 12 new comments." in first
    )
    assert "Form-letter campaign: 80 responses" in first
    assert "Nothing new was added" not in first
    assert (
        "5 topics, 0 new people (210 in all), 0 new calls (8 in all), "
        "0 new responses (468 in all), 0 new comments." in second
    )
    assert "Nothing new was added: the demonstration data was already there." in second
    assert "stakeholder-demo-qubit-lattice" in second
    assert lines[:3] == [
        "  topics: 5",
        "  people: 10 named, 200 respondents (210 new)",
        "  calls: 8 (8 new)",
    ]
    assert lines[-2].startswith("  responses: 468/468 (")
    assert lines[-1] == "  comments: 12 new"


def test_demo_responses_are_planned_the_same_way_every_time(clock: FixedClock) -> None:
    def plan() -> list[object]:
        profiles = respondent_profiles(random.Random(2026))
        return [plan_responses(spec, profiles, now=clock.now(), seed=2026) for spec in CALLS]

    assert plan() == plan()
