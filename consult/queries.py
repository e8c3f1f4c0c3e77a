"""Read-only questions the pages ask of the database."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q

from consult.models import Person, Topic


async def topics_in_order() -> list[Topic]:
    return await Topic.all().order_by("position", "name")


async def topic_by_slug(slug: str) -> Topic | None:
    return await Topic.get_or_none(slug=slug)


@dataclass(frozen=True)
class Page:
    items: list[Person]
    number: int
    total: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


async def people_matching(search: str, *, page: int, size: int = 50) -> Page:
    """People whose name, email or organisation contains `search`, newest first, one page."""
    query = Person.all()
    if search:
        query = query.filter(
            Q(display_name__icontains=search)
            | Q(email__icontains=search)
            | Q(organisation__icontains=search)
        )
    total = await query.count()
    number = min(max(1, page), max(1, -(-total // size)))
    items = await query.order_by("-created_at", "-id").offset((number - 1) * size).limit(size)
    return Page(items, number, total, size)
