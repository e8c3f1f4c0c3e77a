"""Write the demonstration data into the open database: one transaction, bulk inserts, safe twice.

Nothing that exists is made again: people are matched by email, calls and sessions by slug. A
call's questions, responses and comments, and a session's changed occurrences and registrations, are
written only together with the call or the session itself.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from consult.accounts.passwords import hash_password
from consult.analysis.services import detect_campaigns
from consult.calls.models import Call, Question
from consult.comments.models import Comment, CommentStatus
from consult.demo.calls import CALLS, CAMPAIGN_CALL
from consult.demo.campaign import COALITION
from consult.demo.comments import COMMENTS
from consult.demo.moderation import moderate_demo
from consult.demo.people import (
    ADMIN_EMAIL,
    DEMO_PASSWORDS,
    ORGANISER_EMAIL,
    PEOPLE,
    RESPONDENT_COUNT,
    STAKEHOLDER_EMAIL,
    RespondentProfile,
    respondent_email,
    respondent_profiles,
)
from consult.demo.responses import plan_responses
from consult.demo.schedule import PlannedSession, crossing_summary
from consult.demo.session_loader import load_sessions, session_slugs
from consult.demo.sessions import SESSIONS
from consult.demo.specs import HOW_WE_USE_RESPONSES, CallSpec
from consult.demo.topics import TOPICS
from consult.responses.models import Answer, Response, ResponseStatus
from consult.responses.tracking import new_tracking_number
from core.models import Person, Topic
from core.notifications.models import Notification
from core.vocabulary import Role
from events.invitation_mail import invitation_key
from events.models import Registration

# Everything made up (names, answers, times) comes from this seed, so every load looks the same.
SEED = 2026
BATCH = 1000

Progress = Callable[[str], None]


@dataclass
class _Added:
    people: int = 0
    calls: int = 0
    responses: int = 0
    campaign: int = 0
    comments: int = 0
    published: int = 0
    sessions: list[PlannedSession] = field(default_factory=list)
    registrations: int = 0

    @property
    def anything(self) -> bool:
        return any((self.people, self.calls, self.responses, self.comments, self.sessions))


class _PasswordHashes:
    """Each demo password hashed at most once per load: Argon2 is slow on purpose."""

    def __init__(self) -> None:
        self._hashes: dict[Role, str] = {}

    async def of(self, roles: Iterable[Role]) -> dict[Role, str]:
        for role in set(roles) - self._hashes.keys():
            self._hashes[role] = await hash_password(DEMO_PASSWORDS[role])
        return self._hashes


async def load_demo(
    *, now: datetime, only_if_empty: bool = False, progress: Progress | None = None
) -> str:
    """Add whatever demonstration data is missing, reporting each step to `progress`; return a
    summary with the development accounts. A second run adds nothing and says so."""
    say = progress or _quiet
    if only_if_empty and await Person.exists():
        return "The database already has people: demonstration data not loaded."
    profiles = respondent_profiles(random.Random(SEED))  # noqa: S311 (made-up data, not secrets)
    added = _Added()
    async with in_transaction():
        await _load_topics()
        say(f"  topics: {len(TOPICS)}")
        hashes = _PasswordHashes()
        added.people = await _load_named_people(now, hashes)
        respondents, added_respondents = await _load_respondents(profiles, now, hashes)
        added.people += added_respondents
        say(f"  people: {len(PEOPLE)} named, {len(profiles)} respondents ({added.people} new)")
        organiser = await Person.get(email=ORGANISER_EMAIL)
        created = await _load_calls(now, organiser)
        added.calls = len(created)
        say(f"  calls: {len(CALLS)} ({added.calls} new)")
        added.responses, added.campaign = await _load_responses(
            created, profiles, respondents, now, say
        )
        added.comments = await _load_comments([call for _, call, _ in created], organiser, now)
        say(f"  comments: {added.comments} new")
        added.published = await moderate_demo([call for _, call, _ in created], organiser, now)
        say(f"  moderation: {added.published} responses published")
        for _, call, _ in created:
            if call.slug == CAMPAIGN_CALL.slug:
                found = await detect_campaigns(call, now=now)
                say(f"  campaigns: {found.message}")
        added.sessions, added.registrations = await load_sessions(
            now=now, organiser=organiser, profiles=profiles, seed=SEED, batch=BATCH
        )
        say(
            f"  sessions: {len(SESSIONS)} ({len(added.sessions)} new), "
            f"{added.registrations} new registrations"
        )
        await _invitations_already_sent(now)
        in_all = _InAll(
            people=len(PEOPLE) + len(profiles),
            responses=await Response.filter(call__slug__in=[c.slug for c in CALLS]).count(),
            registrations=await Registration.filter(session__slug__in=session_slugs()).count(),
        )
    return _summary(added, in_all)


def _quiet(line: str) -> None:
    pass


async def _load_topics() -> None:
    for position, (slug, name, summary, description) in enumerate(TOPICS):
        await Topic.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "summary": summary,
                "description": description,
                "position": position,
            },
        )


async def _missing_emails(emails: Iterable[str]) -> set[str]:
    wanted = set(emails)
    return wanted - set(await Person.filter(email__in=wanted).values_list("email", flat=True))


async def _load_named_people(now: datetime, hashes: _PasswordHashes) -> int:
    missing = await _missing_emails(demo.email for demo in PEOPLE)
    hashed = await hashes.of(demo.role for demo in PEOPLE if demo.email in missing)
    await Person.bulk_create(
        Person(
            email=demo.email,
            display_name=demo.display_name,
            role=demo.role,
            organisation=demo.organisation,
            sector=demo.sector,
            country=demo.country,
            verified_at=now,
            password_hash=hashed[demo.role],
        )
        for demo in PEOPLE
        if demo.email in missing
    )
    return len(missing)


async def _load_respondents(
    profiles: list[RespondentProfile], now: datetime, hashes: _PasswordHashes
) -> tuple[dict[str, int], int]:
    """Person ids by email for every generated respondent, and how many were new."""
    missing = await _missing_emails(profile.email for profile in profiles)
    hashed = await hashes.of([Role.STAKEHOLDER] if missing else [])
    await Person.bulk_create(
        (
            Person(
                email=profile.email,
                display_name=profile.display_name,
                role=Role.STAKEHOLDER,
                organisation=profile.organisation,
                sector=profile.sector,
                country=profile.country,
                verified_at=now,
                password_hash=hashed[Role.STAKEHOLDER],
            )
            for profile in profiles
            if profile.email in missing
        ),
        batch_size=BATCH,
    )
    emails = [profile.email for profile in profiles]
    ids = await Person.filter(email__in=emails).values_list("email", "id")
    return {email: person_id for email, person_id in ids}, len(missing)


async def _load_calls(
    now: datetime, organiser: Person
) -> list[tuple[CallSpec, Call, dict[int, int]]]:
    """The calls not yet in the database, created with their questions (ids by position)."""
    slugs = [spec.slug for spec in CALLS]
    existing = set(await Call.filter(slug__in=slugs).values_list("slug", flat=True))
    topics = {topic.slug: topic for topic in await Topic.all()}
    created = []
    for spec in CALLS:
        if spec.slug in existing:
            continue
        opens_at = spec.opens_at(now)
        call = await Call.create(
            slug=spec.slug,
            topic=topics[spec.topic],
            title=spec.title,
            summary=spec.summary,
            body=spec.body + HOW_WE_USE_RESPONSES,
            timezone=spec.timezone,
            opens_at=opens_at,
            closes_at=spec.closes_at(now),
            state=spec.state,
            outcome=spec.outcome,
            outcome_published_at=spec.outcome_published_at(now),
            created_by=organiser,
            created_at=min(now, opens_at) - timedelta(days=7),
        )
        # As if the scheduler had followed the call all along: its first pass records no moves.
        call.recorded_phase = call.phase(now)
        await call.save(update_fields=["recorded_phase"])
        await call.team.add(organiser)
        created.append((spec, call))
    await Question.bulk_create(
        Question(
            call=call,
            position=position,
            kind=question.kind,
            prompt=question.prompt,
            help_text=question.help_text,
            required=question.required,
            word_limit=question.word_limit,
            options=list(question.options),
        )
        for spec, call in created
        for position, question in enumerate(spec.questions)
    )
    rows = await Question.filter(call_id__in=[call.id for _, call in created]).values_list(
        "call_id", "position", "id"
    )
    questions: dict[int, dict[int, int]] = {call.id: {} for _, call in created}
    for call_id, position, question_id in rows:
        questions[call_id][position] = question_id
    return [(spec, call, questions[call.id]) for spec, call in created]


async def _load_responses(
    created: list[tuple[CallSpec, Call, dict[int, int]]],
    profiles: list[RespondentProfile],
    respondents: dict[str, int],
    now: datetime,
    say: Progress,
) -> tuple[int, int]:
    """Responses and their answers for the new calls; returns (responses, campaign letters)."""
    total = sum(spec.responses for spec, _, _ in created)
    done = campaign = 0
    numbers: set[str] = set()
    for spec, call, questions in created:
        if not spec.responses:
            continue
        plan = plan_responses(spec, profiles, now=now, seed=SEED)
        await Response.bulk_create(
            (
                Response(
                    call=call,
                    respondent_id=respondents[planned.profile.email],
                    status=planned.status,
                    tracking_number=_tracking_number(planned.submitted_at, numbers),
                    respondent_type=planned.respondent_type,
                    organisation_name=planned.organisation_name,
                    sector=planned.profile.sector,
                    country=planned.profile.country,
                    consent=planned.consent,
                    details_confirmed=planned.status != ResponseStatus.DRAFT,
                    revision=0 if planned.submitted_at is None else 1,
                    submitted_at=planned.submitted_at,
                    last_submitted_at=planned.submitted_at,
                    withdrawn_at=planned.withdrawn_at,
                    created_at=planned.created_at,
                )
                for planned in plan
            ),
            batch_size=BATCH,
        )
        # bulk_create leaves primary keys unset: read them back by the (call, respondent) key.
        ids = dict(await Response.filter(call=call).values_list("respondent_id", "id"))
        await Answer.bulk_create(
            (
                Answer(
                    response_id=ids[respondents[planned.profile.email]],
                    question_id=questions[answer.position],
                    text=answer.text,
                    choices=list(answer.choices),
                    scale=answer.scale,
                    sensitive=answer.sensitive,
                    created_at=planned.created_at,
                )
                for planned in plan
                for answer in planned.answers
            ),
            batch_size=BATCH,
        )
        done += len(plan)
        campaign += sum(planned.in_campaign for planned in plan)
        say(f"  responses: {done}/{total} ({spec.slug})")
    return done, campaign


def _tracking_number(submitted_at: datetime | None, taken: set[str]) -> str | None:
    """A fresh number for a response that was ever submitted; drafts have none."""
    if submitted_at is None:
        return None
    number = new_tracking_number(submitted_at.year)
    while number in taken:
        number = new_tracking_number(submitted_at.year)
    taken.add(number)
    return number


async def _load_comments(calls: list[Call], organiser: Person, now: datetime) -> int:
    """The comments (and replies) on calls created by this load."""
    by_slug = {call.slug: call for call in calls}
    wanted = [spec for spec in COMMENTS if spec.call in by_slug]
    emails = {spec.author for spec in wanted} | {
        author for spec in wanted for author, _, _ in spec.replies
    }
    authors = dict(await Person.filter(email__in=emails).values_list("email", "id"))
    replies = []
    for spec in wanted:
        posted = now - timedelta(days=spec.days_ago)
        moderated = spec.status != CommentStatus.PENDING
        parent = await Comment.create(
            call=by_slug[spec.call],
            author_id=authors[spec.author],
            body=spec.body,
            status=spec.status,
            moderated_by=organiser if moderated else None,
            moderated_at=min(now, posted + timedelta(hours=2)) if moderated else None,
            created_at=posted,
        )
        for author, hours_later, body in spec.replies:
            replied = posted + timedelta(hours=hours_later)
            replies.append(
                Comment(
                    call=parent.call,
                    author_id=authors[author],
                    parent=parent,
                    body=body,
                    status=CommentStatus.APPROVED,
                    moderated_by=organiser,
                    moderated_at=min(now, replied + timedelta(hours=1)),
                    created_at=replied,
                )
            )
    await Comment.bulk_create(replies)
    return len(wanted) + len(replies)


@dataclass(frozen=True)
class _InAll:
    people: int
    responses: int
    registrations: int


def _summary(added: _Added, in_all: _InAll) -> str:
    lines = [
        f"Demonstration data: {len(TOPICS)} topics, "
        f"{added.people} new people ({in_all.people} in all), "
        f"{added.calls} new calls ({len(CALLS)} in all), "
        f"{added.responses} new responses ({in_all.responses} in all), "
        f"{added.comments} new comments, {added.published} responses published, "
        f"{len(added.sessions)} new sessions ({len(SESSIONS)} in all), "
        f"{added.registrations} new registrations ({in_all.registrations} in all)."
    ]
    if added.campaign:
        lines.append(
            f"Form-letter campaign: {added.campaign} responses to “{CAMPAIGN_CALL.title}” "
            f"send the {COALITION} letter."
        )
    lines += [crossing_summary(session) for session in added.sessions if session.disagreement]
    if not added.anything:
        lines.append("Nothing new was added: the demonstration data was already there.")
    first, last = respondent_email(1), respondent_email(RESPONDENT_COUNT)
    lines += [
        "Development accounts (never use these passwords anywhere real):",
        f"  admin        {ADMIN_EMAIL:<29} {DEMO_PASSWORDS[Role.ADMIN]}",
        f"  organiser    {ORGANISER_EMAIL:<29} {DEMO_PASSWORDS[Role.ORGANISER]}",
        f"  stakeholder  {STAKEHOLDER_EMAIL:<29} {DEMO_PASSWORDS[Role.STAKEHOLDER]}",
        f"  respondents  {first} to {last}: the stakeholder password",
    ]
    return "\n".join(lines)


async def _invitations_already_sent(now: datetime) -> None:
    """Demo participants were invited when they registered: record those invitations as sent.

    Without this the first scheduler pass after `make run` would mail hundreds of invitations
    (written as .eml files) at start-up. New registrations made in the demo still get theirs.
    """
    places = await Registration.all().select_related("session", "person")
    keys = {invitation_key(place): place for place in places}
    existing = set(await Notification.filter(key__in=list(keys)).values_list("key", flat=True))
    await Notification.bulk_create(
        [
            Notification(
                key=key,
                kind="session_invitation",
                person_id=place.person_id,
                recipient=place.person.email,
                subject=f"Invitation: {place.session.title}",
                text="(demonstration data: recorded as sent, never mailed)",
                due_at=now,
                sent_at=now,
            )
            for key, place in keys.items()
            if key not in existing
        ],
        batch_size=BATCH,
    )
