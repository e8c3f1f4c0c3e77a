"""Over the whole demonstration record: the API shows what the public pages show and nothing more.

The demonstration data holds responses in every state — published, held, waiting, not consented,
drafts, withdrawn — with commercially sensitive answers, redacted phone numbers, a form-letter
campaign and comments waiting or rejected. What must be public, and what must not, is worked out
here from the raw rows with plain queries, by the rules of the spec (consent, the moderators'
decision on the published revision, withdrawal, anonymisation, sensitive answers, redactions),
never through the code under test. The API and the published-responses pages must show exactly
the former, and no byte they serve may hold the latter.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from bs4 import BeautifulSoup
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from config.database import tortoise_config
from consult.calls.models import Call, CallState, Question, QuestionKind
from consult.comments.models import Comment, CommentStatus
from consult.moderation.models import Redaction
from consult.responses.models import (
    Answer,
    Consent,
    Publication,
    RespondentType,
    Response,
    ResponseRevision,
    ResponseStatus,
    RevisionAnswer,
)
from core.models import Person
from events.models import OccurrenceOverride, Recurrence, Session, Visibility
from tests.consult.api.conftest import DemoApi

SHORTEST = 12  # shorter strings (a "Yes", a country) may be public elsewhere by coincidence
# The spec's rules, written out here so that a change to the code's own constants cannot move them.
CONSENTS_TO_PUBLISH = {Consent.PUBLISH_NAMED, Consent.PUBLISH_ANONYMOUS}
ANONYMOUS = "Anonymous respondent"
REDACTED = "[redacted]"
LONGEST_RANGE = timedelta(days=366)  # the most the sessions API gives in one request
LONGEST_MONTH = timedelta(days=31)


@dataclass
class Truth:
    # Per public call: its public responses in id order, as the API must show them.
    responses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    redacted: set[str] = field(default_factory=set)
    # Public sessions: how many dates each has; every other session must not be listed.
    session_dates: dict[str, int] = field(default_factory=dict)
    unlisted_sessions: set[str] = field(default_factory=set)
    first_start: datetime | None = None
    last_end: datetime | None = None


def _author(response: Response, revision: ResponseRevision, people: dict[int, Person]) -> str:
    if revision.consent != Consent.PUBLISH_NAMED or response.anonymised_at is not None:
        return ANONYMOUS
    if revision.respondent_type == RespondentType.ORGANISATION and revision.organisation_name:
        return revision.organisation_name
    person = people.get(response.respondent_id) if response.respondent_id else None
    return person.display_name if person else ANONYMOUS


def _stands_published(response: Response, revisions: dict[int, ResponseRevision]) -> bool:
    """Submitted, not withdrawn, and a revision moderators published in which its author consented."""
    published = revisions.get(response.published_revision_id or 0)
    return (
        response.status == ResponseStatus.SUBMITTED
        and response.withdrawn_at is None
        and published is not None
        and published.publication == Publication.PUBLISHED
        and published.consent in CONSENTS_TO_PUBLISH
    )


def _shown_answer(
    answer: RevisionAnswer, question: Question, originals: list[str]
) -> dict[str, Any] | None:
    """The answer as the public sees it, or None when it shows nothing at all."""
    if answer.sensitive or question.kind == QuestionKind.FILE:
        return None
    text = answer.text
    for original in originals:
        assert original in text  # the demo redacts words as written, so a plain replace finds them
        text = text.replace(original, REDACTED)
    if not (text or answer.choices or answer.scale is not None):
        return None
    return {
        "question_id": question.id,
        "text": text,
        "choices": list(answer.choices),
        "scale": answer.scale,
    }


async def _truth(database_url: str) -> Truth:
    EXECUTOR_CACHE.clear()
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        return await _gather_truth()
    finally:
        await Tortoise.close_connections()


async def _gather_truth() -> Truth:
    truth = Truth()
    people = {p.id: p for p in await Person.all()}
    questions = {q.id: q for q in await Question.all()}
    revisions = {r.id: r for r in await ResponseRevision.all()}
    answers_of: dict[int, list[RevisionAnswer]] = defaultdict(list)
    for answer in await RevisionAnswer.all().order_by("id"):
        answers_of[answer.revision_id].append(answer)
    originals: dict[int, list[str]] = defaultdict(list)
    for span in await Redaction.all().order_by("id"):
        originals[span.answer_id].append(span.original)
    truth.redacted = {span for spans in originals.values() for span in spans if len(span) >= 8}

    public_ids: set[int] = set()
    shown_names: set[str] = set()
    for call in await Call.exclude(state=CallState.DRAFT).order_by("id"):
        shown = []
        for response in await Response.filter(call_id=call.id).order_by("id"):
            if not _stands_published(response, revisions):
                continue
            revision = revisions[response.published_revision_id or 0]
            author = _author(response, revision, people)
            shown_names.add(author)
            public_ids.add(response.id)
            in_order = sorted(
                answers_of[revision.id],
                key=lambda a: (questions[a.question_id].position, a.question_id),
            )
            views = (_shown_answer(a, questions[a.question_id], originals[a.id]) for a in in_order)
            shown.append(
                {
                    "id": response.id,
                    "author": author,
                    "respondent_type": str(revision.respondent_type),
                    "sector": str(revision.sector),
                    "country": revision.country,
                    "answers": [view for view in views if view is not None],
                }
            )
        truth.responses[call.slug] = shown

    public_text = "\n".join(
        str(a["text"])
        for shown in truth.responses.values()
        for response in shown
        for a in response["answers"]
    )

    def secret(text: str) -> bool:
        # The demo writes answers from shared sentences: a text may also be part of a public
        # answer, and then it is public through that one.
        return len(text) >= SHORTEST and text not in public_text

    # Every answer of a response that is not public, and every sensitive answer of any response,
    # as the working copy (`Answer`) and every revision keep it.
    unpublished = Answer.exclude(response_id__in=public_ids).values_list("text", flat=True)
    sensitive = Answer.filter(sensitive=True).values_list("text", flat=True)
    for text in [*await unpublished, *await sensitive]:
        if secret(str(text)):
            truth.hidden.add(str(text))
    for revision_answers in answers_of.values():
        for answer in revision_answers:
            public = revisions[answer.revision_id].response_id in public_ids
            if (answer.sensitive or not public) and secret(answer.text):
                truth.hidden.add(answer.text)

    # Names: only a named, published, not anonymised response shows its author's name.
    approved = await Comment.filter(status=CommentStatus.APPROVED).values_list("body", "author_id")
    shown_names.update(people[a].display_name for _body, a in approved if a is not None)
    names_of: dict[int, set[str]] = defaultdict(set)
    for revision in revisions.values():
        names_of[revision.response_id].add(revision.organisation_name)
    for response in await Response.all():
        names = names_of[response.id] | {response.organisation_name}
        if response.respondent_id is not None:
            names.add(people[response.respondent_id].display_name)
        truth.hidden.update(n for n in names if n and n not in shown_names and n not in public_text)

    approved_bodies = {body for body, _author_id in approved}
    unapproved = await Comment.exclude(status=CommentStatus.APPROVED).values_list("body", flat=True)
    truth.hidden.update(str(b) for b in unapproved if secret(str(b)) and b not in approved_bodies)

    await _sessions_truth(truth)
    return truth


async def _sessions_truth(truth: Truth) -> None:
    sessions = await Session.all()
    overrides = await OccurrenceOverride.all()
    truth.hidden.update(s.online_url for s in sessions if s.online_url)
    for session in sessions:
        if session.visibility != Visibility.PUBLIC:
            truth.unlisted_sessions.add(session.slug)
        elif session.recurrence == Recurrence.NONE:
            truth.session_dates[session.slug] = 1
        else:
            assert session.recurrence_count, f"{session.slug}: this test counts series by count"
            truth.session_dates[session.slug] = session.recurrence_count
    # A generous span holding every date: a series of `count` dates lasts less than `count`
    # months, and a moved date may go anywhere its override says.
    truth.first_start = min(
        [s.starts_at for s in sessions] + [o.starts_at for o in overrides if o.starts_at]
    )
    truth.last_end = max(
        [s.ends_at + LONGEST_MONTH * (s.recurrence_count or 0) for s in sessions]
        + [o.ends_at for o in overrides if o.ends_at]
    )


def _all_pages(url: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        page = httpx.get(next_url).json()
        items.extend(page["data"])
        following = page["links"]["next"]
        next_url = f"{url.split('/api/')[0]}{following}" if following else None
    return items


def _html_pages(url: str) -> tuple[list[int], list[str]]:
    """The response ids every page of the published-responses list shows, and those pages' text."""
    ids: list[int] = []
    texts: list[str] = []
    number = 1
    while True:
        page = BeautifulSoup(httpx.get(url, params={"page": number}).text, "html.parser")
        on_page = [
            int(str(a["id"]).removeprefix("response-"))
            for a in page.select("article.published-response")
        ]
        if not on_page or (ids and on_page[0] <= ids[-1]):  # past the last page: the last again
            return ids, texts
        ids.extend(on_page)
        texts.append(page.get_text())
        number += 1


def _as_public(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item["id"],
        "author": item["author"],
        "respondent_type": item["respondent_type"],
        "sector": item["sector"],
        "country": item["country"],
        "answers": [
            {k: answer[k] for k in ("question_id", "text", "choices", "scale")}
            for answer in item["answers"]
        ],
    }


def _served_sessions(base_url: str, truth: Truth) -> tuple[dict[str, set[str]], list[str]]:
    """Every date of every listed session from before the first to after the last, a year a time."""
    assert truth.first_start is not None and truth.last_end is not None
    dates: dict[str, set[str]] = defaultdict(set)
    served: list[str] = []
    start = truth.first_start.date()
    while start < truth.last_end.date() + timedelta(days=1):
        answer = httpx.get(
            f"{base_url}/api/v1/sessions",
            params={"from": str(start), "to": str(start + LONGEST_RANGE)},
        )
        assert answer.status_code == 200, answer.text
        served.append(answer.text)
        for item in answer.json()["data"]:
            dates[item["slug"]].update(o["original_start"] for o in item["occurrences"])
        start += LONGEST_RANGE
    return dates, served


def test_the_api_never_shows_what_the_public_pages_hide(demo_api: DemoApi) -> None:
    truth = asyncio.run(_truth(demo_api.database_url))
    assert sum(len(shown) for shown in truth.responses.values()) >= 200
    # The demo has secrets to keep, or this proves nothing.
    assert truth.hidden and truth.redacted and truth.unlisted_sessions
    assert any(
        REDACTED in a["text"] for s in truth.responses.values() for r in s for a in r["answers"]
    )

    served: list[str] = []
    for slug, expected in truth.responses.items():
        api = f"{demo_api.base_url}/api/v1/calls/{slug}"
        responses = _all_pages(f"{api}/responses?limit=100")
        assert [_as_public(r) for r in responses] == expected, slug
        on_pages, page_texts = _html_pages(f"{demo_api.base_url}/calls/{slug}/responses/")
        assert on_pages == [r["id"] for r in expected], slug
        served.extend(page_texts)
        served.append(str(responses))
        served.append(httpx.get(api).text)
        served.append(httpx.get(f"{api}/comments").text)

    dates, session_pages = _served_sessions(demo_api.base_url, truth)
    served.extend(session_pages)
    assert {slug: len(starts) for slug, starts in dates.items()} == truth.session_dates

    everything = "\n".join(served)
    leaks = sorted(s for s in truth.hidden | truth.redacted if s in everything)
    assert leaks == []
