"""The organisers' daily digest: at 08:00 in each organiser's own zone, what happened on their calls
(new responses, comments waiting for moderation, comment reports and "this was not me" reports).

One digest per organiser per local date (its outbox key names the date), covering the time since
the previous digest (a day, or up to a week after an outage) so nothing falls between two. Nothing
new and nothing waiting means no digest: an empty email every morning teaches people to ignore it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tortoise.functions import Count
from tortoise.queryset import QuerySet

from consult.calls.models import Call, CallState
from consult.comments.models import Comment, CommentReport, CommentStatus
from consult.moderation.models import NotMeReport, ReportStatus
from consult.responses.models import Response, ResponseStatus
from core.models import Person
from core.notifications.compose import Site, write
from core.notifications.models import Notification
from core.notifications.preferences import wants
from core.vocabulary import Role

KIND = "organiser_digest"
DIGEST_TIME = time(8, 0)
LONGEST_WINDOW = timedelta(days=7)
# A digest is morning reading: one not written within this time of its 08:00 (the scheduler was
# down, or the person just became an organiser) is skipped; the next one covers its time.
LATEST_WRITE = timedelta(hours=12)


@dataclass(frozen=True)
class CallNews:
    call: Call
    new_responses: int
    comments_waiting: int
    new_reports: int
    not_me_reports: int = 0

    @property
    def anything(self) -> bool:
        return bool(
            self.new_responses or self.comments_waiting or self.new_reports or self.not_me_reports
        )


def latest_digest_time(zone_name: str, now: datetime) -> datetime:
    """The most recent 08:00 in `zone_name` at or before `now` (an unknown zone reads as London)."""
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("Europe/London")
    local = now.astimezone(zone)
    today = datetime.combine(local.date(), DIGEST_TIME, tzinfo=zone)
    if local < today:
        today = datetime.combine(local.date() - timedelta(days=1), DIGEST_TIME, tzinfo=zone)
    return today


async def organiser_digests(site: Site, *, now: datetime) -> int:
    """Write each organiser's digest for their latest 08:00, once; the number written."""
    organisers = await Person.filter(
        role__in=[Role.ORGANISER, Role.ADMIN], is_active=True, verified_at__isnull=False
    )
    written = 0
    for organiser in organisers:
        if not wants(organiser.mail_opt_outs, KIND):
            continue
        moment = latest_digest_time(organiser.time_zone, now)
        if now - moment > LATEST_WRITE:
            continue
        key = f"{KIND}:person-{organiser.id}:{moment.date().isoformat()}"
        if await Notification.exists(key=key):
            continue
        since = await _window_start(organiser, moment)
        news = [n for n in await _news(organiser, since, moment) if n.anything]
        if not news:
            continue
        # Due at its 08:00 (already past), so the next digest's window starts where this one ends.
        written += (
            await write(
                site,
                KIND,
                organiser,
                key=key,
                due_at=moment,
                headline=_subject(news),
                news=news,
                since=since,
                zone=organiser.time_zone,
                link=site.link("organise:calls"),
            )
            is not None
        )
    return written


async def _window_start(organiser: Person, moment: datetime) -> datetime:
    previous = (
        await Notification.filter(kind=KIND, person_id=organiser.id, due_at__lt=moment)
        .order_by("-due_at")
        .first()
    )
    start = previous.due_at if previous else moment - timedelta(days=1)
    # (A skipped morning leaves its time to the next digest, up to LONGEST_WINDOW.)
    return max(start, moment - LONGEST_WINDOW)


async def _news(organiser: Person, since: datetime, until: datetime) -> list[CallNews]:
    calls = await Call.filter(team=organiser.id, state__not=CallState.DRAFT).order_by("closes_at")
    if not calls:
        return []
    ids = [call.id for call in calls]
    responses = await _count_by_call(
        Response.filter(
            call_id__in=ids,
            status=ResponseStatus.SUBMITTED,
            submitted_at__gte=since,
            submitted_at__lt=until,
        )
    )
    # Waiting at 08:00: a comment that came later waits for tomorrow's digest, so a digest written
    # late (the scheduler was down at 08:00) says what it would have said on time.
    waiting = await _count_by_call(
        Comment.filter(call_id__in=ids, status=CommentStatus.PENDING, created_at__lt=until)
    )
    reports = await _count_by_call(
        CommentReport.filter(comment__call_id__in=ids, created_at__gte=since, created_at__lt=until),
        field="comment__call_id",
    )
    not_me = await _count_by_call(
        NotMeReport.filter(
            response__call_id__in=ids,
            status=ReportStatus.OPEN,
            created_at__gte=since,
            created_at__lt=until,
        ),
        field="response__call_id",
    )
    return [
        CallNews(
            call,
            responses.get(call.id, 0),
            waiting.get(call.id, 0),
            reports.get(call.id, 0),
            not_me.get(call.id, 0),
        )
        for call in calls
    ]


async def _count_by_call(query: QuerySet[Any], field: str = "call_id") -> dict[int, int]:
    rows = await query.annotate(n=Count("id")).group_by(field).values(field, "n")
    return {int(row[field]): int(row["n"]) for row in rows}


def _subject(news: list[CallNews]) -> str:
    responses = sum(n.new_responses for n in news)
    waiting = sum(n.comments_waiting for n in news)
    parts = []
    if responses:
        parts.append(f"{responses} new response{'' if responses == 1 else 's'}")
    if waiting:
        parts.append(f"{waiting} comment{'' if waiting == 1 else 's'} to moderate")
    not_me = sum(n.not_me_reports for n in news)
    if not_me:
        parts.append(f"{not_me} “not me” report{'' if not_me == 1 else 's'}")
    if not parts:
        reports = sum(n.new_reports for n in news)
        parts.append(f"{reports} comment report{'' if reports == 1 else 's'}")
    return "Your daily digest: " + ", ".join(parts)
