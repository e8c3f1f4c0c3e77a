"""Form-letter campaigns of a call: finding them afresh, and publishing or holding one as a whole.

Detection reads the long-text answers of the call's submitted responses a page at a time as
plain values (no ORM objects), runs `consult.analysis.campaigns` on each long-text question, and
writes the result in a handful of queries: the call's old campaigns go, the new ones come, and
every member gets its campaign and the text it added in bulk updates.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from consult.analysis.campaigns import MIN_CAMPAIGN, Campaign, CampaignDetector
from consult.analysis.models import Campaign as CampaignRow
from consult.calls.models import Call, Question
from consult.calls.question_kinds import kinds_where
from consult.moderation.public import may_be_published
from consult.moderation.services import decide_publication
from consult.responses.models import Answer, Publication, Response, ResponseStatus
from core.audit import record_action
from core.models import Person
from core.permissions import Action, may

PAGE = 2000  # answers read per query
WRITE_BATCH = 500  # members written per UPDATE


@dataclass(frozen=True)
class DetectionSummary:
    """What a detection run found: texts looked at, campaigns, and responses in them."""

    texts: int
    campaigns: int
    members: int
    largest: int

    @property
    def message(self) -> str:
        if not self.campaigns:
            return f"No campaigns found among {self.texts} long answers."
        return (
            f"{self.campaigns} campaign{'s' if self.campaigns != 1 else ''} found: "
            f"{self.members} responses in all, the largest with {self.largest}."
        )


async def _answers(
    question_id: int, wanted: set[int] | None = None
) -> AsyncIterator[tuple[int, str]]:
    """(response id, text) of the question's answers in submitted responses, a page at a time."""
    last = 0
    while True:
        rows = await (
            Answer.filter(
                question_id=question_id,
                response__status=ResponseStatus.SUBMITTED,
                id__gt=last,
            )
            .order_by("id")
            .limit(PAGE)
            .values_list("id", "response_id", "text")
        )
        for _, response_id, text in rows:
            if wanted is None or response_id in wanted:
                yield int(response_id), str(text)
        if len(rows) < PAGE:
            return
        last = int(rows[-1][0])


async def _campaigns_of(question_id: int) -> tuple[int, list[Campaign]]:
    """How many answers were compared, and the campaigns among this question's answers."""
    detector = CampaignDetector()
    async for response_id, text in _answers(question_id):
        detector.add(response_id, text)
    groups = detector.groups()
    if not groups:
        return len(detector), []
    wanted = {key for keys in groups for key in keys}
    texts = {key: text async for key, text in _answers(question_id, wanted)}
    return len(detector), detector.campaigns(texts)


def _one_campaign_each(found: Iterable[tuple[int, Campaign]]) -> list[Campaign]:
    """A response belongs to one campaign: the largest it is in (then the earlier question's).

    A campaign left with fewer than `MIN_CAMPAIGN` members by that rule is no campaign.
    """
    taken: set[int] = set()
    kept = []
    for _, campaign in sorted(found, key=lambda item: (-item[1].size, item[0])):
        members = tuple(m for m in campaign.members if m.key not in taken)
        if len(members) >= MIN_CAMPAIGN:
            kept.append(Campaign(campaign.template, members))
            taken.update(m.key for m in members)
    return kept


async def detect_campaigns(call: Call, *, now: datetime) -> DetectionSummary:
    """Find the call's campaigns afresh and store them, replacing what an earlier run stored.

    The same answers always give the same campaigns, members and added texts.
    """
    questions = await Question.filter(
        call_id=call.id, kind__in=kinds_where(lambda rules: rules.prose)
    ).order_by("position", "id")
    found: list[tuple[int, Campaign]] = []
    texts = 0
    for position, question in enumerate(questions):
        compared, campaigns = await _campaigns_of(question.id)
        texts += compared
        found += [(position, campaign) for campaign in campaigns]
    campaigns = _one_campaign_each(found)

    async with in_transaction():
        await Response.filter(call_id=call.id, campaign_id__isnull=False).update(
            campaign_id=None, campaign_extra=""
        )
        await CampaignRow.filter(call_id=call.id).delete()
        for campaign in campaigns:
            row = await CampaignRow.create(
                call_id=call.id, template=campaign.template, size=campaign.size, detected_at=now
            )
            members = [
                Response(id=m.key, campaign_id=row.id, campaign_extra=m.added)
                for m in campaign.members
            ]
            await Response.bulk_update(
                members, fields=["campaign_id", "campaign_extra"], batch_size=WRITE_BATCH
            )
    return DetectionSummary(
        texts=texts,
        campaigns=len(campaigns),
        members=sum(c.size for c in campaigns),
        largest=max((c.size for c in campaigns), default=0),
    )


async def run_campaign_detection(actor: Person, call: Call, *, now: datetime) -> DetectionSummary:
    """`detect_campaigns` for an organiser of the call, with an audit entry."""
    if not await may(actor, Action.MODERATE, call):
        raise PermissionError("not on this call's team")
    summary = await detect_campaigns(call, now=now)
    await record_action(
        actor,
        "call.campaigns_detected",
        call,
        {"campaigns": summary.campaigns, "members": summary.members, "texts": summary.texts},
    )
    return summary


@dataclass(frozen=True)
class CampaignDecision:
    """How many members a decision changed, how many already had it, how many it skipped."""

    changed: int
    unchanged: int
    skipped: int

    def message(self, publication: Publication) -> str:
        verb = "published" if publication == Publication.PUBLISHED else "held"
        text = f"{self.changed} response{'s' if self.changed != 1 else ''} {verb}"
        if self.unchanged:
            text += f", {self.unchanged} already {verb}"
        if self.skipped:
            text += (
                f"; {self.skipped} skipped: their authors did not agree to publication "
                "or they are no longer submitted"
            )
        return text + "."


async def decide_campaign(
    actor: Person, campaign: CampaignRow, publication: Publication, *, now: datetime
) -> CampaignDecision:
    """Publish or hold every member of the campaign (each decision audited on its own).

    Members that may not be published (no consent, or withdrawn) are skipped, not refused.
    """
    call = await Call.get(id=campaign.call_id)
    if not await may(actor, Action.MODERATE, call):
        raise PermissionError("not on this call's team")
    changed = unchanged = skipped = 0
    last = 0
    while True:
        members = (
            await Response.filter(campaign_id=campaign.id, id__gt=last).order_by("id").limit(PAGE)
        )
        for response in members:
            if response.latest_revision_id is None or (
                publication == Publication.PUBLISHED and not may_be_published(response)
            ):
                skipped += 1
            elif await decide_publication(actor, response, publication, now=now):
                changed += 1
            else:
                unchanged += 1
        if len(members) < PAGE:
            break
        last = members[-1].id
    await record_action(
        actor,
        f"campaign.{publication.value}",
        campaign,
        {"call_id": call.id, "changed": changed, "unchanged": unchanged, "skipped": skipped},
    )
    return CampaignDecision(changed, unchanged, skipped)
