"""What the campaign pages read: a call's campaigns, one campaign, its members a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.functions import Count

from consult.analysis.models import Campaign
from consult.calls.models import Call
from consult.comments.queries import LARGEST_ID
from consult.responses.models import PUBLISHABLE_CONSENT, Publication, Response
from core.queries import Page, paginate

MEMBERS_PAGE_SIZE = 100


async def campaigns_of(call: Call) -> list[Campaign]:
    """The call's campaigns, largest first."""
    return list(await Campaign.filter(call_id=call.id).order_by("-size", "id"))


async def campaign_on_call(call: Call, campaign_id: int) -> Campaign | None:
    """The campaign with this id if it is the call's (an id past the integer range is none)."""
    if not 0 < campaign_id <= LARGEST_ID:
        return None
    return await Campaign.get_or_none(id=campaign_id, call_id=call.id)


async def last_detection(call: Call) -> datetime | None:
    """When the call's campaigns were last looked for, if any were found."""
    found = await Campaign.filter(call_id=call.id).order_by("-detected_at").first()
    return found.detected_at if found else None


@dataclass(frozen=True)
class MemberStatus:
    """How a campaign's members stand with the moderators."""

    by_publication: dict[Publication, int]
    without_consent: int

    def count(self, publication: str) -> int:
        return self.by_publication.get(Publication(publication), 0)


async def member_status(campaign: Campaign) -> MemberStatus:
    """Members by publication decision, and how many did not agree to publication (two queries)."""
    members = Response.filter(campaign_id=campaign.id)
    rows = (
        await members.annotate(n=Count("id"))
        .group_by("publication")
        .values_list("publication", "n")
    )
    without = await members.exclude(consent__in=PUBLISHABLE_CONSENT).count()
    return MemberStatus({Publication(p): int(n) for p, n in rows}, without)


async def campaign_members(campaign: Campaign, *, page: int) -> Page[Response]:
    """One page of the campaign's members, oldest response first."""
    query = Response.filter(campaign_id=campaign.id).order_by("id")
    return await paginate(query, page=page, size=MEMBERS_PAGE_SIZE)
