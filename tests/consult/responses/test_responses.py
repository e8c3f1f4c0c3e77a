"""Answering a call: drafts, every validation, the deadline, never twice, receipts and their privacy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette

from base.settings import Settings
from config.leader import postgres_dsn
from consult.calls.models import Attachment, CallState, Question, QuestionKind
from consult.moderation.services import decide_publication
from consult.responses import services
from consult.responses.models import (
    Answer,
    Publication,
    Response,
    ResponseRevision,
    ResponseStatus,
)
from consult.responses.services import AnswerInput, UploadRules
from consult.responses.tracking import normalise
from core.clock import FixedClock
from core.errors import FieldProblem
from core.notifications.compose import Site
from core.notifications.models import Notification
from core.uploads import TOO_LARGE_UNPACKED
from core.vocabulary import Role
from tests.archives import odt_bomb
from tests.consult.responses.journey import (
    complete_response,
    give_answers,
    give_details,
    start,
    submit,
    submit_form,
)
from tests.factories import (
    TINY_PDF,
    make_call,
    make_person,
    organiser_of,
    questions_by_kind,
    verified_stakeholder,
)
from tests.support import (
    Mailbox,
    PeakMemory,
    csrf_from,
    error_summary,
    field_error,
    page,
    post_form,
    sign_up,
    text_of,
)

SENSITIVE_TEXT = "Our unannounced cryostat supplier is Frostworks"


async def test_the_whole_journey_gives_a_receipt_after_commit_and_mails_a_copy(
    client: httpx.AsyncClient, clock: FixedClock, mailbox: Mailbox, settings
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)

    assert (await start(client, call)).headers["location"] == f"/calls/{call.slug}/respond/details"
    assert (await give_details(client, call)).headers[
        "location"
    ] == f"/calls/{call.slug}/respond/answers"
    saved = await give_answers(
        client,
        call,
        upload=("evidence.pdf", TINY_PDF),
        sensitive=(QuestionKind.SHORT_TEXT,),
        short_text=SENSITIVE_TEXT,
    )
    assert saved.headers["location"] == f"/calls/{call.slug}/respond/check"
    response = await submit(client, call)

    row = await Response.get(call_id=call.id)
    assert row.status == ResponseStatus.SUBMITTED
    assert normalise(row.tracking_number or "") == row.tracking_number
    assert response.headers["location"] == f"/responses/{row.tracking_number}"
    assert (row.respondent_type, row.organisation_name, row.sector, row.country, row.consent) == (
        "organisation",
        "Qubit Foundry Ltd",
        "industry",
        "GB",
        "publish_anonymous",
    )
    answers = {a.question_id: a for a in await Answer.filter(response_id=row.id)}
    questions = await questions_by_kind(call)
    assert answers[questions[QuestionKind.MULTIPLE_CHOICE].id].choices == [
        "Metrology",
        "Benchmarks",
    ]
    assert answers[questions[QuestionKind.SCALE].id].scale == 4
    assert answers[questions[QuestionKind.SHORT_TEXT].id].sensitive is True
    [stored] = await Attachment.filter(answer__response_id=row.id)
    assert (stored.original_name, stored.content_type) == ("evidence.pdf", "application/pdf")
    assert (settings.upload_dir / stored.stored_name).read_bytes() == TINY_PDF
    assert stored.stored_name != "evidence.pdf"

    receipt = await client.get(response.headers["location"])
    html = page(receipt)
    assert html.find("h1").get_text(strip=True) == "Response submitted"
    assert html.select_one(".panel .tracking-number").get_text() == row.tracking_number
    assert "What happens next" in html.get_text()

    [message] = mailbox.to("ada.lovelace@example.org", "Response")
    assert (
        str(message["Subject"]).strip()
        == f"Response received: {call.title} ({row.tracking_number})"
    )
    body = text_of(message)
    assert f"Tracking number: {row.tracking_number}" in body
    assert f"Your job title [COMMERCIALLY SENSITIVE: never published]\n{SENSITIVE_TEXT}" in body
    assert "Jointly" in body and "4 out of 5" in body and "evidence.pdf" in body


async def test_a_saved_draft_is_there_when_the_stakeholder_comes_back(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call, action="later")

    later = await give_answers(
        client,
        call,
        action="later",
        long_text="Half-written thoughts",
        single_choice=None,
        scale=None,
    )

    assert (
        later.headers["location"] == f"/calls/{call.slug}"
    )  # leave for later: back to the call page
    row = await Response.get(call_id=call.id)
    assert row.status == ResponseStatus.DRAFT and row.tracking_number is None
    call_page = page(await client.get(f"/calls/{call.slug}"))
    assert "Continue your response" in call_page.get_text()
    form = page(await client.get(f"/calls/{call.slug}/respond/answers"))
    questions = await questions_by_kind(call)
    # Browsers drop the newline that starts a textarea's content.
    assert (
        form.find(id=questions[QuestionKind.LONG_TEXT].field_name).get_text().lstrip("\r\n")
        == "Half-written thoughts"
    )
    assert form.find("input", attrs={"value": "Benchmarks"}).has_attr("checked")


async def test_required_answers_word_limits_choices_and_scale_are_enforced(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call)
    questions = await questions_by_kind(call)

    response = await give_answers(
        client,
        call,
        long_text=" ".join(["word"] * 51),
        single_choice="Someone else",
        multiple_choice=["Metrology", "Astrology"],
        scale="6",
    )

    assert response.status_code == 400
    assert "has 51 words; use 50 words or fewer" in field_error(
        response, questions[QuestionKind.LONG_TEXT].field_name
    )
    assert (
        field_error(response, questions[QuestionKind.SINGLE_CHOICE].field_name)
        == "Error: Not a valid choice."
    )
    assert (
        "not a valid choice"
        in field_error(response, questions[QuestionKind.MULTIPLE_CHOICE].field_name).lower()
    )
    assert (
        field_error(response, questions[QuestionKind.SCALE].field_name)
        == "Error: Not a valid choice."
    )
    assert await Answer.all().count() == 0

    missing = await give_answers(client, call, long_text="", single_choice=None)
    assert missing.status_code == 400
    assert "Answer “Which standards are most needed?”" in error_summary(missing)


async def test_a_word_count_exactly_at_the_limit_is_accepted(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call)

    response = await give_answers(client, call, long_text="one  two\nthree " + " ".join(["w"] * 47))

    assert response.status_code == 303


async def test_files_are_checked_by_content_not_by_name(
    client: httpx.AsyncClient, clock: FixedClock, settings
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call)
    questions = await questions_by_kind(call)

    executable = await give_answers(
        client, call, upload=("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00binary")
    )
    zip_renamed = await give_answers(
        client, call, upload=("report.docx", b"PK\x03\x04 not a real archive")
    )

    for response in (executable, zip_renamed):
        assert response.status_code == 400
        assert (
            "must be a PDF, Word (DOCX), OpenDocument text (ODT) or plain text file"
            in field_error(response, questions[QuestionKind.FILE].field_name)
        )
    assert await Attachment.all().count() == 0
    assert not settings.upload_dir.exists() or not list(settings.upload_dir.iterdir())


async def test_files_over_the_size_limit_are_refused(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    app.state.settings = replace(app.state.settings, upload_max_mb=1)
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call)

    response = await give_answers(client, call, upload=("big.txt", b"a" * (1024 * 1024 + 1)))

    assert response.status_code == 400
    assert "smaller than 1 MB" in response.text
    assert await Attachment.all().count() == 0


async def test_an_archive_bomb_is_refused_with_its_reason_within_a_few_mb(
    client: httpx.AsyncClient, clock: FixedClock, settings
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call)
    file_field = (await questions_by_kind(call))[QuestionKind.FILE].field_name
    bomb = odt_bomb(1024)  # 1 MB whose `mimetype` unpacks to 1 GiB

    with PeakMemory() as peak:
        response = await give_answers(client, call, upload=("evidence.odt", bomb))

    assert response.status_code == 400
    assert field_error(response, file_field) == f"Error: {TOO_LARGE_UNPACKED}"
    assert peak.mb < 16  # what any 1 MB upload costs here, client included; unpacking took 2 GB
    assert await Attachment.all().count() == 0
    assert not settings.upload_dir.exists() or not list(settings.upload_dir.iterdir())


async def test_a_response_carries_at_most_the_configured_number_of_files(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    app.state.settings = replace(app.state.settings, upload_max_files=2)
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call)

    for number in range(2):
        assert (
            await give_answers(client, call, upload=(f"note{number}.txt", b"plain notes"))
        ).status_code == 303
    third = await give_answers(client, call, upload=("note3.txt", b"plain notes"))

    assert third.status_code == 400
    assert "at most 2 files" in third.text
    assert await Attachment.all().count() == 2


async def test_a_write_one_second_after_the_deadline_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now(), closes_in=timedelta(hours=1))
    await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call)
    await give_answers(client, call)
    form = await submit_form(client, call)
    answers_form = csrf_from(await client.get(f"/calls/{call.slug}/respond/answers"))
    before = [(a.text, a.choices, a.scale) for a in await Answer.all().order_by("id")]

    clock.advance(hours=1, seconds=1)
    submitted = await submit(client, call, form)
    edited = await client.post(
        f"/calls/{call.slug}/respond/answers",
        data={"csrf_token": answers_form, "action": "continue"},
    )

    for response in (submitted, edited):
        assert response.status_code == 403
        assert "This call has closed" in page(response).find("h1").get_text()
    row = await Response.get(call_id=call.id)
    assert row.status == ResponseStatus.DRAFT and row.tracking_number is None
    assert [(a.text, a.choices, a.scale) for a in await Answer.all().order_by("id")] == before


async def test_the_submit_service_itself_refuses_at_the_deadline_and_changes_nothing(
    client: httpx.AsyncClient, clock: FixedClock, site: Site
) -> None:
    call = await make_call(clock.now(), closes_in=timedelta(hours=1))
    person = await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call)
    await give_answers(client, call)
    response = await Response.get(call_id=call.id)
    questions = list(await Question.filter(call_id=call.id).order_by("position", "id"))
    token = services.submit_token(response)

    async def stored() -> tuple[object, ...]:
        return (
            await Response.filter(call_id=call.id).values(),
            await Answer.filter(response__call_id=call.id).order_by("id").values(),
            await ResponseRevision.filter(response__call_id=call.id).count(),
            await Notification.filter(person_id=person.id).count(),
        )

    before = await stored()

    # No view in front: the service alone must keep the deadline.
    clock.advance(hours=1)  # exactly `closes_at`, the first moment the call is closed
    with pytest.raises(services.CallClosed):
        await services.submit_response(
            response, call, questions, token, now=clock.now(), site=site, send=False
        )

    assert await stored() == before
    # The same submission one second earlier goes through: only the deadline stood in its way.
    clock.advance(seconds=-1)
    outcome = await services.submit_response(
        response, call, questions, token, now=clock.now(), site=site, send=False
    )
    assert (outcome.response.status, outcome.response.revision) == (ResponseStatus.SUBMITTED, 1)


async def test_a_double_submit_and_a_retried_post_give_one_response_and_one_email(
    client: httpx.AsyncClient, clock: FixedClock, mailbox: Mailbox
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call)
    await give_answers(client, call)
    form = await submit_form(client, call)

    first = await submit(client, call, form)
    retried = await submit(client, call, form)  # the same POST again, as after a dropped connection

    assert first.headers["location"] == retried.headers["location"]
    assert await Response.filter(call_id=call.id).count() == 1
    row = await Response.get(call_id=call.id)
    assert row.revision == 1
    assert len(mailbox.to("ada.lovelace@example.org", "Response")) == 1


async def test_two_concurrent_submits_of_one_draft_leave_one_submission(
    client: httpx.AsyncClient, clock: FixedClock, mailbox: Mailbox
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call)
    await give_answers(client, call)
    form = await submit_form(client, call)

    results = await asyncio.gather(*(submit(client, call, form) for _ in range(4)))

    assert {r.status_code for r in results} == {303}
    assert len({r.headers["location"] for r in results}) == 1
    row = await Response.get(call_id=call.id)
    assert (row.status, row.revision) == (ResponseStatus.SUBMITTED, 1)
    assert len(mailbox.to("ada.lovelace@example.org", "Response")) == 1


@asynccontextmanager
async def inserts_held_back(
    database_url: str, table: str
) -> AsyncIterator[Callable[[int], Awaitable[None]]]:
    """Inside: inserts into `table` wait while reads go on; `all_waiting(n)` returns once `n`
    inserts wait. On leaving, they all go ahead together.

    PostgreSQL: a second, real connection holds a SHARE lock on the table (reads pass, inserts
    queue). SQLite needs nothing: its one connection serves queries first come, first served, so
    requests started together read before any of them writes.
    """
    if not database_url.startswith("postgres"):

        async def nothing_to_wait_for(count: int) -> None:
            pass

        yield nothing_to_wait_for
        return
    holder = await asyncpg.connect(postgres_dsn(database_url))

    async def waiting() -> int:
        return int(
            await holder.fetchval(
                "SELECT count(*) FROM pg_locks WHERE relation = $1::regclass AND NOT granted",
                table,
            )
        )

    async def all_waiting(count: int) -> None:
        async with asyncio.timeout(60):  # only so that a broken test fails instead of hanging
            while await waiting() < count:  # noqa: ASYNC110 (the server's lock table: no event)
                await asyncio.sleep(0.01)

    try:
        async with holder.transaction():
            await holder.execute(f"LOCK TABLE {table} IN SHARE MODE")
            yield all_waiting
    finally:
        await holder.close()


async def test_two_tabs_starting_at_once_make_one_draft(
    client: httpx.AsyncClient, clock: FixedClock, database_url: str
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    token = csrf_from(await client.get(f"/calls/{call.slug}/respond"))

    async with inserts_held_back(database_url, "response") as all_waiting:
        tabs = [
            asyncio.create_task(
                client.post(f"/calls/{call.slug}/respond", data={"csrf_token": token})
            )
            for _ in range(3)
        ]
        await all_waiting(len(tabs))  # every tab found no draft and is about to make one
    answers = await asyncio.gather(*tabs)

    assert [a.headers["location"] for a in answers] == [f"/calls/{call.slug}/respond/details"] * 3
    assert await Response.filter(call_id=call.id).count() == 1


async def test_a_check_page_shown_before_later_changes_cannot_submit_them_unchecked(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call)
    await give_answers(client, call)
    stale = await submit_form(client, call)
    await give_answers(client, call, short_text="Changed in another tab")
    fresh = await submit_form(client, call)

    refused = await submit(client, call, stale)
    assert refused.status_code == 400
    assert "This page has expired" in page(refused).get_text()
    assert (await Response.get(call_id=call.id)).status == ResponseStatus.DRAFT

    # The refusal page shows the answers as they are now and carries their token.
    assert "Changed in another tab" in page(refused).get_text()
    renewed = {
        "csrf_token": csrf_from(refused),
        "submit_token": str(page(refused).find("input", attrs={"name": "submit_token"})["value"]),
    }
    assert renewed["submit_token"] == fresh["submit_token"] != stale["submit_token"]
    assert (await submit(client, call, renewed)).status_code == 303
    assert (
        await submit(client, call, fresh)
    ).status_code == 303  # already submitted: the receipt again
    row = await Response.get(call_id=call.id)
    assert (row.status, row.revision) == (ResponseStatus.SUBMITTED, 1)


async def test_showing_the_check_page_changes_nothing(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call)
    await give_answers(client, call)
    before = await Response.get(call_id=call.id)

    first, second = await submit_form(client, call), await submit_form(client, call)

    after = await Response.get(call_id=call.id)
    assert first["submit_token"] == second["submit_token"]
    assert (after.edits, after.updated_at, after.revision) == (
        before.edits,
        before.updated_at,
        before.revision,
    )


async def test_editing_before_the_deadline_keeps_the_tracking_number_and_mails_an_update(
    client: httpx.AsyncClient, clock: FixedClock, mailbox: Mailbox
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await complete_response(client, call)
    first = await Response.get(call_id=call.id)

    await give_answers(client, call, long_text="A revised answer about interface standards.")
    again = await submit(client, call)

    row = await Response.get(call_id=call.id)
    assert again.headers["location"] == f"/responses/{first.tracking_number}"
    assert (row.tracking_number, row.revision, row.submitted_at) == (
        first.tracking_number,
        2,
        first.submitted_at,
    )
    subjects = [
        str(m["Subject"]).strip() for m in mailbox.to("ada.lovelace@example.org", "Response")
    ]
    assert subjects == [
        f"Response received: {call.title} ({first.tracking_number})",
        f"Response updated: {call.title} ({first.tracking_number})",
    ]
    assert "A revised answer about interface standards." in text_of(
        mailbox.to("ada.lovelace@example.org", "Response")[1]
    )


async def test_withdrawing_works_until_the_deadline_only(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now(), closes_in=timedelta(days=2))
    await verified_stakeholder(client)
    await complete_response(client, call)
    row = await Response.get(call_id=call.id)
    form = csrf_from(await client.get(f"/responses/{row.tracking_number}/withdraw"))

    withdrawn = await client.post(
        f"/responses/{row.tracking_number}/withdraw", data={"csrf_token": form}
    )

    assert withdrawn.status_code == 303
    row = await Response.get(id=row.id)
    assert row.status == ResponseStatus.WITHDRAWN and row.withdrawn_at == clock.now()

    await submit(client, call)  # resubmitted
    clock.advance(days=2)
    late = await client.post(
        f"/responses/{row.tracking_number}/withdraw", data={"csrf_token": form}
    )
    assert late.status_code == 403
    assert (await Response.get(id=row.id)).status == ResponseStatus.SUBMITTED


async def test_another_stakeholder_gets_404_for_your_receipt_and_never_sees_your_draft(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await complete_response(client, call, long_text="Alice's private view on metrology")
    row = await Response.get(call_id=call.id)

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as other:
        await verified_stakeholder(other, "mallory@example.org")
        receipt = await other.get(f"/responses/{row.tracking_number}")
        own_draft = await other.get(f"/calls/{call.slug}/respond/answers")
        file = await other.get(f"/responses/{row.tracking_number}/files/1")

    assert receipt.status_code == 404
    assert file.status_code == 404
    assert own_draft.status_code == 404  # Mallory has not started; Alice's draft is never hers
    assert "Alice's private view" not in receipt.text + own_draft.text


async def test_the_call_team_may_read_a_receipt_but_other_organisers_may_not(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    other_call = await make_call(clock.now(), slug="supply-chain-dependencies")
    await verified_stakeholder(client)
    await complete_response(client, call)
    row = await Response.get(call_id=call.id)

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as team:
        await organiser_of(call, team)
        assert (await team.get(f"/responses/{row.tracking_number}")).status_code == 200
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as outsider:
        await organiser_of(other_call, outsider, "outsider@example.gov")
        assert (await outsider.get(f"/responses/{row.tracking_number}")).status_code == 404


async def test_unverified_people_cannot_respond(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await sign_up(client)

    response = await client.get(f"/calls/{call.slug}/respond")

    assert response.status_code == 403
    assert "Confirm your email address" in response.text
    assert await Response.all().count() == 0


async def test_injected_html_in_answers_comes_out_inert(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    await complete_response(client, call, long_text=hostile, short_text='"><svg onload=alert(1)>')
    row = await Response.get(call_id=call.id)

    for path in (f"/responses/{row.tracking_number}", f"/calls/{call.slug}/respond/check"):
        html = page(await client.get(path))
        assert html.find("script") is None
        assert html.find("img") is None and html.find("svg", attrs={"onload": True}) is None
        assert hostile in html.get_text()


async def test_sensitive_answers_appear_on_no_public_page(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    public_text = "Cryogenic interconnect standards need a shared test bench."
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await complete_response(
        client,
        call,
        short_text=SENSITIVE_TEXT,
        long_text=public_text,
        sensitive=(QuestionKind.SHORT_TEXT,),
    )
    client.cookies.clear()
    moderator = await make_person("moderator@example.gov", "Mo Derator", role=Role.ORGANISER)
    await call.team.add(moderator)
    response = await Response.get(call_id=call.id)
    await decide_publication(moderator, response, Publication.PUBLISHED, now=clock.now())

    pages = {
        path: await client.get(path)
        for path in (
            "/",
            "/calls/",
            f"/calls/{call.slug}",
            "/topics/standards",
            "/calls/?status=open",
            f"/calls/{call.slug}/responses/",
            f"/calls/{call.slug}/responses/{response.id}/not-me",
            f"/api/v1/calls/{call.slug}/responses",
            f"/calls/{call.slug}/responses/export.csv",
        )
    }

    # The response is public: its other answer is on the published pages, so the check can fail.
    assert public_text in pages[f"/calls/{call.slug}/responses/"].text
    assert public_text in pages[f"/api/v1/calls/{call.slug}/responses"].text
    for path, answer in pages.items():
        assert answer.status_code == 200, path
        assert SENSITIVE_TEXT not in answer.text, path


async def test_unknown_and_malformed_tracking_numbers_are_404(client: httpx.AsyncClient) -> None:
    await verified_stakeholder(client)

    for tracking in ("QC-2026-AAAA-AAAA", "nonsense", "QC-2026-7KX4-M9P"):
        assert (await client.get(f"/responses/{tracking}")).status_code == 404


async def test_draft_calls_are_not_public(client: httpx.AsyncClient, clock: FixedClock) -> None:
    call = await make_call(clock.now(), state=CallState.DRAFT)

    assert (await client.get(f"/calls/{call.slug}")).status_code == 404
    assert call.title not in (await client.get("/calls/")).text


async def test_removing_a_file_deletes_it_from_disk(
    client: httpx.AsyncClient, clock: FixedClock, settings
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await start(client, call)
    await give_details(client, call)
    await give_answers(client, call, upload=("notes.txt", b"plain text notes"))
    stored = await Attachment.get()
    path: Path = settings.upload_dir / stored.stored_name
    assert path.exists()

    response = await post_form(
        client,
        f"/calls/{call.slug}/respond/files/{stored.id}/delete",
        {},
        form_page=f"/calls/{call.slug}/respond/answers",
    )

    assert response.status_code == 303
    assert not path.exists()
    assert await Attachment.all().count() == 0


async def test_a_file_refused_after_another_was_written_leaves_neither_on_disk(
    client: httpx.AsyncClient, clock: FixedClock, settings: Settings
) -> None:
    call = await make_call(clock.now())
    person = await verified_stakeholder(client)
    first = (await questions_by_kind(call))[QuestionKind.FILE]
    second = await Question.create(
        call=call, position=99, kind=QuestionKind.FILE, prompt="Any other evidence"
    )
    questions = list(await Question.filter(call_id=call.id).order_by("position", "id"))
    response = await services.start_response(call, person, now=clock.now())
    inputs = {
        first.id: AnswerInput(upload=("evidence.pdf", TINY_PDF)),
        second.id: AnswerInput(upload=("program.exe", b"MZ\x90\x00not a document")),
    }

    with pytest.raises(FieldProblem):
        await services.save_answers(
            response,
            call,
            questions,
            inputs,
            uploads=UploadRules(settings.upload_dir, 1024 * 1024, 5),
            person=person,
            now=clock.now(),
        )

    assert not await Attachment.exists()
    assert not settings.upload_dir.exists() or list(settings.upload_dir.iterdir()) == []
