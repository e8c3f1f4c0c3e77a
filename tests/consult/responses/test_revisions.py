"""Revisions: the public reads exactly what moderators approved, whatever the author saves after.

Each test drives the real app (HTML flow, JSON API, public pages, exports) on SQLite and
PostgreSQL, and checks the rows, the public surfaces and the mails sent.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx
import pytest
from jinja2 import DictLoader, Environment, TemplateNotFound
from starlette.applications import Starlette

from base.settings import Settings
from config.routes import site_without_app
from consult.calls.models import Attachment, Call, Question, QuestionKind
from consult.moderation.models import Redaction
from consult.moderation.services import decide_publication
from consult.responses import services
from consult.responses.models import (
    Publication,
    Response,
    ResponseRevision,
    ResponseStatus,
    RevisionAnswer,
)
from core.clock import FixedClock
from core.models import Person
from core.notifications.models import Notification
from core.vocabulary import Role
from tests.consult.api.helpers import (
    Organisation,
    full_answers,
    organisation_with_token,
    submission,
)
from tests.consult.responses.journey import (
    give_answers,
    give_details,
    start,
    submit,
    submit_form,
)
from tests.factories import (
    make_call,
    make_person,
    questions_by_kind,
    second_browser,
    verified_stakeholder,
)
from tests.support import Mailbox, csrf_from, page, post_form, subjects

FIRST = "Contact me on 0800 555 0100 please"
PHONE = "0800 555 0100"


async def moderator(call: Call) -> Person:
    person = await make_person("moderator@example.gov", "Rosalind Franklin", role=Role.ORGANISER)
    await call.team.add(person)
    return person


async def published_response(
    client: httpx.AsyncClient, call: Call, mod: Person, clock: FixedClock, text: str = FIRST
) -> Response:
    """A response submitted through the pages with `text` as its long answer, then published."""
    await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call, consent="publish_named")
    await give_answers(client, call, long_text=text)
    assert (await submit(client, call)).status_code == 303
    response = await Response.get(call_id=call.id)
    assert await decide_publication(mod, response, Publication.PUBLISHED, now=clock.now())
    return await Response.get(id=response.id)


async def public_text(client: httpx.AsyncClient, call: Call) -> str:
    """What the public reads of the call's responses: the pages, the API and the CSV together."""
    pages = await client.get(f"/calls/{call.slug}/responses/")
    api = await client.get(f"/api/v1/calls/{call.slug}/responses")
    csv = await client.get(f"/calls/{call.slug}/responses/export.csv")
    assert (pages.status_code, api.status_code, csv.status_code) == (200, 200, 200)
    return "\n".join([page(pages).get_text(" "), api.text, csv.text])


async def test_saving_changes_to_a_published_response_changes_nothing_public_until_approved(
    client: httpx.AsyncClient, clock: FixedClock, mailbox: Mailbox
) -> None:
    call = await make_call(clock.now())
    mod = await moderator(call)
    response = await published_response(client, call, mod, clock, text="Cryogenic metrology first")

    await give_answers(client, call, long_text="Unmoderated new words", action="later")
    await give_answers(client, call, long_text="", short_text="", action="later")  # blanked

    saved = await Response.get(id=response.id)
    assert (saved.revision, saved.published_revision_id) == (1, response.published_revision_id)
    assert saved.unsubmitted_changes
    shown = await public_text(client, call)
    assert "Cryogenic metrology first" in shown and "Unmoderated" not in shown
    # Organisers read the submitted revision too, not the draft.
    questions = await questions_by_kind(call)
    latest = await RevisionAnswer.get(
        revision_id=saved.latest_revision_id, question_id=questions[QuestionKind.LONG_TEXT].id
    )
    assert latest.text == "Cryogenic metrology first"

    await give_answers(client, call, long_text="Benchmarks before interfaces")
    assert (await submit(client, call)).status_code == 303

    resubmitted = await Response.get(id=response.id)
    assert resubmitted.revision == 2
    assert resubmitted.tracking_number == response.tracking_number
    assert resubmitted.publication == Publication.PENDING  # in the moderation queue again
    assert resubmitted.published_revision_id == response.published_revision_id
    assert "Cryogenic metrology first" in await public_text(client, call)
    assert subjects(mailbox, "Response updated") == [
        (
            "ada.lovelace@example.org",
            f"Response updated: {call.title} ({response.tracking_number})",
        )
    ]

    assert await decide_publication(mod, resubmitted, Publication.PUBLISHED, now=clock.now())
    shown = await public_text(client, call)
    assert "Benchmarks before interfaces" in shown and "Cryogenic metrology first" not in shown
    numbers = await ResponseRevision.filter(response_id=response.id).values_list(
        "number", "publication"
    )
    assert sorted(numbers) == [(1, Publication.PUBLISHED), (2, Publication.PUBLISHED)]


async def test_a_redaction_hides_every_occurrence_and_is_carried_to_the_next_revision(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    mod = await moderator(call)
    response = await published_response(client, call, mod, clock)
    revision_one = await RevisionAnswer.get(revision_id=response.latest_revision_id, text=FIRST)
    async with second_browser(app) as moderators:
        await _check_redactions(client, moderators, call, response, revision_one, mod, clock)


async def _check_redactions(
    client: httpx.AsyncClient,
    moderators: httpx.AsyncClient,
    call: Call,
    response: Response,
    revision_one: RevisionAnswer,
    mod: Person,
    clock: FixedClock,
) -> None:
    await _sign_in_as_organiser(moderators, call, "rosalind@example.gov")
    base = f"/organise/calls/{call.slug}/responses/{response.id}"
    hidden = await post_form(
        moderators,
        f"{base}/redactions",
        {"answer": str(revision_one.id), "text": PHONE, "reason": "phone number"},
        form_page=base,
    )
    assert hidden.status_code == 303, hidden.text
    assert PHONE not in await public_text(client, call)

    # The author gives the number again, twice and spaced differently, in a new revision.
    again = f"{FIRST}, or {PHONE}, or 0800  555\n0100"
    await give_answers(client, call, long_text=again)
    assert (await submit(client, call)).status_code == 303
    assert PHONE not in await public_text(client, call)  # the approved revision still shows

    review = await moderators.get(base)
    assert "Revision 2 waits for a decision" in review.text
    diff = page(review).select_one("#new-revision table")
    assert diff is not None and "0800" in diff.select_one("ins").get_text()  # type: ignore[union-attr]
    carried = await post_form(moderators, f"{base}/redactions/carry-forward", {}, form_page=base)
    assert carried.status_code == 303, carried.text
    latest = await Response.get(id=response.id)
    assert await Redaction.filter(answer__revision_id=latest.latest_revision_id).count() == 1
    await decide_publication(mod, latest, Publication.PUBLISHED, now=clock.now())

    shown = await public_text(client, call)
    assert "0800" not in shown and "555" not in shown
    assert "Contact me on [redacted] please, or [redacted], or [redacted]" in shown


async def _sign_in_as_organiser(browser: httpx.AsyncClient, call: Call, email: str) -> None:
    await verified_stakeholder(browser, email)
    person = await Person.get(email=email)
    await Person.filter(id=person.id).update(role="organiser")
    await call.team.add(person)


async def test_a_stale_submit_after_an_edit_makes_no_revision_and_no_mail(
    client: httpx.AsyncClient, clock: FixedClock, mailbox: Mailbox
) -> None:
    call = await make_call(clock.now())
    mod = await moderator(call)
    await published_response(client, call, mod, clock)
    stale = await submit_form(client, call)  # the button of revision 1, already spent
    sent = len(mailbox.messages)

    await give_answers(client, call, long_text="A change never checked", action="later")
    refused = await submit(client, call, stale)

    assert refused.status_code == 400
    assert "This page has expired" in page(refused).get_text()
    row = await Response.get(call_id=call.id)
    assert (row.revision, row.unsubmitted_changes) == (1, True)
    assert (
        await ResponseRevision.filter(response_id=row.id, submitted_at__isnull=False).count() == 1
    )
    assert len(mailbox.messages) == sent


async def test_the_author_sees_every_revision_and_the_organiser_the_history(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    mod = await moderator(call)
    response = await published_response(client, call, mod, clock, text="First thoughts")
    await give_answers(client, call, long_text="Second thoughts")
    await submit(client, call)

    receipt = await client.get(f"/responses/{response.tracking_number}")
    assert "Second thoughts" in receipt.text
    earlier = page(receipt).select("details.details")
    assert len(earlier) == 1 and "First thoughts" in earlier[0].get_text()
    assert "Revision 1" in earlier[0].get_text()

    async with second_browser(app) as organisers:
        await _sign_in_as_organiser(organisers, call, "rosalind@example.gov")
        shown = await organisers.get(f"/organise/calls/{call.slug}/responses/{response.id}")
    rows = [row.get_text(" ", strip=True) for row in page(shown).select("#history tbody tr")]
    assert rows[0].startswith("2") and "To moderate" in rows[0]
    assert rows[1].startswith("1 (public now)") and "Published" in rows[1]


async def test_withdrawing_consent_in_a_new_revision_takes_the_published_one_down_at_once(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    mod = await moderator(call)
    response = await published_response(client, call, mod, clock, text="Named and public")
    await give_details(client, call, consent="do_not_publish")
    await submit(client, call)

    assert (await Response.get(id=response.id)).published_revision_id is None
    assert "Named and public" not in await public_text(client, call)


async def test_withdrawal_takes_every_revision_off_the_public_record_and_is_mailed(
    client: httpx.AsyncClient, clock: FixedClock, mailbox: Mailbox
) -> None:
    call = await make_call(clock.now())
    mod = await moderator(call)
    response = await published_response(client, call, mod, clock, text="Soon withdrawn")
    form_page = await client.get(f"/responses/{response.tracking_number}/withdraw")

    withdrawn = await client.post(
        f"/responses/{response.tracking_number}/withdraw",
        data={"csrf_token": csrf_from(form_page)},
    )

    assert withdrawn.status_code == 303
    assert (await Response.get(id=response.id)).status == ResponseStatus.WITHDRAWN
    assert "Soon withdrawn" not in await public_text(client, call)
    assert [s for _, s in subjects(mailbox, "Response withdrawn")] == [
        f"Response withdrawn: {call.title} ({response.tracking_number})"
    ]


async def test_the_api_put_makes_a_revision_that_waits_for_moderation(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    mod = await moderator(call)
    org = await organisation_with_token("ops@qubitworks.example", "Qubit Works", now=clock.now())
    first = await client.post(
        f"/api/v1/calls/{call.slug}/responses",
        json=submission(await full_answers(call, text="Metrology first.")),
        headers={**org.headers, "Idempotency-Key": "first"},
    )
    tracking = first.json()["tracking_number"]
    response = await Response.get(tracking_number=tracking)
    await decide_publication(mod, response, Publication.PUBLISHED, now=clock.now())

    changed = await client.put(
        f"/api/v1/responses/{tracking}",
        json=submission(await full_answers(call, text="Interfaces first.")),
        headers={**org.headers, "Idempotency-Key": "second"},
    )

    assert changed.status_code == 200, changed.text
    assert changed.json()["revision"] == 2
    shown = await public_text(client, call)
    assert "Metrology first." in shown and "Interfaces first." not in shown
    latest = await Response.get(id=response.id)
    assert latest.publication == Publication.PENDING
    assert await ResponseRevision.filter(response_id=response.id).count() == 2


async def test_concurrent_api_posts_with_different_keys_make_one_response_and_one_mail(
    client: httpx.AsyncClient, clock: FixedClock, mailbox: Mailbox
) -> None:
    call = await make_call(clock.now())
    org: Organisation = await organisation_with_token(
        "ops@qubitworks.example", "Qubit Works", now=clock.now()
    )
    body = submission(await full_answers(call))

    answers = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/calls/{call.slug}/responses",
                json=body,
                headers={**org.headers, "Idempotency-Key": f"key-{n}"},
            )
            for n in range(20)
        )
    )

    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * 19, [a.text for a in answers if a.status_code not in (201, 409)]
    response = await Response.get(call_id=call.id)
    assert response.revision == 1
    assert await ResponseRevision.filter(response_id=response.id).count() == 1
    assert len(mailbox.to("ops@qubitworks.example", "Response received")) == 1


async def test_a_receipt_that_cannot_be_written_leaves_no_revision_behind(
    client: httpx.AsyncClient, clock: FixedClock, settings: Settings
) -> None:
    call = await make_call(clock.now())
    person = await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call)
    await give_answers(client, call)
    response = await Response.get(call_id=call.id)
    questions = list(await Question.filter(call_id=call.id).order_by("position", "id"))

    # A site whose mail templates are missing: composing the receipt fails inside the transaction.
    broken = replace(
        site_without_app(settings), env=Environment(loader=DictLoader({}), autoescape=True)
    )
    with pytest.raises(TemplateNotFound):
        await services.submit_response(
            response,
            call,
            questions,
            services.submit_token(response),
            now=clock.now(),
            site=broken,
        )

    # The revision and its receipt commit together or not at all: nothing was submitted.
    after = await Response.get(id=response.id)
    assert (after.status, after.revision, after.tracking_number) == (
        ResponseStatus.DRAFT,
        0,
        None,
    )
    assert not await ResponseRevision.filter(response_id=response.id).exists()
    assert not await Notification.filter(person_id=person.id).exclude(kind="verify_email").exists()


async def test_a_file_taken_out_in_a_later_revision_stays_with_the_revision_that_carried_it(
    client: httpx.AsyncClient, clock: FixedClock, settings: Settings
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call)
    await give_answers(client, call, upload=("notes.txt", b"plain text notes"))
    assert (await submit(client, call)).status_code == 303
    stored = await Attachment.get()
    response = await Response.get(call_id=call.id)

    removed = await post_form(
        client,
        f"/calls/{call.slug}/respond/files/{stored.id}/delete",
        {},
        form_page=f"/calls/{call.slug}/respond/answers",
    )
    assert removed.status_code == 303
    # Removed from the changes only: revision 1 still carries it, on disk and for download.
    assert (settings.upload_dir / stored.stored_name).exists()
    download = await client.get(f"/responses/{response.tracking_number}/files/{stored.id}")
    assert (download.status_code, download.content) == (200, b"plain text notes")

    assert (await submit(client, call)).status_code == 303
    latest = await Response.get(id=response.id)
    questions = await questions_by_kind(call)
    file_answers = await RevisionAnswer.filter(
        revision__response_id=response.id, question_id=questions[QuestionKind.FILE].id
    ).order_by("revision_id")
    assert [a.file_ids for a in file_answers] == [[stored.id], []]
    assert latest.revision == 2 and (settings.upload_dir / stored.stored_name).exists()
    assert (await Attachment.get(id=stored.id)).answer_id is None  # not in the latest answers


async def test_a_revision_submitted_while_the_moderator_reads_is_never_published_unread(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call, consent="publish_named")
    await give_answers(client, call, long_text="What the moderator read")
    await submit(client, call)
    response = await Response.get(call_id=call.id)
    base = f"/organise/calls/{call.slug}/responses/{response.id}"
    async with second_browser(app) as moderators:
        await _sign_in_as_organiser(moderators, call, "rosalind@example.gov")
        shown = await moderators.get(base)
        read = page(shown).find("input", attrs={"name": "revision"})
        assert read is not None and read["value"] == str(response.latest_revision_id)
        # Meanwhile the author submits another revision.
        await give_answers(client, call, long_text="Words no moderator has read")
        await submit(client, call)

        decided = await moderators.post(
            f"{base}/publication",
            data={
                "csrf_token": csrf_from(shown),
                "decision": "published",
                "revision": str(read["value"]),
            },
        )

    assert decided.status_code == 400
    assert "submitted a new revision while you were reading" in decided.text
    latest = await Response.get(id=response.id)
    assert (latest.revision, latest.published_revision_id) == (2, None)
    assert "Words no moderator has read" not in await public_text(client, call)
