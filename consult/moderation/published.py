"""The published responses of a call: filters, full-text search and pages, all done in SQL.

Which responses are public, and what of them, is decided by `consult.moderation.public` alone:
the set comes from `public_responses_of` and every response shown passes through `public_views`.
This module only narrows that set (sector, country, respondent type, search terms) and pages it,
in one indexed query for the count and one for the page, whatever the number of responses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tortoise.expressions import F, Subquery
from tortoise.queryset import QuerySet

from consult.calls.models import Call
from consult.moderation.public import (
    PUBLIC_VIEW_FIELDS,
    PublicResponse,
    public_responses_of,
    public_views,
)
from consult.moderation.search import Matching, search_terms
from consult.responses.models import RespondentType, Response, ResponseRevision
from core.vocabulary import Sector, countries, country_name

PAGE_SIZE = 20
# A search page reached by walking at most this many published responses in order is found that
# way; any other is found by sorting the search's matches.
WALK_AT_MOST = 100
QUERY_MAX = 200
LARGEST_ID = 2**31 - 1  # an id past PostgreSQL's integer would be an error, not "not found"


class BadFilter(ValueError):
    """A filter value that is not one of the choices; the message says which, for a 400 page."""


@dataclass(frozen=True)
class Filters:
    sector: Sector | None = None
    country: str | None = None
    respondent_type: RespondentType | None = None
    query: str = ""

    @property
    def terms(self) -> list[str]:
        return search_terms(self.query)

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def active(self) -> bool:
        return bool(self.sector or self.country or self.respondent_type or self.terms)

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Filters:
        """From `?sector=&country=&type=&q=`: empty means any; an unknown value is a BadFilter."""
        sector = params.get("sector", "").strip()
        if sector and sector not in {s.value for s in Sector}:
            raise BadFilter("Choose a sector from the list.")
        country = params.get("country", "").strip().upper()
        if country and not country_name(country):
            raise BadFilter("Choose a country from the list.")
        kind = params.get("type", "").strip()
        if kind and kind not in {t.value for t in RespondentType}:
            raise BadFilter("Choose individuals or organisations.")
        return cls(
            sector=Sector(sector) if sector else None,
            country=country or None,
            respondent_type=RespondentType(kind) if kind else None,
            query=params.get("q", "").strip()[:QUERY_MAX],
        )

    def as_params(self) -> dict[str, str]:
        """The filters as query parameters, for links to other pages of the same results."""
        return {
            "sector": self.sector.value if self.sector else "",
            "country": self.country or "",
            "type": self.respondent_type.value if self.respondent_type else "",
            "q": self.query,
        }


def published_responses(call: Call, filters: Filters) -> QuerySet[Response]:
    """The public responses of `call` that pass `filters` (a query: nothing is loaded yet)."""
    query = public_responses_of(call)
    # On the published revision's details: the response row holds the latest, maybe unmoderated.
    # A subquery rather than a join keeps "id" unambiguous for the ordering below.
    details = {
        name: value
        for name, value in (
            ("sector", filters.sector),
            ("country", filters.country),
            ("respondent_type", filters.respondent_type),
        )
        if value is not None
    }
    if details:
        revisions = ResponseRevision.filter(**details)
        query = query.filter(published_revision_id__in=Subquery(revisions.values("id")))
    terms = filters.terms
    if terms:
        query = query.filter(id__in=Matching(terms))
    return query


@dataclass(frozen=True)
class PublishedPage:
    responses: list[PublicResponse]
    number: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def first(self) -> int:
        """The position of the first response on this page among all results (1-based)."""
        return (self.number - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last(self) -> int:
        return (self.number - 1) * PAGE_SIZE + len(self.responses)


async def published_page(
    call: Call, filters: Filters, page: int, *, published_total: int | None = None
) -> PublishedPage:
    """One page of results, oldest response first; a page past the end shows the last one.

    `published_total`, the number of published responses if the caller knows it, saves counting
    them again when no filter narrows the list, and tells a common search word from a rare one.
    """
    query = published_responses(call, filters)
    if published_total is not None and not filters.active:
        total = published_total
    else:
        total = await query.count()
    number = min(max(1, page), max(1, -(-total // PAGE_SIZE)))
    # Rows PostgreSQL would walk in id order to reach the end of this page, checking each.
    walked = number * PAGE_SIZE * max(published_total or 0, total) / max(total, 1)
    if filters.terms and walked > WALK_AT_MOST:
        # Ordered by "id" + 0, not "id", or PostgreSQL may walk responses in id order running
        # to_tsvector() on each (0.2 ms a row) until it finds the page: 1.3 s for a word in 0.1%
        # of 100,000, 1.7 s for page 500 of a word in 80%. Sorting the matches takes a few ms
        # to 86 ms (80,000 of them). The first pages of a common word are found in the first
        # rows walked (5 ms). SQLite sorts either way.
        query = query.annotate(position=F("id") + 0).order_by("position", "id")
    else:
        query = query.order_by("id")
    rows = await query.offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE).only(*PUBLIC_VIEW_FIELDS)
    return PublishedPage(await public_views(rows), number, total)


async def published_count(call: Call) -> int:
    return await public_responses_of(call).count()


async def published_countries(call: Call) -> list[tuple[str, str]]:
    """(code, name) of the countries that published responses come from, US and UK first."""
    codes = ResponseRevision.filter(
        id__in=Subquery(public_responses_of(call).values("published_revision_id"))
    ).values_list("country", flat=True)
    present = set(await codes)
    return [(code, name) for code, name in countries() if code in present]


async def published_response(
    call: Call, response_id: int
) -> tuple[Response, PublicResponse] | None:
    """A public response of `call` with its public view, or None when there is none to show."""
    if not 0 < response_id <= LARGEST_ID:
        return None
    response = await public_responses_of(call).get_or_none(id=response_id)
    views = await public_views([response]) if response is not None else []
    return (response, views[0]) if response is not None and views else None
