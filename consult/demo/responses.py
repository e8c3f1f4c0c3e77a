"""Who answers a demonstration call, when, how, and with what consent: a plan, before any row exists.

Planning is pure (no database, no clock), so the same seed always gives the same responses; only
the tracking numbers, drawn from the secrets-based generator when the rows are written, differ.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from consult.calls.models import QuestionKind
from consult.demo.answers import PlannedAnswer, popularity, write_answer
from consult.demo.campaign import form_letter
from consult.demo.people import RespondentProfile
from consult.demo.specs import CallSpec
from consult.responses.models import Consent, RespondentType, ResponseStatus
from core.vocabulary import Sector

# Roughly half publish with their name, a third anonymously, a fifth not at all.
CONSENT_WEIGHTS = {
    Consent.PUBLISH_NAMED: 5,
    Consent.PUBLISH_ANONYMOUS: 3,
    Consent.DO_NOT_PUBLISH: 2,
}

# How likely someone with an organisation answers on its behalf rather than as an individual.
ON_BEHALF_ODDS = {
    Sector.INDUSTRY: 0.7,
    Sector.GOVERNMENT: 0.8,
    Sector.ACADEMIA: 0.35,
    Sector.CIVIL_SOCIETY: 0.6,
    Sector.OTHER: 0.3,
}
# Form letters come mostly from individuals.
CAMPAIGN_ON_BEHALF_ODDS = 0.15

# Campaign members tick the boxes the letter is about, and feel exposed.
CAMPAIGN_OPTIONS = (
    "Dilution refrigerators and cryogenic components",
    "Helium-3",
    "Lasers and photonic integrated circuits",
)
CAMPAIGN_SCALE = (0.0, 0.0, 1.0, 3.0, 6.0)


@dataclass(frozen=True)
class PlannedResponse:
    profile: RespondentProfile
    status: ResponseStatus
    respondent_type: RespondentType
    organisation_name: str
    consent: Consent
    created_at: datetime
    submitted_at: datetime | None
    withdrawn_at: datetime | None
    answers: tuple[PlannedAnswer, ...]
    in_campaign: bool


@dataclass(frozen=True)
class _Slot:
    """A respondent, what they did and when, before their answers are written."""

    profile: RespondentProfile
    status: ResponseStatus
    in_campaign: bool
    created_at: datetime
    submitted_at: datetime | None = None
    withdrawn_at: datetime | None = None


def plan_responses(
    spec: CallSpec, profiles: list[RespondentProfile], *, now: datetime, seed: int
) -> list[PlannedResponse]:
    """The call's responses in the order they were started; one per respondent."""
    rng = random.Random(f"{seed}:{spec.slug}")  # noqa: S311 (made-up data, not secrets)
    weights = [popularity(question, rng) for question in spec.questions]
    slots = sorted(_slots(spec, profiles, rng, now), key=lambda slot: slot.created_at)
    organisations_heard: set[str] = set()
    letters: set[str] = set()
    planned = []
    for slot in slots:
        profile = slot.profile
        odds = CAMPAIGN_ON_BEHALF_ODDS if slot.in_campaign else ON_BEHALF_ODDS[profile.sector]
        # An organisation answers once per call; its other people answer for themselves.
        on_behalf = (
            bool(profile.organisation)
            and profile.organisation not in organisations_heard
            and rng.random() < odds
        )
        if on_behalf:
            organisations_heard.add(profile.organisation)
        kind = RespondentType.ORGANISATION if on_behalf else RespondentType.INDIVIDUAL
        planned.append(
            PlannedResponse(
                profile=profile,
                status=slot.status,
                respondent_type=kind,
                organisation_name=profile.organisation if on_behalf else "",
                consent=rng.choices(list(CONSENT_WEIGHTS), list(CONSENT_WEIGHTS.values()))[0],
                created_at=slot.created_at,
                submitted_at=slot.submitted_at,
                withdrawn_at=slot.withdrawn_at,
                answers=_answers(spec, weights, slot, rng, letters),
                in_campaign=slot.in_campaign,
            )
        )
    return planned


def _slots(
    spec: CallSpec, profiles: list[RespondentProfile], rng: random.Random, now: datetime
) -> list[_Slot]:
    start = spec.opens_at(now)
    span = min(spec.closes_at(now), now) - start

    def at(fraction: float) -> datetime:
        return (start + span * fraction).replace(microsecond=0)

    def started_before(moment: datetime) -> datetime:
        return max(start, moment - timedelta(minutes=rng.randint(8, 3 * 24 * 60)))

    kinds = (
        ["campaign"] * spec.campaign
        + ["submitted"] * (spec.submitted - spec.campaign)
        + ["draft"] * spec.drafts
        + ["withdrawn"] * spec.withdrawn
    )
    slots = []
    for profile, kind in zip(rng.sample(profiles, len(kinds)), kinds, strict=True):
        if kind == "draft":
            slots.append(_Slot(profile, ResponseStatus.DRAFT, False, at(rng.uniform(0.3, 0.98))))
            continue
        if kind == "campaign":
            # The coalition mailed its members once: their letters arrive in a burst.
            submitted = at(rng.uniform(0.5, 0.68))
        elif kind == "withdrawn":
            submitted = at(rng.uniform(0.1, 0.6))
        else:
            # Most people answer in the last weeks before the deadline.
            submitted = at(min(0.995, max(0.005, rng.betavariate(2.2, 1.3))))
        withdrawn = None
        if kind == "withdrawn":
            withdrawn = submitted + (at(1.0) - submitted) * rng.uniform(0.2, 0.9)
            withdrawn = withdrawn.replace(microsecond=0)
        status = ResponseStatus.WITHDRAWN if withdrawn else ResponseStatus.SUBMITTED
        slots.append(
            _Slot(
                profile,
                status,
                kind == "campaign",
                started_before(submitted),
                submitted,
                withdrawn,
            )
        )
    return slots


def _answers(
    spec: CallSpec,
    weights: list[tuple[float, ...]],
    slot: _Slot,
    rng: random.Random,
    letters: set[str],
) -> tuple[PlannedAnswer, ...]:
    """Every question answered (file uploads aside); a draft stops part of the way through.

    No two members send exactly the same letter (`letters` holds those already sent): a
    campaign that exact hashing could find would test nothing.
    """
    questions = list(enumerate(spec.questions))
    if slot.status == ResponseStatus.DRAFT:
        questions = questions[: rng.randint(1, len(questions) - 1)]
    main = next(i for i, q in enumerate(spec.questions) if q.kind == QuestionKind.LONG_TEXT)
    answers = []
    for position, question in questions:
        if slot.in_campaign and position == main:
            letter = form_letter(rng, slot.profile)
            while letter in letters:
                letter = form_letter(rng, slot.profile)
            letters.add(letter)
            answers.append(PlannedAnswer(position, text=letter))
            continue
        in_campaign_scale = slot.in_campaign and question.kind == QuestionKind.SCALE
        answer = write_answer(
            rng,
            position,
            question,
            CAMPAIGN_SCALE if in_campaign_scale else weights[position],
            slot.profile.sector,
            introduce=position == main,
            always=CAMPAIGN_OPTIONS if slot.in_campaign else (),
        )
        if answer is not None:
            answers.append(answer)
    return tuple(answers)
