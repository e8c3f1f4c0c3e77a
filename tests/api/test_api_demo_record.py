"""Over the whole demonstration record: the API shows what the public pages show and nothing more.

The demonstration data holds responses in every state — published, held, waiting, not consented,
drafts, withdrawn — with commercially sensitive answers, redacted phone numbers, a form-letter
campaign and comments waiting or rejected. Everything the public must not see is gathered from
the database, then looked for in every byte the API serves.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import httpx
from bs4 import BeautifulSoup
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from config.database import tortoise_config
from consult.calls.queries import public_calls
from consult.comments.models import Comment, CommentStatus
from consult.moderation.models import Redaction
from consult.moderation.public import public_responses_of, public_views
from consult.responses.models import Answer, Consent, Response
from events.models import Session
from tests.api.conftest import DemoApi

SHORTEST = 12  # shorter strings (a "Yes", a country) may be public elsewhere by coincidence


@dataclass
class Truth:
    public_ids: dict[str, list[int]] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    redacted: set[str] = field(default_factory=set)


async def _truth(database_url: str) -> Truth:
    EXECUTOR_CACHE.clear()
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        truth = Truth()
        shown_text: set[str] = set()
        shown_names: set[str] = set()
        for call in await public_calls():
            public = await public_responses_of(call).order_by("id").prefetch_related("respondent")
            truth.public_ids[call.slug] = [r.id for r in public]
            shown_names.update(view.author for view in await public_views(list(public)))
            shown_text.update(
                await Answer.filter(
                    response_id__in=[r.id for r in public], sensitive=False
                ).values_list("text", flat=True)
            )
        truth.redacted = {r.original for r in await Redaction.all() if len(r.original) >= 8}
        sensitive = await Answer.filter(sensitive=True).values_list("text", flat=True)
        # The demo writes answers from shared sentences: a sensitive answer may also be part of
        # another, public answer, and then it is public through that one.
        public_words = "\n".join(shown_text)
        truth.hidden.update(t for t in sensitive if len(t) >= SHORTEST and t not in public_words)
        anonymous = await Response.filter(consent=Consent.PUBLISH_ANONYMOUS).prefetch_related(
            "respondent"
        )
        truth.hidden.update(
            r.respondent.display_name
            for r in anonymous
            if r.respondent and r.respondent.display_name not in shown_names
        )
        approved = set(
            await Comment.filter(status=CommentStatus.APPROVED).values_list("body", flat=True)
        )
        unapproved = await Comment.exclude(status=CommentStatus.APPROVED).values_list(
            "body", flat=True
        )
        truth.hidden.update(b for b in unapproved if len(b) >= SHORTEST and b not in approved)
        truth.hidden.update(
            u for u in await Session.all().values_list("online_url", flat=True) if u
        )
        return truth
    finally:
        await Tortoise.close_connections()


def _all_pages(url: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    next_url: str | None = url
    while next_url:
        page = httpx.get(next_url).json()
        items.extend(page["data"])
        following = page["links"]["next"]
        next_url = f"{url.split('/api/')[0]}{following}" if following else None
    return items


def test_the_api_never_shows_what_the_public_pages_hide(demo_api: DemoApi) -> None:
    truth = asyncio.run(_truth(demo_api.database_url))
    assert sum(len(ids) for ids in truth.public_ids.values()) >= 200
    assert truth.hidden and truth.redacted  # the demo has secrets to keep, or this proves nothing

    served: list[str] = []
    for slug, public_ids in truth.public_ids.items():
        api = f"{demo_api.base_url}/api/v1/calls/{slug}"
        responses = _all_pages(f"{api}/responses?limit=100")
        assert [r["id"] for r in responses] == public_ids, slug
        page = BeautifulSoup(
            httpx.get(f"{demo_api.base_url}/calls/{slug}/responses/").text, "html.parser"
        )
        on_page = [
            int(str(a["id"]).removeprefix("response-"))
            for a in page.select("article.published-response")
        ]
        assert on_page == public_ids[: len(on_page)], slug
        served.append(str(responses))
        served.append(httpx.get(api).text)
        served.append(httpx.get(f"{api}/comments").text)
    for year in (2026, 2027):
        served.append(
            httpx.get(
                f"{demo_api.base_url}/api/v1/sessions",
                params={"from": f"{year}-01-01", "to": f"{year}-12-31"},
            ).text
        )
    everything = "\n".join(served)

    leaks = sorted(s for s in truth.hidden | truth.redacted if s in everything)
    assert leaks == []
    assert "[redacted]" in everything
