"""One response in the workspace: every answer beside what the public sees, redaction by pasted
text (no JavaScript), publish and hold, and "this was not me" reports; each action audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from base.settings import Settings
from consult.calls.models import Attachment, AttachmentKind, Call, QuestionKind
from consult.moderation.matching import occurrences
from consult.moderation.models import NotMeReport, Redaction, ReportStatus
from consult.moderation.public import public_views
from consult.responses.models import (
    Answer,
    Consent,
    Publication,
    Response,
    ResponseSearch,
    ResponseStatus,
    RevisionAnswer,
)
from consult.responses.revisions import as_submitted
from core.clock import FixedClock
from core.models import AuditEntry
from core.uploads import store_upload
from tests.consult.pages.workspace_helpers import hours_ago, respond, table_rows
from tests.factories import TINY_PDF, make_call, organiser_of, questions_by_kind
from tests.support import csrf_from, error_summary, field_error, page, post_form

CALL = "/organise/calls/quantum-standards"
PHONE = "Call me on 07700 900123 about cryogenic supply."


async def phone_response(call: Call, clock: FixedClock, **changes: Any) -> Response:
    fields: dict[str, Any] = {
        "name": "Grace Hopper",
        "submitted_at": hours_ago(clock.now(), 2),
        "text": PHONE,
        "sensitive": "Head of procurement at a secret fab",
        **changes,
    }
    return await respond(call, "grace@example.org", **fields)


def path(response: Response, tail: str = "") -> str:
    return f"{CALL}/responses/{response.id}{tail}"


async def long_answer(response: Response) -> RevisionAnswer:
    """The long answer as the latest revision keeps it: what redactions belong to."""
    call = await Call.get(id=response.call_id)
    question = (await questions_by_kind(call))[QuestionKind.LONG_TEXT]
    return await as_submitted(await Answer.get(response_id=response.id, question_id=question.id))


def public_column(shown: httpx.Response, question_id: int) -> str:
    columns = page(shown).select(f"#answer-{question_id} .column-one-half")
    assert len(columns) == 2, "the answer has no public preview beside it"
    return columns[1].select_one("p").get_text(strip=True)  # type: ignore[union-attr]


async def audit_actions() -> list[tuple[int | None, str, str, str]]:
    return list(
        await AuditEntry.all()
        .order_by("id")
        .values_list("actor_id", "action", "object_type", "object_id")
    )


# ---------------------------------------------------------------- The response page


async def test_the_response_page_shows_every_answer_files_and_the_public_preview(
    client: httpx.AsyncClient, clock: FixedClock, settings: Settings
) -> None:
    call = await make_call(clock.now())
    await organiser_of(call, client)
    response = await phone_response(call, clock)
    questions = await questions_by_kind(call)
    file_answer = await Answer.create(response=response, question=questions[QuestionKind.FILE])
    kept = store_upload(settings.upload_dir, "evidence.pdf", TINY_PDF, max_bytes=10_000)
    document = await Attachment.create(
        kind=AttachmentKind.RESPONSE_FILE,
        answer=file_answer,
        original_name=kept.original_name,
        stored_name=kept.stored_name,
        content_type=kept.content_type,
        size=kept.size,
        sha256=kept.sha256,
    )

    shown = await client.get(path(response))

    assert shown.status_code == 200
    html = page(shown)
    assert html.h1.get_text(strip=True) == f"Response {response.tracking_number}"  # type: ignore[union-attr]
    short = html.select_one(f"#answer-{questions[QuestionKind.SHORT_TEXT].id}")
    assert short is not None
    assert "Head of procurement at a secret fab" in short.get_text()
    assert short.find("strong", string="Commercially sensitive") is not None
    assert public_column(shown, questions[QuestionKind.SHORT_TEXT].id) == (
        "Nothing: the answer is marked commercially sensitive"
    )
    assert public_column(shown, questions[QuestionKind.LONG_TEXT].id) == PHONE
    assert public_column(shown, questions[QuestionKind.FILE].id) == (
        "Nothing: files are never published"
    )
    link = html.find("a", string="evidence.pdf")
    assert link is not None
    assert link["href"] == f"/responses/{response.tracking_number}/files/{document.id}"
    download = await client.get(str(link["href"]))
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.content == TINY_PDF
    assert html.find("button", string="Publish") is not None


async def test_a_response_without_consent_says_why_it_cannot_be_published(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await organiser_of(call, client)
    response = await phone_response(call, clock, consent=Consent.DO_NOT_PUBLISH)

    shown = await client.get(path(response))
    refused = await client.post(
        path(response, "/publication"),
        data={"csrf_token": csrf_from(shown), "decision": "published"},
    )

    assert shown.status_code == 200
    inset = page(shown).select_one("#decision .inset-text")
    assert inset is not None
    assert inset.get_text(strip=True).startswith(
        "This response cannot be published: its author chose “Do not publish my response”."
    )
    assert page(shown).find("button", string="Publish") is None
    assert refused.status_code == 400
    assert error_summary(refused) == [
        "Only a submitted response whose author agreed to publication can be published"
    ]
    assert (await Response.get(id=response.id)).publication == Publication.PENDING
    assert await audit_actions() == []


async def test_only_submitted_responses_of_this_call_have_a_page(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    other = await make_call(clock.now(), slug="supply-chains")
    await organiser_of(call, client)
    draft = await respond(
        call, "d@example.org", submitted_at=clock.now(), status=ResponseStatus.DRAFT
    )
    elsewhere = await respond(other, "e@example.org", submitted_at=clock.now())

    for response_id in (draft.id, elsewhere.id, 999_999, 99_999_999_999):
        assert (await client.get(f"{CALL}/responses/{response_id}")).status_code == 404


# ---------------------------------------------------------------- Publish and hold


async def test_publish_then_hold_changes_the_decision_and_audits_each(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    rosalind = await organiser_of(call, client)
    response = await phone_response(call, clock)

    published = await post_form(
        client, path(response, "/publication"), {"decision": "published"}, form_page=path(response)
    )

    assert (published.status_code, published.headers["location"]) == (303, path(response))
    stored = await Response.get(id=response.id)
    assert (stored.publication, stored.publication_decided_at) == (
        Publication.PUBLISHED,
        clock.now(),
    )
    assert [view.id for view in await public_views([stored])] == [response.id]
    shown = await client.get(path(response))
    assert page(shown).find("button", string="Publish") is None
    assert f"Response {response.tracking_number} is published." in shown.text

    held = await post_form(
        client, path(response, "/publication"), {"decision": "held"}, form_page=path(response)
    )

    assert held.status_code == 303
    assert (await Response.get(id=response.id)).publication == Publication.HELD
    assert not await ResponseSearch.exists(response_id=response.id)
    assert await audit_actions() == [
        (rosalind.id, "response.published", "response", str(response.id)),
        (rosalind.id, "response.held", "response", str(response.id)),
    ]
    nonsense = await post_form(
        client, path(response, "/publication"), {"decision": "deleted"}, form_page=path(response)
    )
    assert nonsense.status_code == 400
    assert "Choose publish or hold." in nonsense.text


# ---------------------------------------------------------------- Redaction by pasted text


async def test_pasted_text_is_redacted_and_the_public_sees_redacted_in_its_place(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    rosalind = await organiser_of(call, client)
    response = await phone_response(call, clock)
    answer = await long_answer(response)

    redacted = await post_form(
        client,
        path(response, "/redactions"),
        {
            "answer": str(answer.id),
            "text": " 07700 900123\r\n",
            "occurrence": "",
            "reason": "phone number",
        },
        form_page=path(response),
    )

    assert (redacted.status_code, redacted.headers["location"]) == (303, path(response))
    span = await Redaction.get(answer_id=answer.id)
    assert (span.start, span.end, span.original, span.reason, span.created_by_id) == (  # type: ignore[attr-defined]
        11,
        23,
        "07700 900123",
        "phone number",
        rosalind.id,
    )
    assert (await Answer.get(id=answer.id)).text == PHONE  # the original is kept
    shown = await client.get(path(response))
    expected = "Call me on [redacted] about cryogenic supply."
    assert public_column(shown, answer.question_id) == expected  # type: ignore[attr-defined]
    # The organiser who signed up through organiser_of() is called Ada Lovelace.
    assert table_rows(shown) == [["07700 900123", "phone number", "Ada Lovelace", "Remove"]]
    assert await audit_actions() == [
        (rosalind.id, "answer.redacted", "revision_answer", str(answer.id))
    ]

    await post_form(
        client, path(response, "/publication"), {"decision": "published"}, form_page=path(response)
    )
    [view] = await public_views([await Response.get(id=response.id)])
    assert [a.text for a in view.answers if a.text] == [expected]
    search = await ResponseSearch.get(response_id=response.id)
    assert "07700" not in search.body and "secret fab" not in search.body


async def test_text_that_is_not_in_the_answer_is_refused_with_an_error_summary(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await organiser_of(call, client)
    response = await phone_response(call, clock)
    answer = await long_answer(response)

    refused = await post_form(
        client,
        path(response, "/redactions"),
        {"answer": str(answer.id), "text": "07700 999999", "reason": "phone number"},
        form_page=path(response),
    )

    assert refused.status_code == 400
    message = "“07700 999999” is not in this answer. Paste the text as the answer has it"
    assert error_summary(refused) == [message]
    assert field_error(refused, "text") == f"Error: {message}"
    assert page(refused).select_one("#text").get_text().strip() == "07700 999999"  # type: ignore[union-attr]
    assert not await Redaction.exists()
    assert await audit_actions() == []

    missing = await post_form(
        client,
        path(response, "/redactions"),
        {"answer": "999999", "text": "", "reason": ""},
        form_page=path(response),
    )
    assert missing.status_code == 400
    assert error_summary(missing) == [
        "Choose the answer that holds the text",
        "Paste the text to hide from the public",
        "Give a reason for the redaction, such as “phone number”",
    ]


async def test_text_that_appears_twice_is_hidden_every_time_whatever_its_case_or_spacing(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await organiser_of(call, client)
    text = "Ask Alice Smith, or ALICE  SMITH's deputy, or Alice-Smith."
    response = await phone_response(call, clock, text=text)
    answer = await long_answer(response)
    form = {"answer": str(answer.id), "text": "alice smith", "reason": "name"}

    hidden = await post_form(client, path(response, "/redactions"), form, form_page=path(response))

    assert hidden.status_code == 303
    span = await Redaction.get(answer_id=answer.id)
    assert (span.start, span.end, span.original) == (4, 15, "Alice Smith")
    shown = await client.get(path(response))
    # A hyphen is other punctuation: another text, for a redaction of its own.
    assert public_column(shown, answer.question_id) == (
        "Ask [redacted], or [redacted]'s deputy, or Alice-Smith."
    )


def test_pasted_text_matches_across_either_kind_of_line_break_and_any_spacing() -> None:
    answer = "Ring Alice\non 0161\r\nor Alice\r\non 0161"
    assert occurrences(answer, "Alice\r\non") == [(5, 13), (23, 32)]
    assert occurrences(answer, "Alice\non 0161") == [(5, 18), (23, 37)]
    assert occurrences(answer, " alice   ON ") == [(5, 13), (23, 32)]
    assert occurrences(answer, "a.b") == []  # no pattern syntax: the text is matched literally


async def test_removing_a_redaction_shows_the_text_again_and_is_audited(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    rosalind = await organiser_of(call, client)
    response = await phone_response(call, clock)
    answer = await long_answer(response)
    await post_form(
        client,
        path(response, "/redactions"),
        {"answer": str(answer.id), "text": "07700 900123", "reason": "phone number"},
        form_page=path(response),
    )
    span = await Redaction.get(answer_id=answer.id)

    removed = await post_form(
        client, path(response, f"/redactions/{span.id}/delete"), {}, form_page=path(response)
    )

    assert (removed.status_code, removed.headers["location"]) == (303, path(response))
    assert not await Redaction.exists()
    assert public_column(await client.get(path(response)), answer.question_id) == PHONE  # type: ignore[attr-defined]
    assert await audit_actions() == [
        (rosalind.id, "answer.redacted", "revision_answer", str(answer.id)),
        (rosalind.id, "answer.redaction_removed", "revision_answer", str(answer.id)),
    ]
    again = await post_form(
        client, path(response, f"/redactions/{span.id}/delete"), {}, form_page=path(response)
    )
    assert again.status_code == 404


# ---------------------------------------------------------------- "This was not me" reports


async def test_resolving_a_report_needs_a_note_and_may_hold_the_response(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    rosalind = await organiser_of(call, client)
    response = await phone_response(call, clock, publication=Publication.PUBLISHED)
    report = await NotMeReport.create(
        response=response,
        name="Ada Lovelace",
        email="the.real.ada@example.org",
        details="I never answered this call.",
        created_at=clock.now() - timedelta(hours=1),
    )
    reports = f"{CALL}/reports"
    listed = await client.get(reports)
    assert listed.status_code == 200
    assert "the.real.ada@example.org" in listed.text
    prefix = f"report-{report.id}"
    resolve = f"{reports}/{report.id}/resolve"

    empty = await post_form(client, resolve, {f"{prefix}-resolution": "  "}, form_page=reports)

    assert empty.status_code == 400
    assert error_summary(empty) == ["Say what was done about the report"]
    assert field_error(empty, f"{prefix}-resolution") == "Error: Say what was done about the report"
    assert (await NotMeReport.get(id=report.id)).status == ReportStatus.OPEN

    note = "Confirmed with Ada: not hers. Response held."
    resolved = await post_form(
        client,
        resolve,
        {f"{prefix}-resolution": note, f"{prefix}-hold": "y"},
        form_page=reports,
    )

    assert (resolved.status_code, resolved.headers["location"]) == (303, reports)
    stored = await NotMeReport.get(id=report.id)
    assert (stored.status, stored.resolution, stored.resolved_by_id, stored.resolved_at) == (  # type: ignore[attr-defined]
        ReportStatus.RESOLVED,
        note,
        rosalind.id,
        clock.now(),
    )
    assert (await Response.get(id=response.id)).publication == Publication.HELD
    assert await audit_actions() == [
        (rosalind.id, "response.held", "response", str(response.id)),
        (rosalind.id, "not_me_report.resolved", "not_me_report", str(report.id)),
    ]
    after = page(await client.get(reports))
    assert after.find("strong", string="Resolved") is not None
    assert after.select_one("form textarea") is None  # nothing left to resolve


async def test_a_report_on_another_calls_response_is_not_found(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    other = await make_call(clock.now(), slug="supply-chains")
    await organiser_of(call, client)
    elsewhere = await respond(other, "x@example.org", submitted_at=clock.now())
    report = await NotMeReport.create(
        response=elsewhere, name="X", email="x@example.org", created_at=clock.now()
    )

    refused = await post_form(
        client,
        f"{CALL}/reports/{report.id}/resolve",
        {f"report-{report.id}-resolution": "Done"},
        form_page=f"{CALL}/reports",
    )

    assert refused.status_code == 404
    assert (await NotMeReport.get(id=report.id)).status == ReportStatus.OPEN
