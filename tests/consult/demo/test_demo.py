"""The demonstration data: calls in every phase, a few hundred varied responses, one form-letter
campaign, comments (approved, waiting, rejected), sessions in both capitals and online with their registrations (a
weekly series across a daylight-saving change among them); loading twice adds nothing."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from consult.accounts.passwords import verify_password
from consult.analysis.models import Campaign
from consult.calls.models import Call, CallPhase, CallState, Question, QuestionKind
from consult.comments.models import Comment, CommentStatus
from consult.demo import load_demo
from consult.demo.calls import CALLS, CAMPAIGN_CALL
from consult.demo.campaign import COALITION, TEMPLATE
from consult.demo.moderation import PHONE_NUMBER, QUEUED_PHONE_NUMBER
from consult.demo.people import respondent_profiles
from consult.demo.registrations import plan_registrations
from consult.demo.responses import plan_responses
from consult.demo.schedule import Disagreement, next_disagreement, plan_session, plan_sessions
from consult.demo.series import STANDARDS_WORKING_GROUP
from consult.demo.sessions import SESSIONS
from consult.moderation.models import NotMeReport, Redaction
from consult.responses.models import (
    Answer,
    Consent,
    Publication,
    RespondentType,
    Response,
    ResponseSearch,
    ResponseStatus,
)
from consult.responses.tracking import normalise
from core.clock import FixedClock
from core.models import Person
from core.timezones import daylight_saving_disagrees
from core.vocabulary import Role, Sector
from events.models import (
    WHOLE_SERIES,
    OccurrenceOverride,
    Recurrence,
    Registration,
    RegistrationStatus,
    Session,
    SessionKind,
    SessionStatus,
    Visibility,
    occurrence_key,
)
from events.queries import session_occurrences
from events.recurrence import occurrences

LONDON = ZoneInfo("Europe/London")
WASHINGTON = ZoneInfo("America/New_York")


def shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    words = text.lower().split()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def resemblance(a: str, b: str) -> float:
    """Jaccard similarity of 5-word shingles: what near-duplicate detection estimates."""
    first, second = shingles(a), shingles(b)
    return len(first & second) / len(first | second)


async def test_demo_calls_sit_in_every_phase_at_the_stated_distances(
    demo_at_start: None, clock: FixedClock
) -> None:
    now = clock.now()

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
    demo_at_start: None, clock: FixedClock
) -> None:
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
    demo_at_start: None, clock: FixedClock
) -> None:
    now = clock.now()

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


async def test_demo_answers_have_the_shape_of_their_question(
    demo_at_start: None, clock: FixedClock
) -> None:
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
    demo_at_start: None, clock: FixedClock
) -> None:
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


async def test_demo_comments_are_on_open_calls_some_with_replies_one_waiting_one_rejected(
    demo_at_start: None, clock: FixedClock
) -> None:
    now = clock.now()

    comments = await Comment.all().prefetch_related("call", "author", "moderated_by")
    replies = [c for c in comments if c.parent_id is not None]
    assert len(comments) == 14
    assert len(replies) == 4
    waiting = [c for c in comments if c.status == CommentStatus.PENDING]
    rejected = [c for c in comments if c.status == CommentStatus.REJECTED]
    assert len(waiting) == len(rejected) == 1
    assert waiting[0].moderated_by is None and waiting[0].moderated_at is None
    assert {c.call.slug for c in comments} == {
        "quantum-standards-priorities",
        "quantum-supply-chain-dependencies",
        "quantum-workforce-skills",
    }
    for comment in comments:
        assert comment.call.phase(now) == CallPhase.OPEN
        if comment.status != CommentStatus.PENDING:
            assert comment.moderated_by is not None
            assert comment.moderated_by.role == Role.ORGANISER
        assert comment.created_at < now
    assert all(c.author is not None for c in comments)


async def test_demo_respondents_share_one_verified_password(
    demo_at_start: None, clock: FixedClock
) -> None:
    respondents = await Person.filter(email__startswith="respondent-").order_by("email")

    assert len(respondents) == 200
    assert respondents[0].email == "respondent-0001@demo.example"
    assert len({person.password_hash for person in respondents}) == 1
    assert await verify_password(respondents[0].password_hash, "stakeholder-demo-qubit-lattice")
    assert all(person.verified_at == clock.now() for person in respondents)
    assert len({person.display_name for person in respondents}) == 200
    assert await Person.all().count() == 210


async def test_demo_second_load_adds_nothing_and_says_so(db: None, clock: FixedClock) -> None:
    lines: list[str] = []

    first = await load_demo(now=clock.now(), progress=lines.append)
    tables = (
        Person,
        Call,
        Question,
        Response,
        Answer,
        Comment,
        Session,
        OccurrenceOverride,
        Registration,
    )
    before = [await model.all().count() for model in tables]
    second = await load_demo(now=clock.now() + timedelta(days=1))

    assert [await model.all().count() for model in tables] == before
    assert (
        "5 topics, 210 new people (210 in all), 8 new calls (8 in all), "
        "468 new responses (468 in all), 14 new comments, 265 responses published, "
        "19 new sessions (19 in all), 732 new registrations (732 in all)." in first
    )
    assert "Form-letter campaign: 80 responses" in first
    assert (
        "Daylight saving: “US–UK quantum standards working group” meets from 18 February 2027 "
        "to 6 May 2027; US and UK clocks disagree from 14 March 2027 to 27 March 2027." in first
    )
    assert "Nothing new was added" not in first
    assert (
        "5 topics, 0 new people (210 in all), 0 new calls (8 in all), "
        "0 new responses (468 in all), 0 new comments, 0 responses published, "
        "0 new sessions (19 in all), "
        "0 new registrations (732 in all)." in second
    )
    assert "Daylight saving" not in second
    assert "Nothing new was added: the demonstration data was already there." in second
    assert "stakeholder-demo-qubit-lattice" in second
    assert lines[:3] == [
        "  topics: 5",
        "  people: 10 named, 200 respondents (210 new)",
        "  calls: 8 (8 new)",
    ]
    assert lines[-5].startswith("  responses: 468/468 (")
    assert lines[-4:] == [
        "  comments: 14 new",
        "  moderation: 265 responses published",
        "  campaigns: 1 campaign found: 80 responses in all, the largest with 80.",
        "  sessions: 19 (19 new), 732 new registrations",
    ]


async def test_demo_sessions_keep_their_occurrences_and_registrations_on_a_second_load(
    demo_at_start: None, clock: FixedClock
) -> None:
    gone = ["standards-industry-roundtable", "supply-chain-roundtable-washington"]
    await Session.filter(slug__in=gone).delete()
    kept = await Registration.filter(session__slug="us-uk-quantum-standards-working-group").count()

    report = await load_demo(now=clock.now())

    assert await Session.all().count() == 19
    assert await OccurrenceOverride.all().count() == 3
    assert (
        await Registration.filter(session__slug="us-uk-quantum-standards-working-group").count()
        == kept
    )
    assert await Registration.filter(session__slug__in=gone).count() == 16 + 8
    assert "2 new sessions (19 in all), 24 new registrations (732 in all)." in report


def test_demo_responses_and_registrations_are_planned_the_same_way_every_time(
    clock: FixedClock,
) -> None:
    def plan() -> list[object]:
        profiles = respondent_profiles(random.Random(2026))
        sessions = plan_sessions(SESSIONS, now=clock.now())
        return [
            *(plan_responses(spec, profiles, now=clock.now(), seed=2026) for spec in CALLS),
            sessions,
            plan_registrations(sessions, profiles, now=clock.now(), seed=2026),
        ]

    assert plan() == plan()


async def test_demo_sessions_meet_in_washington_london_and_online_on_every_topic(
    demo_at_start: None, clock: FixedClock
) -> None:
    now = clock.now()

    sessions = await Session.all().prefetch_related("topics", "team", "created_by", "call")

    def place(session: Session) -> str:
        if session.online_url.startswith("https://meet.consult.example/") and not session.location:
            return "online"
        if session.timezone == "America/New_York" and session.location.endswith("Washington DC"):
            return "Washington"
        if session.timezone == "Europe/London" and ", London " in session.location:
            return "London"
        return "somewhere else"

    assert len(sessions) == 19
    assert Counter(place(session) for session in sessions) == {
        "Washington": 5,
        "London": 5,
        "online": 9,
    }
    assert {topic.slug for s in sessions for topic in s.topics} == {
        "standards",
        "supply-chain",
        "research-security",
        "workforce",
        "research-infrastructure",
    }
    assert {session.kind for session in sessions} == set(SessionKind)
    assert {session.timezone for session in sessions} == {"Europe/London", "America/New_York"}
    for session in sessions:
        assert (
            session.created_by is not None
            and session.created_by.email == "organiser@consult.example"
        )
        assert [person.email for person in session.team] == ["organiser@consult.example"]
        assert session.topics and session.title and session.description
        assert session.created_at < min(now, session.starts_at)
        assert session.capacity is None or 12 <= session.capacity <= 200
    assert sum(session.capacity is None for session in sessions) == 4
    assert sum(session.call is not None for session in sessions) == 10
    assert [s.slug for s in sessions if s.visibility == Visibility.INVITATION] == [
        "bilateral-dialogue-research-security",
        "government-dialogue-on-qist",
        "sensing-timing-policy-briefing",
    ]
    past = [s for s in sessions if s.starts_at < now]
    soon = [s for s in sessions if now < s.starts_at <= now + timedelta(days=92)]
    assert len(past) == 6 and all(s.starts_at > now - timedelta(days=31) for s in past)
    assert len(soon) == 13


async def test_demo_sessions_meet_on_working_days_in_hours_that_suit_both_capitals(
    demo_at_start: None, clock: FixedClock
) -> None:
    for session in await Session.all():
        for occurrence in await session_occurrences(session):
            for zone in (WASHINGTON, LONDON):
                start = occurrence.starts_at.astimezone(zone)
                end = occurrence.ends_at.astimezone(zone)
                assert start.weekday() < 5, (session.slug, start)
                assert time(9) <= start.time() and end.time() <= time(17), (session.slug, start)
                assert start.date() == end.date()


async def test_demo_weekly_series_keeps_3pm_in_london_across_the_daylight_saving_change(
    demo_at_start: None, clock: FixedClock
) -> None:
    series = await Session.get(recurrence=Recurrence.WEEKLY)
    found = await session_occurrences(series)
    london = [o.starts_at.astimezone(LONDON) for o in found]
    washington = [o.starts_at.astimezone(WASHINGTON) for o in found]
    disagree = [daylight_saving_disagrees(start.date()) for start in london]

    assert (series.title, series.timezone, series.recurrence_count) == (
        "US–UK quantum standards working group",
        "Europe/London",
        12,
    )
    assert series.online_url and series.location == ""
    assert len(found) == 12
    assert {start.time() for start in london} == {time(15)}
    assert [o.ends_at - o.starts_at for o in found] == [timedelta(minutes=60)] * 12
    # The UK change on 28 March 2027 moves the UTC start from 15:00 to 14:00.
    assert [o.starts_at.astimezone(UTC).hour for o in found] == [15] * 6 + [14] * 6
    assert [start.hour for start in washington] == [10] * 4 + [11] * 2 + [10] * 6
    assert disagree == [False] * 4 + [True] * 2 + [False] * 6
    assert [start.date() for start in london][:7] == [
        date(2027, 2, 18),
        date(2027, 2, 25),
        date(2027, 3, 4),
        date(2027, 3, 11),
        date(2027, 3, 18),
        date(2027, 3, 25),
        date(2027, 4, 1),
    ]
    [moved] = [o for o in found if o.moved]
    [cancelled] = [o for o in found if o.cancelled]
    assert cancelled.original_start == datetime(2027, 4, 15, 14, tzinfo=UTC)
    assert moved.original_start == datetime(2027, 4, 22, 14, tzinfo=UTC)
    assert (moved.starts_at, moved.ends_at) == (
        datetime(2027, 4, 23, 14, tzinfo=UTC),
        datetime(2027, 4, 23, 15, tzinfo=UTC),
    )
    assert series.sequence == 2
    assert await OccurrenceOverride.filter(session=series).count() == 2


@pytest.mark.parametrize(
    ("now", "first_meeting", "disagreement"),
    [
        (
            datetime(2026, 11, 24, 12, tzinfo=UTC),
            date(2027, 2, 18),
            Disagreement(date(2027, 3, 14), date(2027, 3, 28)),
        ),
        # Inside the spring weeks: the next disagreement is the autumn one.
        (
            datetime(2027, 3, 20, 12, tzinfo=UTC),
            date(2027, 10, 7),
            Disagreement(date(2027, 10, 31), date(2027, 11, 7)),
        ),
        # Ten days before the autumn change: the series starts at once.
        (
            datetime(2027, 10, 20, 12, tzinfo=UTC),
            date(2027, 10, 21),
            Disagreement(date(2027, 10, 31), date(2027, 11, 7)),
        ),
        # The day before: too late for a meeting first, so the spring change it is.
        (
            datetime(2027, 10, 30, 12, tzinfo=UTC),
            date(2028, 2, 17),
            Disagreement(date(2028, 3, 12), date(2028, 3, 26)),
        ),
    ],
)
def test_demo_weekly_series_spans_the_next_disagreement_whenever_it_is_loaded(
    now: datetime, first_meeting: date, disagreement: Disagreement
) -> None:
    planned = plan_session(STANDARDS_WORKING_GROUP, now=now)
    found = occurrences(planned.rule, planned.changes)
    kept = [o for o in found if not o.cancelled]
    disagree = [daylight_saving_disagrees(o.starts_at.astimezone(LONDON).date()) for o in kept]

    assert planned.disagreement == disagreement
    assert planned.starts_at.astimezone(LONDON).date() == first_meeting
    assert disagree[0] is False and disagree[-1] is False and True in disagree
    assert {o.starts_at.astimezone(LONDON).time() for o in found} == {time(15)}
    assert sum(o.moved for o in found) == 1
    assert planned.sequence == len(planned.changes)


def test_the_next_disagreement_is_read_from_the_zone_database() -> None:
    assert next_disagreement(date(2026, 11, 25)) == Disagreement(
        date(2027, 3, 14), date(2027, 3, 28)
    )
    assert next_disagreement(date(2027, 3, 20)) == Disagreement(
        date(2027, 10, 31), date(2027, 11, 7)
    )


async def test_demo_monthly_dialogue_meets_on_the_same_date_or_the_next_working_day(
    demo_at_start: None, clock: FixedClock
) -> None:
    series = await Session.get(recurrence=Recurrence.MONTHLY)
    found = await session_occurrences(series)

    assert (series.title, series.timezone, series.visibility) == (
        "Bilateral dialogue on research security",
        "America/New_York",
        Visibility.INVITATION,
    )
    assert [o.starts_at.astimezone(WASHINGTON).date() for o in found] == [
        date(2026, 11, 4),
        date(2026, 12, 4),
        date(2027, 1, 4),
        date(2027, 2, 4),
        date(2027, 3, 4),
        date(2027, 4, 5),  # 4 April 2027 is a Sunday
    ]
    assert {o.starts_at.astimezone(WASHINGTON).time() for o in found} == {time(10)}
    assert [o.moved for o in found] == [False] * 5 + [True]
    assert series.sequence == 1


async def test_demo_has_one_cancelled_session_still_holding_its_registrations(
    demo_at_start: None, clock: FixedClock
) -> None:
    now = clock.now()

    [cancelled] = await Session.filter(status=SessionStatus.CANCELLED)
    registrations = await Registration.filter(session=cancelled)
    assert cancelled.slug == "supply-chain-roundtable-washington"
    assert cancelled.cancelled_at == now - timedelta(days=3)
    assert cancelled.sequence == 1
    assert cancelled.starts_at > now
    assert len(registrations) == 8
    assert all(r.created_at < cancelled.cancelled_at for r in registrations)
    assert await Session.filter(cancelled_at__isnull=False).count() == 1


async def test_demo_full_session_has_every_place_taken_and_four_waiting_in_order(
    demo_at_start: None, clock: FixedClock
) -> None:
    full = await Session.get(slug="standards-industry-roundtable")
    registrations = await Registration.filter(session=full).order_by("created_at")
    statuses = [r.status for r in registrations]

    assert full.capacity == 12
    assert statuses == [RegistrationStatus.REGISTERED] * 12 + [RegistrationStatus.WAITLISTED] * 4
    assert len({r.created_at for r in registrations}) == 16
    assert {r.occurrence_key for r in registrations} == {WHOLE_SERIES}


async def test_demo_registrations_fit_capacity_and_come_before_the_session(
    demo_at_start: None, clock: FixedClock
) -> None:
    now = clock.now()

    sessions = {s.id: s for s in await Session.all()}
    registrations = await Registration.all().prefetch_related("person")
    taken: Counter[tuple[int, str]] = Counter()
    whole: Counter[int] = Counter()
    for registration in registrations:
        session = sessions[registration.session_id]
        assert registration.created_at < min(now, session.starts_at)
        if registration.status == RegistrationStatus.CANCELLED:
            assert registration.cancelled_at is not None
            assert registration.created_at < registration.cancelled_at < now
        else:
            assert registration.cancelled_at is None
        if session.visibility == Visibility.INVITATION:
            assert registration.person.sector == Sector.GOVERNMENT
        if registration.status == RegistrationStatus.REGISTERED:
            if registration.occurrence_key == WHOLE_SERIES:
                whole[session.id] += 1
            else:
                taken[session.id, registration.occurrence_key] += 1
    for session in sessions.values():
        if session.capacity is None:
            continue
        if session.recurrence == Recurrence.NONE:
            assert whole[session.id] <= session.capacity
        for key in {key for (id_, key) in taken if id_ == session.id}:
            assert whole[session.id] + taken[session.id, key] <= session.capacity

    statuses = Counter(r.status for r in registrations)
    assert statuses == {
        RegistrationStatus.REGISTERED: 716,
        RegistrationStatus.WAITLISTED: 4,
        RegistrationStatus.CANCELLED: 12,
    }


async def test_demo_weekly_series_takes_registrations_for_single_meetings(
    demo_at_start: None, clock: FixedClock
) -> None:
    series = await Session.get(recurrence=Recurrence.WEEKLY)
    found = await session_occurrences(series)
    registrations = await Registration.filter(session=series).prefetch_related("person")
    keys = Counter(r.occurrence_key for r in registrations)

    assert sorted(r.person.email for r in registrations if r.occurrence_key == WHOLE_SERIES) == [
        "d.okafor@hub.example",
        "t.becker@standards.example",
    ]
    assert set(keys) - {WHOLE_SERIES} == {
        occurrence_key(o.original_start) for o in found if not o.cancelled
    }
    assert all(6 <= keys[key] <= 12 for key in keys if key != WHOLE_SERIES)
    assert sum(keys.values()) == 115


async def test_demo_stakeholder_is_registered_for_two_coming_sessions(
    demo_at_start: None, clock: FixedClock
) -> None:
    now = clock.now()

    registrations = await Registration.filter(
        person__email="priya.shah@qubits.example"
    ).prefetch_related("session")
    assert sorted(r.session.slug for r in registrations) == [
        "cryogenics-photonics-supply-roundtable",
        "standards-industry-roundtable",
    ]
    assert {r.status for r in registrations} == {RegistrationStatus.REGISTERED}
    assert all(r.session.starts_at > now for r in registrations)


async def test_demo_moderation_publishes_redacts_a_phone_number_and_has_a_not_me_report(
    demo_at_start: None, clock: FixedClock
) -> None:
    published = await Response.filter(publication=Publication.PUBLISHED)
    assert len(published) == 265
    assert all(r.consent != Consent.DO_NOT_PUBLISH for r in published)
    assert await Response.filter(publication=Publication.HELD).count() > 0
    assert (
        await Response.filter(publication=Publication.PENDING, status=ResponseStatus.SUBMITTED)
        .exclude(consent=Consent.DO_NOT_PUBLISH)
        .exists()
    )  # the open calls' moderation queue
    assert await ResponseSearch.all().count() == 265
    [redaction] = await Redaction.all()
    assert redaction.original == PHONE_NUMBER
    assert not await ResponseSearch.filter(body__contains=PHONE_NUMBER).exists()
    [report] = await NotMeReport.all().prefetch_related("response")
    assert report.response.publication == Publication.PUBLISHED


async def test_demo_leaves_a_phone_number_in_the_standards_queue_for_a_moderator(
    demo_at_start: None, clock: FixedClock
) -> None:
    [answer] = await Answer.filter(text__contains=QUEUED_PHONE_NUMBER).prefetch_related("response")
    assert answer.response.publication == Publication.PENDING
    assert answer.response.consent != Consent.DO_NOT_PUBLISH


async def test_demo_campaign_is_found_and_stored_with_each_members_added_text(
    demo_at_start: None, clock: FixedClock
) -> None:
    [campaign] = await Campaign.all()
    assert campaign.size == 80
    assert campaign.template == " ".join(TEMPLATE)
    members = await Response.filter(campaign_id=campaign.id)
    assert len(members) == 80
    assert sum(bool(m.campaign_extra) for m in members) >= 40
