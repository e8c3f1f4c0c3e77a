"""Read-only questions about calls: what is open, upcoming or closed, one call with its parts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Case, Q, When
from tortoise.queryset import QuerySet

from consult.calls.models import Attachment, AttachmentKind, Call, CallPhase, CallState, Question

PAGE_SIZE = 20


def in_phase(phase: CallPhase, now: datetime) -> Q:
    """The database condition matching `Call.phase(now) == phase` (kept in step with it)."""
    published = Q(state=CallState.PUBLISHED)
    return {
        CallPhase.DRAFT: Q(state=CallState.DRAFT),
        CallPhase.UPCOMING: published & Q(opens_at__gt=now),
        CallPhase.OPEN: published & Q(opens_at__lte=now) & Q(closes_at__gt=now),
        CallPhase.CLOSED: published & Q(closes_at__lte=now),
        CallPhase.OUTCOME_PUBLISHED: Q(state=CallState.OUTCOME_PUBLISHED),
    }[phase]


def public_calls() -> QuerySet[Call]:
    return Call.exclude(state=CallState.DRAFT).select_related("topic")


async def recently_changed_calls(now: datetime, *, limit: int) -> list[Call]:
    """The `limit` public calls changed most recently by `Call.changed_at(now)`, newest first."""
    # A call's last change is its latest edit, opening or closing; the newest `limit` by each of
    # the three hold the newest `limit` overall, in three plain queries any database orders.
    candidates: dict[int, Call] = {}
    for query in (
        public_calls().order_by("-updated_at", "-id"),
        public_calls().filter(opens_at__lte=now).order_by("-opens_at", "-id"),
        public_calls().filter(closes_at__lte=now).order_by("-closes_at", "-id"),
    ):
        for call in await query.limit(limit):
            candidates[call.id] = call
    newest = sorted(candidates.values(), key=lambda c: (c.changed_at(now), c.id), reverse=True)
    return newest[:limit]


async def open_calls(now: datetime, *, topic_id: int | None = None) -> list[Call]:
    """Open calls, closing soonest first."""
    query = public_calls().filter(in_phase(CallPhase.OPEN, now))
    if topic_id is not None:
        query = query.filter(topic_id=topic_id)
    return await query.order_by("closes_at", "id")


async def upcoming_calls(now: datetime, *, topic_id: int | None = None) -> list[Call]:
    query = public_calls().filter(in_phase(CallPhase.UPCOMING, now))
    if topic_id is not None:
        query = query.filter(topic_id=topic_id)
    return await query.order_by("opens_at", "id")


async def finished_calls(
    now: datetime, *, topic_id: int | None = None, limit: int = 10
) -> list[Call]:
    """Closed calls and those with an outcome, most recently closed first."""
    query = public_calls().filter(
        in_phase(CallPhase.CLOSED, now) | in_phase(CallPhase.OUTCOME_PUBLISHED, now)
    )
    if topic_id is not None:
        query = query.filter(topic_id=topic_id)
    return await query.order_by("-closes_at", "-id").limit(limit)


@dataclass(frozen=True)
class CallPage:
    calls: list[Call]
    number: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


async def calls_page(
    now: datetime, *, phase: CallPhase | None, topic_id: int | None, page: int
) -> CallPage:
    query = public_calls()
    if phase is not None:
        query = query.filter(in_phase(phase, now))
    if topic_id is not None:
        query = query.filter(topic_id=topic_id)
    total = await query.count()
    number = min(max(1, page), max(1, -(-total // PAGE_SIZE)))
    if phase is None:
        # All calls: open ones first (closing soonest), then upcoming, then the rest.
        rank = Case(
            When(in_phase(CallPhase.OPEN, now), then="0"),
            When(in_phase(CallPhase.UPCOMING, now), then="1"),
            default="2",
        )
        query = query.annotate(rank=rank)
        order = ["rank", "closes_at", "id"]
    elif phase in (CallPhase.OPEN, CallPhase.UPCOMING):
        order = ["closes_at", "id"]
    else:
        order = ["-closes_at", "-id"]
    calls = await query.order_by(*order).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    return CallPage(calls, number, total)


async def public_call(slug: str) -> Call | None:
    return await public_calls().get_or_none(slug=slug)


async def questions_of(call: Call) -> list[Question]:
    return await Question.filter(call_id=call.id).order_by("position", "id")


async def documents_of(call: Call) -> list[Attachment]:
    return await Attachment.filter(call_id=call.id, kind=AttachmentKind.CALL_DOCUMENT).order_by(
        "id"
    )
