"""Read-only questions the pages ask of the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from core.models import Person, Topic

ItemT = TypeVar("ItemT")
ModelT = TypeVar("ModelT", bound=Model)


async def topics_in_order() -> list[Topic]:
    return await Topic.all().order_by("position", "name")


async def topic_by_slug(slug: str) -> Topic | None:
    return await Topic.get_or_none(slug=slug)


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    """One page of a longer list; `number` counts from 1."""

    items: list[ItemT]
    number: int
    total: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


async def paginate(query: QuerySet[ModelT], *, page: int, size: int) -> Page[ModelT]:
    """Page `page` of an ordered query (a page past the end shows the last one)."""
    total = await query.count()
    number = min(max(1, page), max(1, -(-total // size)))
    items = await query.offset((number - 1) * size).limit(size)
    return Page(list(items), number, total, size)


async def people_matching(search: str, *, page: int, size: int = 50) -> Page[Person]:
    """People whose name, email or organisation contains `search`, newest first, one page."""
    query = Person.all()
    if search:
        query = query.filter(
            Q(display_name__icontains=search)
            | Q(email__icontains=search)
            | Q(organisation__icontains=search)
        )
    return await paginate(query.order_by("-created_at", "-id"), page=page, size=size)
