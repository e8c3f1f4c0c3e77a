"""Form-letter campaigns: the detector on generated and hand-made letters, the planted demo
campaign, storing campaigns, and publishing or holding a campaign as a whole."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from bench.synthetic import pairwise_scores, synthetic_corpus
from consult.analysis.campaigns import (
    MIN_WORDS,
    CampaignDetector,
    added_text,
    consensus,
    find_campaigns,
)
from consult.analysis.minhash import WordNumbers, signatures, similarity, words_of
from consult.analysis.models import Campaign
from consult.analysis.services import detect_campaigns
from consult.calls.models import Call, Question, QuestionKind
from consult.demo.calls import CAMPAIGN_CALL
from consult.demo.campaign import COALITION, TEMPLATE
from consult.responses.models import Answer, Consent, Publication, Response, ResponseStatus
from consult.responses.revisions import record_first_revisions
from consult.responses.tracking import new_tracking_number
from core.clock import FixedClock
from core.models import AuditEntry
from tests.factories import make_call, organiser_of, second_browser, verified_stakeholder
from tests.support import csrf_from, page, post_form

LETTER = (
    "We write as researchers and engineers who depend on a stable supply of cryogenic and "
    "photonic components. Delays of a year for a dilution refrigerator are now common, and a "
    "single supplier failing could stop whole programmes.\n\n"
    "We urge the governments of the United States and the United Kingdom to fund at least two "
    "qualified suppliers for every critical component. Shared demand forecasts would give those "
    "suppliers the confidence to invest in new capacity.\n\n"
    "We also ask for common component specifications, agreed with industry, so that "
    "laboratories can change supplier without redesigning their experiments. A resilient supply "
    "chain is the foundation of the partnership."
)
PARAGRAPHS = LETTER.split("\n\n")
OWN = {
    "appended": "I run a small laser company in Ohio and waited nine months for parts.",
    "prefaced": "As a physicist in Bristol, I support every word of this letter.",
    "inside": "Our own cryostat order has been delayed three times since March.",
}
# Each copy, and what its sender added (moved paragraphs and dropped sentences add nothing).
COPIES = {
    "appended": (f"{LETTER}\n\n{OWN['appended']}", OWN["appended"]),
    "prefaced, one word changed": (
        f"{OWN['prefaced']}\n\n{LETTER.replace('We urge', 'We call on')}",
        f"{OWN['prefaced']} … call on",
    ),
    "paragraphs swapped": (
        "\n\n".join([PARAGRAPHS[1], PARAGRAPHS[0], PARAGRAPHS[2]]),
        "",
    ),
    "exact": (LETTER, ""),
    "sentence dropped, one inside": (
        LETTER.replace(
            " Shared demand forecasts would give those suppliers the confidence to invest in new "
            "capacity.",
            "",
        ).replace("experiments. A resilient", f"experiments. {OWN['inside']} A resilient"),
        OWN["inside"],
    ),
    "two words changed": (
        LETTER.replace("a stable supply", "a reliable supply").replace("foundation", "bedrock"),
        # Fewer than four words between a change and the end go with the change.
        "reliable … bedrock of the partnership.",
    ),
}
# Answers that share sentences, as answers to one question do, without being one letter.
# (Like the demonstration's answers: three or four of ten sentences each.)
POOL = (
    "Dilution refrigerators from the few firms that make them now have lead times of more than "
    "a year.",
    "Helium-3 is scarce, its price keeps rising, and recycling it needs public support to pay.",
    "Narrow-linewidth lasers at the wavelengths trapped ions need come from very few "
    "manufacturers worldwide.",
    "Export licences for components traded between allies add months to projects that are "
    "already late.",
    "Small firms cannot hold the months of stock that large customers expect them to keep.",
    "Joint procurement by both governments would help suppliers plan the capacity we will need.",
    "Cryogenic amplifiers remain a bottleneck even as control electronics improve from year to "
    "year.",
    "We depend on a single foundry for photonic circuits, and the telecoms market sets its "
    "priorities.",
    "Isotopically enriched silicon is hard to obtain outside a handful of national research "
    "programmes.",
    "Shared buffer stock held by a trusted body would soften the next shortage for everyone.",
)


def independent_answers(count: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.sample(POOL, rng.randint(3, 4))) for _ in range(count)]


# ---------------------------------------------------------------- the detector, without a database


def test_detector_finds_generated_campaigns_with_precision_and_recall_of_at_least_95() -> None:
    """Precision and recall are pairwise over campaign membership: of the pairs of texts the
    detector puts in one campaign, the share that truly share a letter (precision); of the pairs
    that truly share a letter, the share the detector put in one campaign (recall).

    The generated set has one letter per 1,000 texts plus three, each sent as copies with words
    swapped, a sentence left out, sentences or paragraphs in another order and one or two
    sentences of the sender's own, among independent texts that share stock phrases and
    sometimes quote a letter."""
    corpus = synthetic_corpus(4000, seed=11)

    found = find_campaigns(corpus.texts)
    scores = pairwise_scores(corpus.truth, [[m.key for m in c.members] for c in found])

    print(f"\ncampaign detection: precision {scores.precision:.4f}, recall {scores.recall:.4f}")
    assert scores.precision >= 0.95
    assert scores.recall >= 0.95
    assert len(found) == len(corpus.letters)
    # Each template is the planted letter, and each sender's own sentences are what it added.
    assert sorted(c.template for c in found) == sorted(corpus.letters.values())
    own = [(s, m.added) for c in found for m in c.members for s in corpus.own.get(m.key, ())]
    assert sum(sentence in added for sentence, added in own) >= 0.95 * len(own)


def test_detector_keeps_what_each_copy_added_and_not_what_it_moved() -> None:
    texts = [(number, text) for number, (text, _) in enumerate(COPIES.values(), start=1)]
    others = independent_answers(20)
    texts += [(100 + i, text) for i, text in enumerate(others)]

    [campaign] = find_campaigns(texts)

    assert campaign.template == LETTER
    assert [m.key for m in campaign.members] == [1, 2, 3, 4, 5, 6]
    assert {m.key: m.added for m in campaign.members} == {
        number: added for number, (_, added) in enumerate(COPIES.values(), start=1)
    }


def test_the_template_is_what_most_copies_agree_on_not_the_first_copys_words() -> None:
    edited = LETTER.replace("We urge", "We call on") + "\n\n" + OWN["appended"]
    others = [LETTER + f"\n\nWe sign as member {n} of the coalition." for n in range(6)]

    assert consensus(edited, others) == LETTER
    assert added_text(LETTER, edited) == f"call on … {OWN['appended']}"


def test_answers_that_share_sentences_are_not_a_campaign() -> None:
    texts = dict(enumerate(independent_answers(60)))
    detector = CampaignDetector()
    for key, text in texts.items():
        assert detector.add(key, text)  # long enough to be compared

    assert detector.campaigns(texts) == []


def test_short_texts_are_not_compared_even_when_identical() -> None:
    short = "I agree with the coalition's letter and support its requests."
    assert len(words_of(short)) < MIN_WORDS

    assert find_campaigns((key, short) for key in range(20)) == []


def test_the_same_texts_in_another_order_give_the_same_campaigns() -> None:
    corpus = synthetic_corpus(1500, seed=3)
    shuffled = list(corpus.texts)
    random.Random(1).shuffle(shuffled)

    assert find_campaigns(shuffled) == find_campaigns(corpus.texts)


def test_signatures_estimate_the_jaccard_similarity_of_shingles() -> None:
    numbers = WordNumbers()
    first, second = words_of(LETTER), words_of(COPIES["appended"][0])
    rows = signatures([list(map(numbers.__getitem__, w)) for w in (first, second, first)])

    shingles = [{tuple(w[i : i + 5]) for i in range(len(w) - 4)} for w in (first, second)]
    exact = len(shingles[0] & shingles[1]) / len(shingles[0] | shingles[1])
    estimated = similarity(rows[0], rows[1])

    assert abs(float(estimated) - exact) < 0.12
    assert float(similarity(rows[0], rows[2])) == 1.0


# ---------------------------------------------------------------- stored campaigns


async def store_answers(
    call: Call,
    question: Question,
    texts: list[str],
    *,
    now: datetime,
    status: ResponseStatus = ResponseStatus.SUBMITTED,
    consent: Consent = Consent.PUBLISH_ANONYMOUS,
) -> list[Response]:
    """Responses without a respondent, one per text, in the order given."""
    numbers = [new_tracking_number(2026) for _ in texts]
    await Response.bulk_create(
        Response(
            call=call,
            status=status,
            tracking_number=number,
            consent=consent,
            details_confirmed=True,
            submitted_at=now - timedelta(days=1),
            last_submitted_at=now - timedelta(days=1),
            revision=1,
        )
        for number in numbers
    )
    by_number = {r.tracking_number: r for r in await Response.filter(tracking_number__in=numbers)}
    responses = [by_number[number] for number in numbers]
    await Answer.bulk_create(
        Answer(response_id=r.id, question_id=question.id, text=text)
        for r, text in zip(responses, texts, strict=True)
    )
    await record_first_revisions(call.id)
    return [await Response.get(id=r.id) for r in responses]


async def long_question(call: Call) -> Question:
    return await Question.get(call_id=call.id, kind=QuestionKind.LONG_TEXT)


async def stored_campaigns(call: Call) -> list[tuple[str, int, list[tuple[int, str]]]]:
    rows = []
    for campaign in await Campaign.filter(call_id=call.id).order_by("-size", "id"):
        members = await Response.filter(campaign_id=campaign.id).order_by("id")
        rows.append((campaign.template, campaign.size, [(m.id, m.campaign_extra) for m in members]))
    return rows


async def test_detect_campaigns_stores_each_campaign_once_and_again_gives_the_same(
    db: None, clock: FixedClock
) -> None:
    now = clock.now()
    call = await make_call(now)
    question = await long_question(call)
    letters = await store_answers(call, question, [text for text, _ in COPIES.values()], now=now)
    await store_answers(call, question, independent_answers(12), now=now)
    # Drafts and withdrawn responses are not looked at.
    [draft] = await store_answers(call, question, [LETTER], now=now, status=ResponseStatus.DRAFT)
    [withdrawn] = await store_answers(
        call, question, [LETTER], now=now, status=ResponseStatus.WITHDRAWN
    )

    summary = await detect_campaigns(call, now=now)

    assert (summary.texts, summary.campaigns, summary.members, summary.largest) == (18, 1, 6, 6)
    added = [added for _, added in COPIES.values()]
    expected = [(LETTER, 6, [(r.id, a) for r, a in zip(letters, added, strict=True)])]
    assert await stored_campaigns(call) == expected
    [campaign] = await Campaign.filter(call_id=call.id)
    assert campaign.detected_at == now
    outside = Response.filter(id__in=[draft.id, withdrawn.id], campaign_id__isnull=True)
    assert await outside.count() == 2

    clock.advance(hours=1)
    again = await detect_campaigns(call, now=clock.now())

    assert again == summary
    assert await stored_campaigns(call) == expected
    assert not await Campaign.filter(id=campaign.id).exists()  # replaced, not added to


async def test_a_response_that_leaves_the_letter_leaves_the_campaign(
    db: None, clock: FixedClock
) -> None:
    now = clock.now()
    call = await make_call(now)
    question = await long_question(call)
    letters = await store_answers(call, question, [text for text, _ in COPIES.values()], now=now)
    await detect_campaigns(call, now=now)
    await Answer.filter(response_id=letters[0].id).update(text=independent_answers(1)[0] * 3)

    await detect_campaigns(call, now=now)

    left = await Response.get(id=letters[0].id)
    assert (left.campaign_id, left.campaign_extra) == (None, "")
    assert [size for _, size, _ in await stored_campaigns(call)] == [5]


async def test_the_planted_demonstration_campaign_is_found(
    demo_at_start: None, clock: FixedClock
) -> None:
    call = await Call.get(slug=CAMPAIGN_CALL.slug)
    main = await Question.get(call_id=call.id, position=0)
    letters = {
        answer.response_id: answer.text
        for answer in await Answer.filter(question=main, response__status=ResponseStatus.SUBMITTED)
        if f"supporter of the {COALITION}" in answer.text
    }

    summary = await detect_campaigns(call, now=clock.now())

    [campaign] = await Campaign.filter(call_id=call.id)
    assert summary.campaigns == 1
    assert campaign.size == len(letters) == 80
    assert campaign.template == " ".join(TEMPLATE)
    members = await Response.filter(campaign_id=campaign.id)
    assert {m.id for m in members} == set(letters)
    for member in members:
        # Every member wrote a sentence or two of their own, in a paragraph before or after.
        own = min(letters[member.id].split("\n\n"), key=len)
        assert own in member.campaign_extra
    assert await Campaign.filter(call__slug__not=CAMPAIGN_CALL.slug).count() == 0
    assert await Campaign.all().count() == 1


# ---------------------------------------------------------------- the organiser's pages

CAMPAIGNS = "/organise/calls/quantum-standards/campaigns"


async def campaign_call(
    client: httpx.AsyncClient, now: datetime
) -> tuple[Call, list[Response], list[Response]]:
    """A call with six letters (four from senders who agreed to publication) and its organiser
    signed in on `client`."""
    call = await make_call(now)
    question = await long_question(call)
    texts = [text for text, _ in COPIES.values()]
    consenting = await store_answers(call, question, texts[:4], now=now)
    refusing = await store_answers(
        call, question, texts[4:], now=now, consent=Consent.DO_NOT_PUBLISH
    )
    await store_answers(call, question, independent_answers(8), now=now)
    await organiser_of(call, client)
    return call, consenting, refusing


async def test_an_organiser_detects_campaigns_and_sees_each_once_with_what_senders_added(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call, consenting, refusing = await campaign_call(client, clock.now())
    empty = await client.get(CAMPAIGNS)
    assert "No campaigns found yet." in page(empty).get_text(" ", strip=True)

    detected = await post_form(client, CAMPAIGNS + "/detect", {}, form_page=CAMPAIGNS)

    assert detected.status_code == 303
    assert detected.headers["location"] == CAMPAIGNS
    listing = await client.get(CAMPAIGNS)
    notice = page(listing).select_one(".notification-banner__text")
    assert notice is not None
    assert (
        notice.get_text(strip=True) == "1 campaign found: 6 responses in all, the largest with 6."
    )
    [campaign] = await Campaign.filter(call_id=call.id)
    rows = page(listing).select("#campaigns tbody tr")
    assert len(rows) == 1
    cells = [cell.get_text(" ", strip=True) for cell in rows[0].find_all(["th", "td"])]
    assert cells[0] == f"Campaign {campaign.id}"
    assert cells[1].startswith("We write as researchers and engineers")
    assert cells[2] == "6"
    [entry] = await AuditEntry.filter(action="call.campaigns_detected")
    assert (entry.object_type, entry.object_id) == ("call", str(call.id))
    assert entry.detail == {"campaigns": 1, "members": 6, "texts": 14}

    detail = await client.get(f"{CAMPAIGNS}/{campaign.id}")

    assert detail.status_code == 200
    html = page(detail)
    template = html.select_one("#template")
    assert template is not None and template.get_text() == LETTER
    members = [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
        for row in html.select("#members tbody tr")
    ]
    expected_added = [added or "Nothing: the letter as it is" for _, added in COPIES.values()]
    assert members == [
        [r.tracking_number, added, "To moderate"]
        for r, added in zip([*consenting, *refusing], expected_added, strict=True)
    ]


async def test_publishing_a_campaign_publishes_consenting_members_and_skips_the_others(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call, consenting, refusing = await campaign_call(client, clock.now())
    await detect_campaigns(call, now=clock.now())
    [campaign] = await Campaign.filter(call_id=call.id)
    detail = f"{CAMPAIGNS}/{campaign.id}"

    published = await post_form(
        client, detail + "/publication", {"decision": "published"}, form_page=detail
    )

    assert published.status_code == 303
    assert published.headers["location"] == detail
    notice = page(await client.get(detail)).select_one(".notification-banner__text")
    assert notice is not None
    assert notice.get_text(strip=True) == (
        f"Campaign {campaign.id}: 4 responses published; 2 skipped: their authors did not agree "
        "to publication or they are no longer submitted."
    )
    states = dict(await Response.filter(campaign_id=campaign.id).values_list("id", "publication"))
    assert states == {
        **{r.id: Publication.PUBLISHED for r in consenting},
        **{r.id: Publication.PENDING for r in refusing},
    }
    audited = await AuditEntry.filter(action="response.published").values_list(
        "object_id", flat=True
    )
    assert sorted(audited) == sorted(str(r.id) for r in consenting)
    [entry] = await AuditEntry.filter(action="campaign.published")
    assert (entry.object_type, entry.object_id) == ("campaign", str(campaign.id))
    assert entry.detail == {"call_id": call.id, "changed": 4, "unchanged": 0, "skipped": 2}

    held = await post_form(client, detail + "/publication", {"decision": "held"}, form_page=detail)

    assert held.status_code == 303
    assert set(
        await Response.filter(campaign_id=campaign.id).values_list("publication", flat=True)
    ) == {Publication.HELD}
    assert await AuditEntry.filter(action="response.held").count() == 6
    assert await AuditEntry.filter(action="campaign.held").count() == 1


async def test_a_campaign_decision_must_be_publish_or_hold(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call, _, _ = await campaign_call(client, clock.now())
    await detect_campaigns(call, now=clock.now())
    [campaign] = await Campaign.filter(call_id=call.id)
    detail = f"{CAMPAIGNS}/{campaign.id}"

    wrong = await post_form(
        client, detail + "/publication", {"decision": "pending"}, form_page=detail
    )
    forged = await client.post(detail + "/publication", data={"decision": "published"})
    missing = await client.get(f"{CAMPAIGNS}/{campaign.id + 1}")
    too_big = await client.get(f"{CAMPAIGNS}/99999999999999")

    assert [wrong.status_code, forged.status_code, missing.status_code, too_big.status_code] == [
        400,
        403,
        404,
        404,
    ]
    assert await Response.filter(publication=Publication.PUBLISHED).count() == 0


@pytest.mark.parametrize("who", ["stakeholder", "organiser of another call"])
async def test_campaign_pages_are_refused_to_people_outside_the_team(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock, who: str
) -> None:
    call, _, _ = await campaign_call(client, clock.now())
    await detect_campaigns(call, now=clock.now())
    [campaign] = await Campaign.filter(call_id=call.id)
    detail = f"{CAMPAIGNS}/{campaign.id}"
    async with second_browser(app) as other:
        if who == "stakeholder":
            await verified_stakeholder(other, "someone@example.org")
        else:
            elsewhere = await make_call(clock.now(), slug="another-call")
            await organiser_of(elsewhere, other, "elsewhere@example.gov")
        token = csrf_from(await other.get("/account/"))

        pages = [(await other.get(path)).status_code for path in (CAMPAIGNS, detail)]
        posts = [
            (await other.post(path, data={"csrf_token": token, "decision": "held"})).status_code
            for path in (CAMPAIGNS + "/detect", detail + "/publication")
        ]

    assert pages == [403, 403]
    assert posts == [403, 403]
    assert await Response.filter(publication=Publication.HELD).count() == 0
    assert await AuditEntry.filter(action__startswith="campaign").count() == 0


async def test_a_visitor_is_sent_to_sign_in(client: httpx.AsyncClient, clock: FixedClock) -> None:
    await make_call(clock.now())

    response = await client.get(CAMPAIGNS)

    assert response.status_code == 303
    assert response.headers["location"] == f"/account/signin?next={CAMPAIGNS}"
