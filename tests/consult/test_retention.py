"""The retention job: personal data kept no longer than RETENTION_DAYS after a call's outcome."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from base.settings import Settings
from consult.calls.models import Attachment, AttachmentKind, Call, CallState, Question
from consult.responses.models import Answer, Consent, Response, ResponseRevision, ResponseStatus
from consult.responses.revisions import record_submitted, snapshot
from consult.retention import apply_retention
from core.clock import FixedClock
from core.models import AuditEntry, RateLimitCounter
from core.notifications.models import Notification
from core.notifications.outbox import enqueue
from core.notifications.transport import OutgoingMail
from core.uploads import store_upload, upload_path
from tests.factories import make_call, make_person, make_response

pytestmark = pytest.mark.usefixtures("db")


async def response_with_file(
    settings: Settings, call: Call, email: str, status: ResponseStatus, consent: Consent, n: int
) -> tuple[Response, str]:
    response = await make_response(
        call,
        await make_person(email),
        status=status,
        consent=consent,
        organisation_name="Qubit Works Ltd",
        tracking_number=None if status == ResponseStatus.DRAFT else f"QC-2026-0000-000{n}",
    )
    question = await Question.filter(call_id=call.id).first()
    assert question is not None
    answer = await Answer.create(response=response, question=question, text=f"Answer by {email}")
    stored = store_upload(settings.upload_dir, "evidence.txt", b"Our evidence.\n", max_bytes=1000)
    await Attachment.create(
        kind=AttachmentKind.RESPONSE_FILE,
        answer=answer,
        original_name=stored.original_name,
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
    )
    return response, stored.stored_name


async def test_after_retention_days_drafts_and_withdrawn_go_and_unpublished_responses_lose_their_person(
    settings: Settings, clock: FixedClock
) -> None:
    settings = replace(settings, retention_days=30)
    now = clock.now()
    call = await make_call(now, opens_in=timedelta(days=-120), closes_in=timedelta(days=-90))
    await Call.filter(id=call.id).update(
        state=CallState.OUTCOME_PUBLISHED, outcome_published_at=now - timedelta(days=60)
    )
    draft, draft_file = await response_with_file(
        settings, call, "d@example.org", ResponseStatus.DRAFT, Consent.PUBLISH_NAMED, 1
    )
    withdrawn, _ = await response_with_file(
        settings, call, "w@example.org", ResponseStatus.WITHDRAWN, Consent.PUBLISH_NAMED, 2
    )
    private, private_file = await response_with_file(
        settings, call, "p@example.org", ResponseStatus.SUBMITTED, Consent.DO_NOT_PUBLISH, 3
    )
    public, _ = await response_with_file(
        settings, call, "n@example.org", ResponseStatus.SUBMITTED, Consent.PUBLISH_NAMED, 4
    )

    too_soon = await apply_retention(settings, now=now - timedelta(days=31))
    assert (too_soon.deleted_responses, too_soon.anonymised_responses) == (0, 0)
    assert await Response.filter(call_id=call.id).count() == 4

    report = await apply_retention(settings, now=now)

    assert (report.calls, report.deleted_responses, report.anonymised_responses) == (1, 2, 1)
    assert set(await Response.filter(call_id=call.id).values_list("id", flat=True)) == {
        private.id,
        public.id,
    }
    assert not upload_path(settings.upload_dir, draft_file).exists()
    assert upload_path(settings.upload_dir, private_file).exists()  # the evidence stays
    anonymous = await Response.get(id=private.id)
    assert (anonymous.respondent_id, anonymous.organisation_name) == (None, "")
    assert anonymous.anonymised_at == now
    assert await Answer.filter(response_id=private.id).values_list("text", flat=True) == [
        "Answer by p@example.org"
    ]
    named = await Response.get(id=public.id)
    assert named.respondent_id is not None and named.organisation_name == "Qubit Works Ltd"
    assert (await Call.get(id=call.id)).retention_done_at == now
    assert draft.id not in await Answer.all().values_list("response_id", flat=True)
    assert withdrawn.id not in await Response.all().values_list("id", flat=True)

    again = await apply_retention(settings, now=now + timedelta(days=1))
    assert (again.calls, again.deleted_responses, again.anonymised_responses) == (0, 0, 0)
    audit = await AuditEntry.filter(action="call.retention_applied")
    assert [(a.actor_id, a.object_id, a.detail) for a in audit] == [
        (None, str(call.id), {"deleted_responses": 2, "anonymised_responses": 1})
    ]


async def test_retention_anonymises_every_revision_and_drops_unsubmitted_changes(
    settings: Settings, clock: FixedClock
) -> None:
    settings = replace(settings, retention_days=30)
    now = clock.now()
    call = await make_call(now, opens_in=timedelta(days=-120), closes_in=timedelta(days=-90))
    private, _ = await response_with_file(
        settings, call, "p@example.org", ResponseStatus.SUBMITTED, Consent.DO_NOT_PUBLISH, 3
    )
    await Response.filter(id=private.id).update(revision=1)
    await record_submitted(await Response.get(id=private.id))
    # Changes its author saved and never submitted: a draft revision.
    draft = await snapshot(await Response.get(id=private.id), 2, now=None)
    await Response.filter(id=private.id).update(unsubmitted_changes=True)
    await Call.filter(id=call.id).update(
        state=CallState.OUTCOME_PUBLISHED, outcome_published_at=now - timedelta(days=60)
    )

    await apply_retention(settings, now=now)

    left = await ResponseRevision.filter(response_id=private.id).values_list(
        "id", "organisation_name"
    )
    assert [(revision_id, name) for revision_id, name in left if revision_id == draft.id] == []
    assert len(left) == 1 and left[0][1] == ""  # "Qubit Works Ltd" before
    assert not (await Response.get(id=private.id)).unsubmitted_changes


async def test_calls_without_a_published_outcome_are_left_alone(
    settings: Settings, clock: FixedClock
) -> None:
    call = await make_call(
        clock.now(), opens_in=timedelta(days=-900), closes_in=timedelta(days=-800)
    )
    await make_response(call, await make_person("d@example.org"))

    report = await apply_retention(settings, now=clock.now())

    assert report.calls == 0
    assert await Response.filter(call_id=call.id).count() == 1


async def test_sent_mail_is_deleted_after_sent_mail_days_and_unsent_mail_never(
    settings: Settings, clock: FixedClock
) -> None:
    settings = replace(settings, sent_mail_days=90)
    now = clock.now()
    for key, sent_days_ago in (("old", 91), ("recent", 89), ("unsent", None)):
        row = await enqueue(
            key,
            "test",
            OutgoingMail("a@example.org", key, "Text"),
            due_at=now - timedelta(days=100),
        )
        assert row is not None
        if sent_days_ago is not None:
            row.sent_at = now - timedelta(days=sent_days_ago)
            await row.save()
    # Ended windows are kept for the longest window (a day by default), for backoff to remember.
    for key, ended in (
        ("signin:old", timedelta(days=1, seconds=1)),
        ("signin:recent", timedelta(hours=23)),
    ):
        await RateLimitCounter.create(key=key, attempts=5, seconds=900, ends_at=now - ended)

    report = await apply_retention(settings, now=now)

    assert report.deleted_mail == 1
    assert sorted(await Notification.all().values_list("key", flat=True)) == ["recent", "unsent"]
    assert await RateLimitCounter.all().values_list("key", flat=True) == ["signin:recent"]
