"""Export my data and delete my account, as the privacy notice promises, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timedelta

import httpx
from starlette.applications import Starlette

from base.settings import Settings
from config.routes import site_without_app
from consult.api.models import ApiToken
from consult.api.tokens import issue_token
from consult.calls.models import Attachment, Call, QuestionKind
from consult.comments.models import Comment, CommentStatus
from consult.moderation.public import ANONYMOUS, public_views
from consult.responses import services
from consult.responses.models import (
    Consent,
    Publication,
    RespondentType,
    Response,
    ResponseRevision,
    ResponseSearch,
    ResponseStatus,
)
from consult.responses.services import AnswerInput, RespondentDetails, UploadRules
from core.clock import FixedClock
from core.models import Person
from core.uploads import upload_path
from core.vocabulary import Role, Sector
from events.models import Registration, RegistrationStatus
from tests.factories import (
    TINY_PDF,
    make_call,
    make_person,
    make_registration,
    make_session,
    questions_by_kind,
    verified_stakeholder,
)
from tests.support import error_summary, page, post_form, sign_in

SENSITIVE = "Our confidential fabrication yield figures"


async def _respond(
    person: Person, call: Call, settings: Settings, now: datetime, *, submit: bool
) -> Response:
    questions = await questions_by_kind(call)
    response = await services.start_response(call, person, now=now)
    await services.save_details(
        response,
        call,
        RespondentDetails(
            RespondentType.ORGANISATION,
            person.organisation,
            Sector.INDUSTRY,
            "GB",
            Consent.PUBLISH_NAMED,
        ),
        now=now,
    )
    inputs = {
        questions[QuestionKind.LONG_TEXT].id: AnswerInput(text="Cryogenic metrology first."),
        questions[QuestionKind.SHORT_TEXT].id: AnswerInput(text=SENSITIVE, sensitive=True),
        questions[QuestionKind.SINGLE_CHOICE].id: AnswerInput(choices=("Jointly",)),
        questions[QuestionKind.SCALE].id: AnswerInput(scale=4),
        questions[QuestionKind.FILE].id: AnswerInput(upload=("evidence.pdf", TINY_PDF)),
    }
    await services.save_answers(
        response,
        call,
        list(questions.values()),
        inputs,
        uploads=UploadRules(settings.upload_dir, 1024 * 1024, 5),
        person=person,
        now=now,
    )
    if submit:
        fresh = await Response.get(id=response.id)
        await services.submit_response(
            fresh,
            call,
            list(questions.values()),
            services.submit_token(fresh),
            now=now,
            site=site_without_app(settings),
        )
    return await Response.get(id=response.id)


async def test_the_export_holds_every_answer_and_file_of_mine_and_nothing_of_others(
    client: httpx.AsyncClient, clock: FixedClock, settings: Settings, app: Starlette
) -> None:
    me = await verified_stakeholder(client)
    other = await make_person(
        "other@example.org", "Someone Else", organisation="Else Ltd", verified_at=clock.now()
    )
    call = await make_call(clock.now())
    mine = await _respond(me, call, settings, clock.now(), submit=True)
    await _respond(other, call, settings, clock.now(), submit=True)
    await Comment.create(
        call=call, author=me, body="My public remark", status=CommentStatus.APPROVED
    )
    await issue_token(me, "Our system")

    exported = await client.get("/account/data/export.zip")

    assert exported.status_code == 200
    assert exported.headers["content-type"] == "application/zip"
    assert exported.headers["content-disposition"].startswith("attachment;")
    assert exported.headers["cache-control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(exported.content))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == "ada.lovelace@example.org"
    assert [r["tracking_number"] for r in data["responses"]] == [mine.tracking_number]
    texts = [a["text"] for a in data["responses"][0]["answers"]]
    assert SENSITIVE in texts
    file_path = next(
        f["in_this_archive"] for a in data["responses"][0]["answers"] for f in a["files"]
    )
    assert archive.read(file_path) == TINY_PDF
    assert [c["body"] for c in data["comments"]] == ["My public remark"]
    assert data["api_tokens"][0]["name"] == "Our system"
    assert "Someone Else" not in exported.content.decode("latin-1")
    assert len([n for n in archive.namelist() if n.startswith("files/")]) == 1


async def test_deleting_my_account_erases_drafts_anonymises_submissions_and_frees_my_place(
    client: httpx.AsyncClient, clock: FixedClock, settings: Settings, app: Starlette
) -> None:
    now = clock.now()
    me = await verified_stakeholder(client, now=now)
    open_call = await make_call(now)
    other_call = await make_call(now, slug="another-call")
    submitted = await _respond(me, open_call, settings, now, submit=True)
    await Response.filter(id=submitted.id).update(
        publication=Publication.PUBLISHED, published_revision_id=submitted.latest_revision_id
    )
    draft = await _respond(me, other_call, settings, now, submit=False)
    draft_file = await Attachment.get(answer__response_id=draft.id)
    comment = await Comment.create(
        call=open_call, author=me, body="Hello", status=CommentStatus.APPROVED
    )
    session = await make_session("roundtable", now + timedelta(days=3), minutes=60, capacity=1)
    waiting = await make_person("waiting@example.org", "Wai Ting")
    await make_registration(me, session, status=RegistrationStatus.REGISTERED)
    queued = await make_registration(waiting, session, status=RegistrationStatus.WAITLISTED)
    await issue_token(me, "Our system")

    deleted = await post_form(
        client,
        "/account/delete",
        {"password": "correct horse battery staple", "confirmation": "Delete my account"},
    )

    assert deleted.status_code == 303, error_summary(deleted)
    assert not await Person.filter(id=me.id).exists()
    assert not await Response.filter(id=draft.id).exists()
    assert not upload_path(settings.upload_dir, draft_file.stored_name).exists()
    kept = await Response.get(id=submitted.id)
    assert (kept.respondent_id, kept.organisation_name, kept.status) == (
        None,
        "",
        ResponseStatus.SUBMITTED,
    )
    assert kept.anonymised_at == now
    # Every revision loses the organisation's name too, not only the response row.
    names = await ResponseRevision.filter(response_id=submitted.id).values_list(
        "organisation_name", flat=True
    )
    assert names and set(names) == {""}
    [view] = await public_views([kept])
    assert view.author == ANONYMOUS
    search_text = (await ResponseSearch.get(response_id=kept.id)).body
    assert "Analytical Engines" not in search_text and "Ada Lovelace" not in search_text
    assert (await Comment.get(id=comment.id)).author_id is None
    assert (await Registration.get(id=queued.id)).status == RegistrationStatus.REGISTERED
    assert not await ApiToken.exists()
    assert (await client.get("/account/")).status_code == 303  # signed out
    home = await client.get("/", follow_redirects=True)
    assert "Your account has been deleted." in page(home).get_text()
    again = await sign_in(client, "ada.lovelace@example.org", "correct horse battery staple")
    assert again.status_code == 400


async def test_a_wrong_password_or_missing_words_delete_nothing(
    client: httpx.AsyncClient, clock: FixedClock, app: Starlette
) -> None:
    me = await verified_stakeholder(client)
    wrong = await post_form(
        client,
        "/account/delete",
        {"password": "not my password", "confirmation": "delete my account"},
    )
    unconfirmed = await post_form(
        client,
        "/account/delete",
        {"password": "correct horse battery staple", "confirmation": "yes"},
    )
    assert wrong.status_code == unconfirmed.status_code == 400
    assert "Your password is not right." in error_summary(wrong)
    assert any("delete my account" in e for e in error_summary(unconfirmed))
    assert await Person.filter(id=me.id).exists()


async def test_the_only_administrator_cannot_delete_their_account(
    client: httpx.AsyncClient, clock: FixedClock, app: Starlette
) -> None:
    me = await verified_stakeholder(client)
    await Person.filter(id=me.id).update(role=Role.ADMIN)
    refused = await post_form(
        client,
        "/account/delete",
        {"password": "correct horse battery staple", "confirmation": "delete my account"},
    )
    assert refused.status_code == 400
    assert any("only administrator" in e for e in error_summary(refused))
    assert await Person.filter(id=me.id).exists()


async def test_the_privacy_notice_is_public_and_states_the_retention_periods(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    notice = await client.get("/privacy")
    text = page(notice).get_text(" ")
    assert notice.status_code == 200
    assert f"{settings.retention_days} days after a call's outcome is published" in text
    assert "commercially sensitive" in text
    footer = page(await client.get("/")).find("footer")
    assert footer is not None and footer.find("a", href="/privacy") is not None


async def test_visitors_are_sent_to_sign_in_for_their_data(client: httpx.AsyncClient) -> None:
    for path in ("/account/data", "/account/data/export.zip", "/account/delete"):
        answered = await client.get(path)
        assert answered.status_code == 303
        assert answered.headers["location"].startswith("/account/signin?next=")
