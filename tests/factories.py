"""Real rows for tests: topics, calls with one question of every kind, verified stakeholders,
people, responses, sessions and registrations written straight to the database."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from starlette.applications import Starlette

from consult.calls.models import Call, CallState, Question, QuestionKind
from consult.responses.models import Answer, Response, ResponseStatus
from consult.responses.revisions import record_submitted
from core.models import Person, Topic
from core.vocabulary import Role
from events.models import Recurrence, Registration, Session
from tests.support import NewAccount, sign_up

FIRST_DATE = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 3pm in London, 10am in Washington
TINY_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


async def make_topic(slug: str = "standards", name: str = "Standards") -> Topic:
    topic, _ = await Topic.get_or_create(
        slug=slug, defaults={"name": name, "summary": f"About {name}."}
    )
    return topic


async def make_call(
    now: datetime,
    *,
    slug: str = "quantum-standards",
    opens_in: timedelta = timedelta(days=-1),
    closes_in: timedelta = timedelta(days=10),
    state: CallState = CallState.PUBLISHED,
    with_questions: bool = True,
) -> Call:
    call = await Call.create(
        slug=slug,
        topic=await make_topic(),
        title="Where are quantum standards needed?",
        summary="Tell us which measurements and interfaces need common standards.",
        body="## Background\n\nThe joint statement asks where **standards** are needed.",
        timezone="Europe/London",
        opens_at=now + opens_in,
        closes_at=now + closes_in,
        state=state,
    )
    if with_questions:
        await Question.bulk_create(
            [
                Question(
                    call=call,
                    position=1,
                    kind=QuestionKind.LONG_TEXT,
                    prompt="Which standards are most needed?",
                    required=True,
                    word_limit=50,
                ),
                Question(
                    call=call, position=2, kind=QuestionKind.SHORT_TEXT, prompt="Your job title"
                ),
                Question(
                    call=call,
                    position=3,
                    kind=QuestionKind.SINGLE_CHOICE,
                    prompt="Who should lead?",
                    required=True,
                    options=["NIST", "NPL", "Jointly"],
                ),
                Question(
                    call=call,
                    position=4,
                    kind=QuestionKind.MULTIPLE_CHOICE,
                    prompt="Which areas matter?",
                    options=["Metrology", "Interfaces", "Benchmarks"],
                ),
                Question(
                    call=call,
                    position=5,
                    kind=QuestionKind.SCALE,
                    prompt="How urgent is this?",
                    required=True,
                ),
                Question(
                    call=call, position=6, kind=QuestionKind.FILE, prompt="Supporting evidence"
                ),
            ]
        )
    return call


async def questions_by_kind(call: Call) -> dict[QuestionKind, Question]:
    return {QuestionKind(q.kind): q for q in await Question.filter(call_id=call.id)}


async def verified_stakeholder(
    client: httpx.AsyncClient, email: str = "ada.lovelace@example.org", now: datetime | None = None
) -> Person:
    """Sign `client` up and confirm the address (the verification flow has its own tests)."""
    await sign_up(client, NewAccount(email=email))
    await Person.filter(email=email).update(verified_at=now or datetime.now().astimezone())
    return await Person.get(email=email)


async def organiser_of(
    call: Call, client: httpx.AsyncClient, email: str = "organiser@example.gov"
) -> Person:
    person = await verified_stakeholder(client, email)
    await Person.filter(id=person.id).update(role=Role.ORGANISER)
    await call.team.add(person)
    return await Person.get(id=person.id)


async def person_with_role(
    client: httpx.AsyncClient, email: str, role: Role, name: str = "Rosalind Franklin"
) -> Person:
    """Sign `client` up as a person with this role (unverified, as sign-up leaves them)."""
    await sign_up(client, NewAccount(email=email, display_name=name))
    await Person.filter(email=email).update(role=role)
    return await Person.get(email=email)


async def organiser(client: httpx.AsyncClient, email: str = "rosalind@example.gov") -> Person:
    return await person_with_role(client, email, Role.ORGANISER)


@asynccontextmanager
async def second_browser(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """Another person's browser on the same app (its own cookies and address)."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.20", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        yield other


async def make_person(
    email: str, name: str = "Ada Lovelace", *, role: Role = Role.STAKEHOLDER, **fields: Any
) -> Person:
    """A person straight in the database (no sign-up), for tests of jobs and mail."""
    fields.setdefault("password_hash", "x")
    return await Person.create(email=email, display_name=name, role=role, **fields)


async def make_response(
    call: Call,
    person: Person | None,
    answers: Mapping[QuestionKind, Mapping[str, Any]] | None = None,
    *,
    status: ResponseStatus = ResponseStatus.DRAFT,
    **fields: Any,
) -> Response:
    """A response straight in the database, answered as `answers` says (question kind → Answer
    fields). One with a revision number in `fields` (a submitted one has 1) gets that revision
    recorded as if it had been submitted (`record_submitted`)."""
    response = await Response.create(call=call, respondent=person, status=status, **fields)
    if answers:
        questions = await questions_by_kind(call)
        for kind, values in answers.items():
            await Answer.create(response=response, question=questions[kind], **values)
    if response.revision:
        await record_submitted(response)
    return response


async def make_session(
    slug: str = "roundtable-on-quantum-standards",
    starts_at: datetime = FIRST_DATE,
    *,
    title: str = "",
    minutes: int = 90,
    zone: str = "Europe/London",
    count: int | None = None,
    topics: Sequence[Topic] = (),
    **fields: Any,
) -> Session:
    """A session straight in the database, `minutes` long, titled after its slug unless `title`
    says otherwise ("Roundtable on quantum standards"); `count` is the number of dates of a
    series (with `recurrence=`); any other field of Session as a keyword."""
    session = await Session.create(
        slug=slug,
        title=title or slug.replace("-", " ").capitalize(),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        timezone=zone,
        recurrence_count=count,
        **fields,
    )
    if topics:
        await session.topics.add(*topics)
    return session


async def weekly_session(
    slug: str, starts_at: datetime, zone: str, count: int, **fields: Any
) -> Session:
    """A weekly series of `count` dates from `starts_at`, at that wall-clock time in `zone`."""
    return await make_session(
        slug, starts_at, zone=zone, recurrence=Recurrence.WEEKLY, count=count, **fields
    )


async def make_registration(person: Person, session: Session, **fields: Any) -> Registration:
    """A registration straight in the database (no rules, no mail): the whole series and
    registered unless `fields` say otherwise (`occurrence_key=`, `status=`...)."""
    return await Registration.create(session=session, person=person, **fields)
