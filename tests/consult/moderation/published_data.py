"""A closed call with responses in every state, published and redacted through the real services.

Shared by the tests of the published-responses pages, the exports and the browser journeys. Every
secret below is a word that appears nowhere else, so a test can look for it in any output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from consult.analysis.models import Campaign
from consult.calls.models import Call, QuestionKind
from consult.moderation.services import add_redaction, decide_publication
from consult.responses.models import (
    Answer,
    Consent,
    Publication,
    RespondentType,
    Response,
    ResponseStatus,
)
from consult.responses.revisions import as_submitted
from consult.responses.tracking import new_tracking_number
from core.models import Person
from core.vocabulary import Role, Sector
from tests.factories import make_call, make_person, make_response

PHONE = "07700 900123"
ADA_TEXT = f"Cryogenic metrology needs shared test beds. Ring me on {PHONE} for details."
SENSITIVE = "Our unannounced roadmap for photonic interposers"
FORMULA = '=HYPERLINK("http://evil.example","Click")'
HELD_WORD = "heldback"
PRIVATE_WORD = "privatissimo"
DRAFT_WORD = "draftonly"


@dataclass
class Record:
    call: Call
    moderator: Person
    ada: Response  # named individual, academia, GB; a phone number redacted
    qubit: Response  # named organisation, industry, US; a sensitive answer, a formula
    anonymous: Response  # anonymous individual, civil society, CA; cells starting + - @ tab
    held: Response  # consented, but the moderators held it
    private: Response  # did not consent to publication
    draft: Response
    campaign: Campaign
    public: list[Response] = field(default_factory=list)


async def respond(
    call: Call,
    email: str,
    name: str,
    *,
    now: datetime,
    consent: Consent = Consent.PUBLISH_NAMED,
    status: ResponseStatus = ResponseStatus.SUBMITTED,
    sector: Sector = Sector.ACADEMIA,
    country: str = "GB",
    organisation: str = "",
    answers: dict[QuestionKind, dict[str, object]] | None = None,
) -> Response:
    """A response straight in the database, answered as `answers` says (kind → Answer fields)."""
    submitted = status != ResponseStatus.DRAFT
    return await make_response(
        call,
        await make_person(email, name),
        answers,
        status=status,
        consent=consent,
        tracking_number=new_tracking_number(2026) if submitted else None,
        respondent_type=RespondentType.ORGANISATION if organisation else RespondentType.INDIVIDUAL,
        organisation_name=organisation,
        sector=sector,
        country=country,
        revision=1 if submitted else 0,
        submitted_at=now - timedelta(days=3) if submitted else None,
        last_submitted_at=now - timedelta(days=3) if submitted else None,
    )


async def publish(moderator: Person, response: Response, now: datetime) -> None:
    await decide_publication(moderator, response, Publication.PUBLISHED, now=now)


async def closed_call_with_a_record(now: datetime, *, slug: str = "quantum-standards") -> Record:
    call = await make_call(
        now, slug=slug, opens_in=timedelta(days=-30), closes_in=timedelta(days=-1)
    )
    moderator = await make_person(
        f"moderator-{slug}@example.gov", "Mo Derator", role=Role.ORGANISER
    )
    await call.team.add(moderator)

    ada = await respond(
        call,
        f"ada-{slug}@example.org",
        "Ada Lovelace",
        now=now,
        answers={
            QuestionKind.LONG_TEXT: {"text": ADA_TEXT},
            QuestionKind.SHORT_TEXT: {"text": "Professor of metrology"},
            QuestionKind.SINGLE_CHOICE: {"choices": ["NPL"]},
            QuestionKind.MULTIPLE_CHOICE: {"choices": ["Metrology", "Interfaces"]},
            QuestionKind.SCALE: {"scale": 4},
        },
    )
    qubit = await respond(
        call,
        f"grace-{slug}@example.org",
        "Grace Hopper",
        now=now,
        sector=Sector.INDUSTRY,
        country="US",
        organisation="Qubit Works Ltd",
        answers={
            QuestionKind.LONG_TEXT: {"text": FORMULA},
            QuestionKind.SHORT_TEXT: {"text": SENSITIVE, "sensitive": True},
            QuestionKind.SINGLE_CHOICE: {"choices": ["NIST"]},
            QuestionKind.MULTIPLE_CHOICE: {"choices": ["\tInterfaces"]},
            QuestionKind.SCALE: {"scale": 5},
        },
    )
    anonymous = await respond(
        call,
        f"hedy-{slug}@example.org",
        "Hedy Lamarr",
        now=now,
        consent=Consent.PUBLISH_ANONYMOUS,
        sector=Sector.CIVIL_SOCIETY,
        country="CA",
        answers={
            QuestionKind.LONG_TEXT: {"text": "+44 shows that interoperable control stacks matter"},
            QuestionKind.SHORT_TEXT: {"text": "-1 for proprietary formats"},
            QuestionKind.SINGLE_CHOICE: {"choices": ["Jointly"]},
            QuestionKind.MULTIPLE_CHOICE: {"choices": ["@Benchmarks"]},
        },
    )
    held = await respond(
        call,
        f"held-{slug}@example.org",
        "Held Back",
        now=now,
        answers={QuestionKind.LONG_TEXT: {"text": f"A {HELD_WORD} opinion on cryogenic pumps"}},
    )
    private = await respond(
        call,
        f"private-{slug}@example.org",
        "Pat Private",
        now=now,
        consent=Consent.DO_NOT_PUBLISH,
        answers={QuestionKind.LONG_TEXT: {"text": f"A {PRIVATE_WORD} view on cryogenic pumps"}},
    )
    draft = await respond(
        call,
        f"draft-{slug}@example.org",
        "Drew Draft",
        now=now,
        status=ResponseStatus.DRAFT,
        answers={QuestionKind.LONG_TEXT: {"text": f"A {DRAFT_WORD} thought"}},
    )
    for response in (ada, qubit, anonymous):
        await publish(moderator, response, now)
    await decide_publication(moderator, held, Publication.HELD, now=now)
    long_text = await Answer.get(response_id=ada.id, question__kind=QuestionKind.LONG_TEXT)
    start = ADA_TEXT.index(PHONE)
    await add_redaction(
        moderator, await as_submitted(long_text), start, start + len(PHONE), "phone number"
    )

    campaign = await Campaign.create(
        call=call, template="Standards now, please.", size=2, detected_at=now
    )
    await Response.filter(id__in=[held.id, private.id]).update(
        campaign_id=campaign.id, campaign_extra="And fund the test beds."
    )
    return Record(
        call=call,
        moderator=moderator,
        ada=ada,
        qubit=qubit,
        anonymous=anonymous,
        held=held,
        private=private,
        draft=draft,
        campaign=campaign,
        public=[ada, qubit, anonymous],
    )


SECRETS = (PHONE, SENSITIVE, HELD_WORD, PRIVATE_WORD, DRAFT_WORD, "Hedy Lamarr", "Grace Hopper")
