"""Organisers write calls in the workspace: calls, questions, documents, publishing; who may do what."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import UTC, datetime

import httpx
from starlette.applications import Starlette

from consult.calls.models import Attachment, AttachmentKind, Call, CallState, Question, QuestionKind
from consult.responses.models import Answer, ResponseStatus
from core.models import AuditEntry, Topic
from core.vocabulary import Role
from tests.factories import make_person, make_response, organiser, person_with_role, second_browser
from tests.support import (
    csrf_from,
    error_summary,
    field_error,
    page,
    post_form,
)

NEW = "/organise/calls/new"
CALL = "/organise/calls/quantum-networks"
GAP_WARNING = "In this week the time difference between Washington and London is 4 hours, not 5."
TINY_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def standards() -> Topic:
    return await Topic.create(slug="standards", name="Standards", position=1)


def call_form(topic: Topic, **changes: str) -> dict[str, str]:
    return {
        "title": "Standards for quantum networks",
        "slug": "quantum-networks",
        "topic": str(topic.id),
        "summary": "Which interoperability standards should the partnership prioritise?",
        "body": "## Scope\n\nQuantum key distribution and entanglement distribution.",
        "timezone": "America/New_York",
        "opens_at": "2026-12-01T09:00",
        "closes_at": "2027-01-15T17:00",
        "premoderate_comments": "y",
        **changes,
    }


def question_form(kind: QuestionKind, prompt: str, **changes: str) -> dict[str, str]:
    return {
        "kind": kind.value,
        "prompt": prompt,
        "help_text": "",
        "word_limit": "",
        "options": "",
        **changes,
    }


async def create_call(client: httpx.AsyncClient, topic: Topic, **changes: str) -> Call:
    response = await post_form(client, NEW, call_form(topic, **changes))
    assert response.status_code == 303, error_summary(response)
    return await Call.get(slug=changes.get("slug", "quantum-networks"))


async def add_question(
    client: httpx.AsyncClient, kind: QuestionKind, prompt: str, **changes: str
) -> Question:
    slug = changes.pop("call", "quantum-networks")
    path = f"/organise/calls/{slug}/questions/new"
    response = await post_form(client, path, question_form(kind, prompt, **changes))
    assert response.status_code == 303, error_summary(response)
    return await Question.filter(prompt=prompt).order_by("-id").first()  # type: ignore[return-value]


async def post_button(
    client: httpx.AsyncClient, path: str, data: dict[str, str] | None = None
) -> httpx.Response:
    """Press a button on the call's overview page (a POST form carrying the page's CSRF token)."""
    return await post_form(client, path, data or {}, form_page=CALL)


async def audit_trail() -> list[tuple[int | None, str, str]]:
    entries = await AuditEntry.all().order_by("id")
    return [(entry.actor_id, entry.action, entry.object_type) for entry in entries]  # type: ignore[attr-defined]


async def answered_by_someone(call: Call, question: Question, **answer: object) -> Answer:
    person = await make_person("respondent@example.org", "Marie Curie")
    response = await make_response(call, person)
    return await Answer.create(response=response, question=question, **answer)


def texts(response: httpx.Response, selector: str) -> list[str]:
    return [element.get_text(" ", strip=True) for element in page(response).select(selector)]


# ---------------------------------------------------------------- The journey


async def test_an_organiser_creates_a_call_with_three_questions_and_publishes_it(
    client: httpx.AsyncClient,
) -> None:
    rosalind = await organiser(client)
    topic = await standards()

    created = await post_form(client, NEW, call_form(topic))
    await add_question(
        client,
        QuestionKind.LONG_TEXT,
        "Which standards matter most?",
        word_limit="500",
        required="y",
    )
    await add_question(
        client,
        QuestionKind.SINGLE_CHOICE,
        "Should QKD be standardised first?",
        options="Yes\nNo\n\n Not sure \n",
    )
    await add_question(client, QuestionKind.SCALE, "How urgent is this?", word_limit="300")
    published = await post_button(client, f"{CALL}/publish")

    assert created.status_code == 303
    assert created.headers["location"] == CALL
    assert published.status_code == 303
    call = await Call.get(slug="quantum-networks")
    assert (
        call.title,
        call.topic_id,  # type: ignore[attr-defined]
        call.summary,
        call.body,
        call.timezone,
        call.opens_at,
        call.closes_at,
        call.state,
        call.premoderate_comments,
        call.created_by_id,  # type: ignore[attr-defined]
    ) == (
        "Standards for quantum networks",
        topic.id,
        "Which interoperability standards should the partnership prioritise?",
        "## Scope\n\nQuantum key distribution and entanglement distribution.",
        "America/New_York",
        datetime(2026, 12, 1, 14, 0, tzinfo=UTC),  # 9am EST
        datetime(2027, 1, 15, 22, 0, tzinfo=UTC),  # 5pm EST
        CallState.PUBLISHED,
        True,
        rosalind.id,
    )
    assert [person.id for person in await call.team.all()] == [rosalind.id]
    questions = await Question.filter(call_id=call.id).order_by("position")
    assert [
        (q.position, q.kind, q.prompt, q.required, q.word_limit, q.options) for q in questions
    ] == [
        (1, QuestionKind.LONG_TEXT, "Which standards matter most?", True, 500, []),
        (
            2,
            QuestionKind.SINGLE_CHOICE,
            "Should QKD be standardised first?",
            False,
            None,
            ["Yes", "No", "Not sure"],
        ),
        (3, QuestionKind.SCALE, "How urgent is this?", False, None, []),
    ]
    assert await audit_trail() == [
        (rosalind.id, "call.created", "call"),
        (rosalind.id, "question.added", "question"),
        (rosalind.id, "question.added", "question"),
        (rosalind.id, "question.added", "question"),
        (rosalind.id, "call.published", "call"),
    ]
    overview = await client.get(CALL)
    assert texts(overview, "#questions-title ~ div h3") == [
        "1. Which standards matter most?",
        "2. Should QKD be standardised first?",
        "3. How urgent is this?",
    ]
    assert "Opens soon" in texts(overview, "main .tag")
    assert page(overview).find("button", string="Publish") is None


async def test_the_overview_shows_opening_and_closing_in_the_calls_zone_and_both_capitals(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)
    await create_call(client, await standards(), timezone="Asia/Tokyo", opens_at="2026-12-01T09:00")

    overview = await client.get(CALL)

    opens = page(overview).find("dt", string="Opens").find_next("dd")
    assert opens.get_text(" ", strip=True) == (
        "Tuesday 1 December 2026, 9am JST"
        " (Washington: Monday 30 November 2026, 7pm EST; London: Tuesday 1 December 2026, midnight GMT)"
    )


async def test_the_organise_link_is_shown_to_organisers_and_not_to_stakeholders(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    await organiser(client)
    async with second_browser(app) as other:
        await person_with_role(other, "stakeholder@example.org", Role.STAKEHOLDER)

        organiser_nav = texts(await client.get("/account/"), "header nav a")
        stakeholder_nav = texts(await other.get("/account/"), "header nav a")

    assert "Organise" in organiser_nav
    assert "Organise" not in stakeholder_nav


async def test_the_calls_list_counts_submitted_and_draft_responses_of_my_calls_only(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    topic = await standards()
    await organiser(client)
    mine = await create_call(client, topic)
    async with second_browser(app) as other:
        await organiser(other, "chien-shiung@example.gov")
        await create_call(other, topic, slug="supply-chain", title="Supply chain resilience")
    for number, status in enumerate(
        [ResponseStatus.SUBMITTED] * 2 + [ResponseStatus.DRAFT, ResponseStatus.WITHDRAWN]
    ):
        person = await make_person(f"r{number}@example.org", "R")
        await make_response(mine, person, status=status)

    listing = await client.get("/organise/calls")

    rows = [
        [cell.get_text(" ", strip=True) for cell in tr.select("td")]
        for tr in page(listing).select("tbody tr")
    ]
    assert rows == [
        [
            "Standards for quantum networks",
            "Draft",
            "1 December 2026, 09:00 EST",
            "15 January 2027, 17:00 EST",
            "2",
            "1",
        ]
    ]
    assert page(listing).find("a", string="Create a call")["href"] == NEW


async def test_an_admin_sees_every_call_in_the_list(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    topic = await standards()
    await organiser(client)
    await create_call(client, topic)
    async with second_browser(app) as other:
        await person_with_role(other, "admin@example.gov", Role.ADMIN, name="Grace Hopper")
        await create_call(other, topic, slug="supply-chain", title="Supply chain resilience")

        listing = await other.get("/organise/calls")

    assert texts(listing, "tbody tr td:first-child") == [
        "Supply chain resilience",
        "Standards for quantum networks",
    ]


# ---------------------------------------------------------------- Who may


async def test_a_stakeholder_gets_403_and_nothing_is_created(client: httpx.AsyncClient) -> None:
    await person_with_role(client, "stakeholder@example.org", Role.STAKEHOLDER)
    topic = await standards()
    token = csrf_from(await client.get("/account/profile"))

    listing = await client.get("/organise/calls")
    form = await client.get(NEW)
    posted = await client.post(NEW, data={"csrf_token": token, **call_form(topic)})

    assert [listing.status_code, form.status_code, posted.status_code] == [403, 403, 403]
    assert await Call.all().count() == 0
    assert await AuditEntry.all().count() == 0


async def test_a_visitor_is_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/organise/calls")

    assert response.status_code == 303
    assert response.headers["location"] == "/account/signin?next=/organise/calls"


async def test_an_organiser_outside_the_team_gets_403_on_another_organisers_call(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    await organiser(client)
    call = await create_call(client, await standards())
    question = await add_question(client, QuestionKind.SHORT_TEXT, "Your organisation's role?")
    async with second_browser(app) as other:
        await organiser(other, "chien-shiung@example.gov")
        token = csrf_from(await other.get(NEW))

        pages = [
            (await other.get(path)).status_code
            for path in (
                CALL,
                f"{CALL}/edit",
                f"{CALL}/questions/new",
                f"{CALL}/questions/{question.id}/edit",
            )
        ]
        posts = [
            (await other.post(path, data={"csrf_token": token, **data})).status_code
            for path, data in (
                (f"{CALL}/publish", {}),
                (f"{CALL}/edit", call_form(await Topic.get(slug="standards"), title="Hijacked")),
                (f"{CALL}/questions/{question.id}/delete", {}),
                (f"{CALL}/questions/new", question_form(QuestionKind.SCALE, "Sneaky?")),
            )
        ]

    assert pages == [403, 403, 403, 403]
    assert posts == [403, 403, 403, 403]
    unchanged = await Call.get(id=call.id)
    assert (unchanged.title, unchanged.state) == ("Standards for quantum networks", CallState.DRAFT)
    assert await Question.filter(call_id=call.id).count() == 1


async def test_unknown_calls_questions_and_documents_are_404(client: httpx.AsyncClient) -> None:
    await organiser(client)
    await create_call(client, await standards())

    responses = [
        await client.get("/organise/calls/no-such-call"),
        await client.get(f"{CALL}/questions/999/edit"),
        await post_button(client, f"{CALL}/questions/999/delete"),
        await post_button(client, f"{CALL}/documents/999/delete"),
    ]

    assert [response.status_code for response in responses] == [404, 404, 404, 404]


async def test_a_forged_or_missing_token_on_the_workspace_buttons_is_refused(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)
    await create_call(client, await standards())
    question = await add_question(client, QuestionKind.SHORT_TEXT, "Your organisation's role?")
    entries = await AuditEntry.all().count()
    paths = [
        f"{CALL}/publish",
        f"{CALL}/questions/{question.id}/move",
        f"{CALL}/questions/{question.id}/delete",
        f"{CALL}/documents",
        f"{CALL}/documents/1/delete",
        "/organise/calls/not-even-a-call/publish",
    ]

    statuses = [
        (await client.post(path, data={"csrf_token": "forged", "direction": "up"})).status_code
        for path in paths
    ]

    assert statuses == [403] * len(paths)
    assert await Question.filter(id=question.id).exists()
    assert await AuditEntry.all().count() == entries


# ---------------------------------------------------------------- Call rules


async def test_a_taken_slug_gets_a_field_error(client: httpx.AsyncClient) -> None:
    await organiser(client)
    topic = await standards()
    await create_call(client, topic)

    again = await post_form(client, NEW, call_form(topic, title="Another call"))
    reserved = await post_form(client, NEW, call_form(topic, slug="new"))

    assert again.status_code == 400
    assert field_error(again, "slug") == "Error: That address is taken"
    assert field_error(reserved, "slug") == "Error: That address is taken"
    assert await Call.all().count() == 1


async def test_editing_a_call_saves_its_fields_and_keeps_the_slug_unique(
    client: httpx.AsyncClient,
) -> None:
    rosalind = await organiser(client)
    topic = await standards()
    await create_call(client, topic, slug="supply-chain")
    call = await create_call(client, topic)
    edit = f"{CALL}/edit"

    taken = await post_form(client, edit, call_form(topic, slug="supply-chain"))
    saved = await post_form(
        client,
        edit,
        call_form(topic, slug="qkd-standards", title="QKD standards", premoderate_comments=""),
    )

    assert field_error(taken, "slug") == "Error: That address is taken"
    assert saved.status_code == 303
    assert saved.headers["location"] == "/organise/calls/qkd-standards"
    edited = await Call.get(id=call.id)
    assert (edited.slug, edited.title, edited.premoderate_comments) == (
        "qkd-standards",
        "QKD standards",
        False,
    )
    last = await AuditEntry.all().order_by("-id").first()
    assert last is not None
    assert (last.actor_id, last.action, last.object_id, last.detail) == (  # type: ignore[attr-defined]
        rosalind.id,
        "call.updated",
        str(call.id),
        {"changed": ["title", "slug", "premoderate_comments"]},
    )
    assert (await client.get(CALL)).status_code == 404


async def test_the_edit_page_shows_the_times_in_the_calls_own_zone(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)
    await create_call(client, await standards())

    form = page(await client.get(f"{CALL}/edit"))

    assert form.find(id="opens_at")["value"] == "2026-12-01T09:00"
    assert form.find(id="closes_at")["value"] == "2027-01-15T17:00"
    assert form.find(id="timezone").find("option", selected=True)["value"] == "America/New_York"


async def test_a_new_call_starts_with_comments_checked_first_and_london_time(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)

    form = page(await client.get(NEW))

    assert form.find(id="premoderate_comments").has_attr("checked")
    assert form.find(id="timezone").find("option", selected=True)["value"] == "Europe/London"


async def test_closing_before_opening_gets_a_field_error_and_nothing_is_stored(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)
    topic = await standards()

    response = await post_form(
        client, NEW, call_form(topic, opens_at="2027-01-15T17:00", closes_at="2027-01-15T16:59")
    )

    assert response.status_code == 400
    assert (
        field_error(response, "closes_at")
        == "Error: The closing time must be after the opening time"
    )
    assert await Call.all().count() == 0
    assert await AuditEntry.all().count() == 0


async def test_publishing_needs_a_question_and_a_closing_time_in_the_future(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)
    topic = await standards()
    await create_call(client, topic)
    await create_call(
        client, topic, slug="past", opens_at="2026-10-01T09:00", closes_at="2026-11-20T17:00"
    )
    await add_question(client, QuestionKind.SCALE, "How urgent?", call="past")

    no_questions = await post_button(client, f"{CALL}/publish")
    closed = await post_form(
        client, "/organise/calls/past/publish", {}, form_page="/organise/calls/past"
    )

    assert no_questions.status_code == 400
    assert error_summary(no_questions) == ["Add at least one question before publishing the call"]
    assert closed.status_code == 400
    assert error_summary(closed) == ["Set a closing time in the future before publishing the call"]
    assert set(await Call.all().values_list("state", flat=True)) == {CallState.DRAFT}
    assert not await AuditEntry.filter(action="call.published").exists()


async def test_the_daylight_saving_warning_shows_in_the_week_of_10_march_and_not_on_30_march(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)
    topic = await standards()

    march_10 = await post_form(
        client,
        NEW,
        call_form(topic, title="", opens_at="2026-03-10T09:00", closes_at="2026-03-12T17:00"),
    )
    march_30 = await post_form(
        client,
        NEW,
        call_form(topic, title="", opens_at="2026-03-30T09:00", closes_at="2026-04-02T17:00"),
    )
    blank = await client.get(NEW)

    assert march_10.status_code == march_30.status_code == 400
    assert texts(march_10, ".warning-text") == [f"Warning: {GAP_WARNING}"]
    assert texts(march_30, ".warning-text") == []
    assert texts(blank, ".warning-text") == []


async def test_the_edit_page_warns_when_the_call_closes_in_a_week_when_clocks_disagree(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)
    await create_call(client, await standards(), closes_at="2027-11-02T17:00")

    edit = await client.get(f"{CALL}/edit")

    assert texts(edit, ".warning-text") == [f"Warning: {GAP_WARNING}"]


# ---------------------------------------------------------------- Question rules


async def test_a_choice_question_with_one_option_is_refused(client: httpx.AsyncClient) -> None:
    await organiser(client)
    await create_call(client, await standards())

    one = await post_form(
        client,
        f"{CALL}/questions/new",
        question_form(QuestionKind.MULTIPLE_CHOICE, "Which sectors?", options="Industry\n\n  \n"),
    )
    twice = await post_form(
        client,
        f"{CALL}/questions/new",
        question_form(QuestionKind.SINGLE_CHOICE, "Which sector?", options="Industry\nindustry"),
    )

    assert one.status_code == twice.status_code == 400
    assert field_error(one, "options") == "Error: Give at least two options, one on each line"
    assert (
        field_error(twice, "options") == "Error: “industry” is given twice; give each option once"
    )
    assert await Question.all().count() == 0


async def test_options_and_word_limits_are_kept_only_where_they_mean_something(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)
    await create_call(client, await standards())

    short = await add_question(
        client, QuestionKind.SHORT_TEXT, "Your role?", options="A\nB", word_limit="50"
    )

    assert (short.options, short.word_limit) == ([], None)


async def test_an_answered_question_cannot_be_removed_or_change_kind_but_can_be_reworded(
    client: httpx.AsyncClient,
) -> None:
    rosalind = await organiser(client)
    call = await create_call(client, await standards())
    question = await add_question(client, QuestionKind.LONG_TEXT, "Which standards matter?")
    await answered_by_someone(call, question, text="Interoperable QKD")
    edit = f"{CALL}/questions/{question.id}/edit"

    removed = await post_button(client, f"{CALL}/questions/{question.id}/delete")
    new_kind = await post_form(
        client, edit, question_form(QuestionKind.SHORT_TEXT, "Which standards?")
    )
    reworded = await post_form(
        client, edit, question_form(QuestionKind.LONG_TEXT, "Which standards matter most, and why?")
    )

    assert removed.status_code == 400
    assert error_summary(removed) == ["This question has answers, so it cannot be removed"]
    assert new_kind.status_code == 400
    assert (
        field_error(new_kind, "kind")
        == "Error: This question has answers, so its kind cannot change"
    )
    assert reworded.status_code == 303
    kept = await Question.get(id=question.id)
    assert (kept.kind, kept.prompt) == (
        QuestionKind.LONG_TEXT,
        "Which standards matter most, and why?",
    )
    assert [a for a in await audit_trail() if a[1].startswith("question.")] == [
        (rosalind.id, "question.added", "question"),
        (rosalind.id, "question.updated", "question"),
    ]


async def test_an_option_chosen_in_an_answer_cannot_be_removed_but_others_can(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)
    call = await create_call(client, await standards())
    question = await add_question(
        client,
        QuestionKind.MULTIPLE_CHOICE,
        "Which sectors?",
        options="Industry\nAcademia\nGovernment",
    )
    await answered_by_someone(call, question, choices=["Academia"])
    edit = f"{CALL}/questions/{question.id}/edit"
    page_of_edit = await client.get(edit)

    without_chosen = await post_form(
        client,
        edit,
        question_form(
            QuestionKind.MULTIPLE_CHOICE, "Which sectors?", options="Industry\nGovernment"
        ),
    )
    without_other = await post_form(
        client,
        edit,
        question_form(
            QuestionKind.MULTIPLE_CHOICE,
            "Which sectors?",
            options="Academia\nGovernment\nCivil society",
        ),
    )

    assert "This question has answers" in " ".join(texts(page_of_edit, ".warning-text"))
    assert without_chosen.status_code == 400
    assert field_error(without_chosen, "options") == (
        "Error: Answers chose “Academia”, so it cannot be removed or renamed"
    )
    assert without_other.status_code == 303
    assert (await Question.get(id=question.id)).options == [
        "Academia",
        "Government",
        "Civil society",
    ]


async def test_an_unanswered_question_can_be_removed(client: httpx.AsyncClient) -> None:
    await organiser(client)
    await create_call(client, await standards())
    question = await add_question(client, QuestionKind.SCALE, "How urgent?")

    response = await post_button(client, f"{CALL}/questions/{question.id}/delete")

    assert response.status_code == 303
    assert not await Question.exists(id=question.id)
    assert (await AuditEntry.all().order_by("-id").first()).action == "question.removed"  # type: ignore[union-attr]


async def test_moving_a_question_swaps_it_with_its_neighbour(client: httpx.AsyncClient) -> None:
    await organiser(client)
    await create_call(client, await standards())
    first = await add_question(client, QuestionKind.SCALE, "First?")
    second = await add_question(client, QuestionKind.SCALE, "Second?")
    third = await add_question(client, QuestionKind.SCALE, "Third?")

    down = await post_button(client, f"{CALL}/questions/{first.id}/move", {"direction": "down"})
    top = await post_button(client, f"{CALL}/questions/{second.id}/move", {"direction": "up"})
    wrong = await post_button(
        client, f"{CALL}/questions/{third.id}/move", {"direction": "sideways"}
    )

    assert [down.status_code, top.status_code, wrong.status_code] == [303, 303, 400]
    positions = dict(await Question.all().values_list("prompt", "position"))
    assert positions == {"Second?": 1, "First?": 2, "Third?": 3}
    overview = await client.get(CALL)
    assert texts(overview, "#questions-title ~ div h3") == ["1. Second?", "2. First?", "3. Third?"]
    assert [(a.action, a.detail) for a in await AuditEntry.filter(action="question.moved")] == [
        ("question.moved", {"direction": "down"})
    ]


# ---------------------------------------------------------------- Documents


async def upload(
    client: httpx.AsyncClient, name: str, data: bytes, title: str = ""
) -> httpx.Response:
    token = csrf_from(await client.get(CALL))
    return await client.post(
        f"{CALL}/documents",
        data={"csrf_token": token, "title": title},
        files={"file": (name, data, "application/pdf")},
    )


def zip_with(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


async def test_an_executable_or_zip_renamed_pdf_is_refused_and_nothing_is_stored(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    await organiser(client)
    await create_call(client, await standards())
    upload_dir = app.state.settings.upload_dir

    executable = await upload(client, "briefing.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" * 20)
    archive = await upload(client, "briefing.pdf", zip_with("setup.exe", b"MZ\x90\x00"))
    nothing = await upload(client, "", b"")

    for refused in (executable, archive):
        assert refused.status_code == 400
        assert field_error(refused, "file") == (
            "Error: The file must be a PDF, Word (DOCX), OpenDocument text (ODT) or plain text file."
        )
    assert field_error(nothing, "file") == "Error: Choose a file to upload"
    assert await Attachment.all().count() == 0
    assert not upload_dir.exists() or list(upload_dir.iterdir()) == []
    assert not await AuditEntry.filter(action="document.added").exists()


async def test_a_pdf_is_stored_under_a_random_name_and_can_be_removed(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    rosalind = await organiser(client)
    call = await create_call(client, await standards())
    upload_dir = app.state.settings.data_dir / "uploads"

    response = await upload(client, "briefing.pdf", TINY_PDF, title="Briefing pack")

    assert response.status_code == 303
    [document] = await Attachment.all()
    assert (
        document.kind,
        document.call_id,  # type: ignore[attr-defined]
        document.original_name,
        document.content_type,
        document.size,
        document.sha256,
        document.title,
        document.uploaded_by_id,  # type: ignore[attr-defined]
    ) == (
        AttachmentKind.CALL_DOCUMENT,
        call.id,
        "briefing.pdf",
        "application/pdf",
        len(TINY_PDF),
        hashlib.sha256(TINY_PDF).hexdigest(),
        "Briefing pack",
        rosalind.id,
    )
    assert re.fullmatch(r"[0-9a-f]{32}", document.stored_name)
    assert [path.name for path in upload_dir.iterdir()] == [document.stored_name]
    assert (upload_dir / document.stored_name).read_bytes() == TINY_PDF
    assert "Briefing pack" in texts(await client.get(CALL), "table td")

    removed = await post_button(client, f"{CALL}/documents/{document.id}/delete")

    assert removed.status_code == 303
    assert await Attachment.all().count() == 0
    assert list(upload_dir.iterdir()) == []
    assert [a[1] for a in await audit_trail() if a[1].startswith("document.")] == [
        "document.added",
        "document.removed",
    ]


async def test_a_published_call_keeps_its_slug(client: httpx.AsyncClient) -> None:
    topic = await standards()
    await organiser(client)
    call = await create_call(client, topic)
    await add_question(client, QuestionKind.SHORT_TEXT, "Your role")
    await post_button(client, f"{CALL}/publish")
    assert (await Call.get(id=call.id)).state == "published"

    response = await post_form(client, f"{CALL}/edit", call_form(topic, slug="moved-address"))

    assert response.status_code == 400
    assert "keeps its web address" in field_error(response, "slug")
    assert (await Call.get(id=call.id)).slug == "quantum-networks"
