"""A person's rights over their data: a copy of everything we hold about them, and erasure.

What erasure does is what the privacy notice (`/privacy`) promises, and nothing else:

- drafts and withdrawn responses are deleted, with their files;
- submitted responses stay in the consultation record, anonymised: no link to the account, no
  name, no organisation name; published ones then show "Anonymous respondent";
- comments stay, shown as by "a former participant"; places at sessions are given up (the
  waitlist moves up); API tokens, the calendar feed and messages to the address are deleted;
- the audit log keeps what organisers and admins did, without the link to the account.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from tempfile import SpooledTemporaryFile
from typing import IO, Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from consult.accounts.passwords import verify_password
from consult.api.models import ApiToken
from consult.calls.models import Attachment, Question
from consult.comments.models import Comment, CommentReport
from consult.moderation.public import refresh_public_text
from consult.responses.models import Answer, Response, ResponseRevision, ResponseStatus
from consult.responses.revisions import revision_answers
from consult.retention import UNKEPT, discard_files, files_of_unkept_responses
from core.errors import FieldProblem, Refused
from core.models import AuditEntry, Person
from core.notifications.compose import Site
from core.notifications.models import Notification
from core.uploads import upload_path
from core.vocabulary import Role
from events.models import Registration, RegistrationStatus, Session
from events.registrations import fill_free_places

CONFIRMATION = "delete my account"
IN_MEMORY = 8 * 1024 * 1024  # an export larger than this spills to a temporary file


class CannotDelete(Refused):
    """This account may not be deleted now; the message says why."""

    status_code = 409


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def _revisions_data(response_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Every version of each response, as submitted (and unsubmitted changes), oldest first."""
    found = await ResponseRevision.filter(response_id__in=response_ids).order_by("number")
    answers = await revision_answers(r.id for r in found)
    prompts = dict(
        await Question.filter(
            id__in={a.question_id for rows in answers.values() for a in rows}
        ).values_list("id", "prompt")
    )
    data: dict[int, list[dict[str, Any]]] = {}
    for revision in found:
        data.setdefault(revision.response_id, []).append(
            {
                "revision": revision.number,
                "submitted_at": _when(revision.submitted_at),
                "respondent_type": str(revision.respondent_type),
                "organisation_name": revision.organisation_name,
                "sector": str(revision.sector),
                "country": revision.country,
                "publication_consent": str(revision.consent),
                "publication": str(revision.publication),
                "answers": [
                    {
                        "question": prompts.get(a.question_id, ""),
                        "text": a.text,
                        "choices": list(a.choices),
                        "scale": a.scale,
                        "commercially_sensitive": a.sensitive,
                        "files": [f.original_name for f in a.files],
                    }
                    for a in answers.get(revision.id, [])
                ],
            }
        )
    return data


async def personal_data(person: Person) -> tuple[dict[str, Any], list[tuple[str, Attachment]]]:
    """Everything held about `person` as JSON-ready data, and their files with their archive paths."""
    responses = await Response.filter(respondent_id=person.id).select_related("call").order_by("id")
    answers = await Answer.filter(response_id__in=[r.id for r in responses]).prefetch_related(
        "question", "files"
    )
    files: list[tuple[str, Attachment]] = []
    by_response: dict[int, list[dict[str, Any]]] = {}
    for answer in answers:
        listed = []
        for attachment in answer.files:
            folder = f"files/response-{answer.response_id}"
            path = str(
                PurePosixPath(folder) / f"{attachment.id}-{Path(attachment.original_name).name}"
            )
            files.append((path, attachment))
            listed.append({"file_name": attachment.original_name, "in_this_archive": path})
        by_response.setdefault(answer.response_id, []).append(
            {
                "question": answer.question.prompt,
                "text": answer.text,
                "choices": list(answer.choices),
                "scale": answer.scale,
                "commercially_sensitive": answer.sensitive,
                "files": listed,
            }
        )
    revisions_of = await _revisions_data([r.id for r in responses])
    comments = await Comment.filter(author_id=person.id).select_related("call").order_by("id")
    reports = (
        await CommentReport.filter(reporter_id=person.id).select_related("comment").order_by("id")
    )
    places = await Registration.filter(person_id=person.id).select_related("session").order_by("id")
    tokens = await ApiToken.filter(person_id=person.id).order_by("id")
    actions = await AuditEntry.filter(actor_id=person.id).order_by("id")
    data = {
        "account": {
            "email": person.email,
            "name": person.display_name,
            "organisation": person.organisation,
            "sector": str(person.sector),
            "country": person.country,
            "time_zone": person.time_zone,
            "role": str(person.role),
            "email_confirmed_at": _when(person.verified_at),
            "created_at": _when(person.created_at),
            "mail_turned_off": list(person.mail_opt_outs),
            # When it was turned on; the key itself and the recovery codes are credentials, and
            # the codes are only kept as fingerprints.
            "two_step_sign_in_since": _when(person.two_step_since),
        },
        "responses": [
            {
                "call": r.call.title,
                "call_address": f"/calls/{r.call.slug}",
                "status": str(r.status),
                "tracking_number": r.tracking_number,
                "respondent_type": str(r.respondent_type),
                "organisation_name": r.organisation_name,
                "sector": str(r.sector),
                "country": r.country,
                "publication_consent": str(r.consent),
                "publication": str(r.publication),
                "submitted_at": _when(r.submitted_at),
                "last_submitted_at": _when(r.last_submitted_at),
                "withdrawn_at": _when(r.withdrawn_at),
                "answers": by_response.get(r.id, []),
                "revisions": revisions_of.get(r.id, []),
            }
            for r in responses
        ],
        "comments": [
            {
                "call": c.call.title,
                "body": c.body,
                "status": str(c.status),
                "reply_to_comment": c.parent_id,
                "created_at": _when(c.created_at),
            }
            for c in comments
        ],
        "comment_reports": [
            {"comment": r.comment.body, "reason": r.reason, "created_at": _when(r.created_at)}
            for r in reports
        ],
        "session_places": [
            {
                "session": p.session.title,
                "session_address": f"/sessions/{p.session.slug}",
                "date": p.occurrence_key or "every date",
                "status": str(p.status),
                "registered_at": _when(p.created_at),
            }
            for p in places
        ],
        "api_tokens": [
            {
                "name": t.name,
                "starts_with": t.prefix,
                "created_at": _when(t.created_at),
                "last_used_at": _when(t.last_used_at),
                "revoked_at": _when(t.revoked_at),
            }
            for t in tokens
        ],
        "actions_recorded_in_the_audit_log": [
            {
                "action": a.action,
                "object": f"{a.object_type} {a.object_id}",
                "at": _when(a.created_at),
            }
            for a in actions
        ],
    }
    return data, files


README = """Your data from QIST Consult
==========================

data.json  everything we hold about you: your account, your responses (with every answer,
           commercially sensitive ones included), comments, reports, places at sessions,
           API tokens (never the tokens themselves) and actions recorded in the audit log.
files/     the files you attached to your responses, as you uploaded them.

Times are in UTC. The privacy notice (/privacy) says what we do with each part.
"""


def export_archive(
    data: dict[str, Any], files: list[tuple[str, Attachment]], upload_dir: Path
) -> IO[bytes]:
    """A ZIP of data.json, README.txt and the files; spooled to disk when large. Rewound."""
    archive: IO[bytes] = SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 -- the caller streams and closes it
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("README.txt", README)
        zipped.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        for path, attachment in files:
            source = upload_path(upload_dir, attachment.stored_name)
            if source.exists():
                zipped.write(source, path)
    archive.seek(0)
    return archive


def chunks(archive: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    try:
        while block := archive.read(size):
            yield block
    finally:
        archive.close()


@dataclass(frozen=True)
class Erasure:
    deleted_responses: int
    anonymised_responses: int
    places_given_up: int


async def delete_account(
    person: Person,
    password: str,
    confirmation: str,
    *,
    upload_dir: Path,
    now: datetime,
    site: Site | None = None,
) -> Erasure:
    """Erase the account as the privacy notice says; FieldProblem when not confirmed."""
    if not await verify_password(person.password_hash, password):
        raise FieldProblem("password", "Your password is not right.")
    if confirmation.strip().lower() != CONFIRMATION:
        raise FieldProblem("confirmation", f"Type “{CONFIRMATION}” to confirm.")
    if (
        person.role == Role.ADMIN
        and await Person.filter(role=Role.ADMIN, is_active=True).count() <= 1
    ):
        raise CannotDelete(
            "You are the only administrator: make someone else an administrator first."
        )
    gone = Response.filter(respondent_id=person.id, status__in=UNKEPT)
    stale_files = await files_of_unkept_responses(respondent_id=person.id)
    kept = [
        r.id
        for r in await Response.filter(
            respondent_id=person.id, status=ResponseStatus.SUBMITTED
        ).only("id")
    ]
    places = await Registration.filter(
        person_id=person.id,
        status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED],
    ).values_list("session_id", flat=True)
    async with in_transaction():
        deleted = await gone.count()
        await gone.delete()
        await Response.filter(id__in=kept).update(
            respondent_id=None, organisation_name="", anonymised_at=now, unsubmitted_changes=False
        )
        # Every revision held the organisation's name; unsubmitted changes go altogether.
        await ResponseRevision.filter(response_id__in=kept).update(organisation_name="")
        await ResponseRevision.filter(response_id__in=kept, submitted_at__isnull=True).delete()
        await Notification.filter(Q(person_id=person.id) | Q(recipient=person.email)).delete()
        await Person.filter(id=person.id).delete()  # tokens and places go with it (cascade)
    for response_id in kept:
        await refresh_public_text(response_id)
    for session in await Session.filter(id__in=set(places)):
        await fill_free_places(session, now=now, site=site)
    discard_files(upload_dir, stale_files)
    return Erasure(deleted, len(kept), len(places))
