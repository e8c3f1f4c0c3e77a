"""Reading and writing the revisions of a response: what each submission said, kept as sent.

`snapshot` copies the author's working copy into a new revision at submission; the readers give
a revision's answers in the same shape as the working copy's (`AnswerSheet`), with their files, so
pages and mails show either through one template.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from consult.calls.models import Attachment
from consult.responses.models import (
    Answer,
    Publication,
    Response,
    ResponseRevision,
    ResponseStatus,
    RevisionAnswer,
)


def words_of(answer: Answer | RevisionAnswer) -> dict[str, Any]:
    """What an answer says, to copy between the response's answers and a revision's."""
    return {
        "text": answer.text,
        "choices": list(answer.choices),
        "scale": answer.scale,
        "sensitive": answer.sensitive,
    }


async def snapshot(response: Response, number: int, *, now: datetime | None) -> ResponseRevision:
    """Write revision `number` of `response` from the response row and its answers: submitted at
    `now`, or with `now=None` a draft revision to take the author's next changes."""
    revision = await ResponseRevision.create(
        response_id=response.id,
        number=number,
        submitted_at=now,
        respondent_type=response.respondent_type,
        organisation_name=response.organisation_name,
        sector=response.sector,
        country=response.country,
        consent=response.consent,
    )
    answers = await Answer.filter(response_id=response.id).prefetch_related("files")
    await RevisionAnswer.bulk_create(
        [
            RevisionAnswer(
                revision_id=revision.id,
                question_id=answer.question_id,
                **words_of(answer),
                file_ids=sorted(file.id for file in answer.files),
            )
            for answer in answers
        ]
    )
    return revision


async def revision_answers(revision_ids: Iterable[int]) -> dict[int, list[RevisionAnswer]]:
    """The answers of each revision, with `files` filled, keyed by revision id."""
    ids = list(revision_ids)
    if not ids:
        return {}
    answers = await RevisionAnswer.filter(revision_id__in=ids).order_by("id")
    file_ids = {file_id for answer in answers for file_id in answer.file_ids}
    files = {f.id: f for f in await Attachment.filter(id__in=file_ids)} if file_ids else {}
    by_revision: dict[int, list[RevisionAnswer]] = defaultdict(list)
    for answer in answers:
        answer.files = [files[i] for i in answer.file_ids if i in files]
        by_revision[answer.revision_id].append(answer)
    return by_revision


async def files_of_submitted_revisions(response_id: int) -> set[int]:
    """The ids of the files some submitted revision of this response carried."""
    lists = await RevisionAnswer.filter(
        revision__response_id=response_id, revision__submitted_at__isnull=False
    ).values_list("file_ids", flat=True)
    return {file_id for ids in lists for file_id in (ids or [])}


async def history(response: Response) -> list[ResponseRevision]:
    """Every submitted revision of a response, newest first, with its answers."""
    revisions = await ResponseRevision.filter(
        response_id=response.id, submitted_at__isnull=False
    ).order_by("-number")
    answers = await revision_answers(r.id for r in revisions)
    for revision in revisions:
        revision.answer_list = answers.get(revision.id, [])
    return revisions


async def mirror(response: Response, revision: ResponseRevision) -> None:
    """Copy a newly submitted revision into the response row and its `Answer` rows, which hold
    the latest submitted revision for every organiser's page, export and count (call inside the
    submitting transaction). Files move to the new answers; a file the revision dropped stays
    stored while an earlier revision names it."""
    await Response.filter(id=response.id).update(
        respondent_type=revision.respondent_type,
        organisation_name=revision.organisation_name,
        sector=revision.sector,
        country=revision.country,
        consent=revision.consent,
        latest_revision_id=revision.id,
    )
    given = {a.question_id: a for a in await RevisionAnswer.filter(revision_id=revision.id)}
    current = {a.question_id: a for a in await Answer.filter(response_id=response.id)}
    await Attachment.filter(response_id=response.id, answer_id__isnull=False).update(answer_id=None)
    for question_id, answer in current.items():
        if question_id not in given:
            await answer.delete()
    for question_id, source in given.items():
        answer = current.get(question_id) or Answer(
            response_id=response.id, question_id=question_id
        )
        answer.update_from_dict(words_of(source))
        await answer.save()
        if source.file_ids:
            await Attachment.filter(id__in=source.file_ids, response_id=response.id).update(
                answer_id=answer.id
            )


async def record_first_revisions(call_id: int) -> int:
    """Revision 1 of each response of the call written straight into the tables (demonstration
    data, benchmarks) as if it had been submitted: what `submit_response` keeps for a first
    submission. Returns how many were recorded."""
    responses = await Response.filter(
        call_id=call_id, revision__gte=1, latest_revision_id__isnull=True
    ).order_by("id")
    if not responses:
        return 0
    await ResponseRevision.bulk_create(
        [
            ResponseRevision(
                response_id=r.id,
                number=r.revision,
                submitted_at=r.last_submitted_at or r.submitted_at or r.updated_at,
                respondent_type=r.respondent_type,
                organisation_name=r.organisation_name,
                sector=r.sector,
                country=r.country,
                consent=r.consent,
                publication=r.publication,
                publication_decided_by_id=r.publication_decided_by_id,
                publication_decided_at=r.publication_decided_at,
            )
            for r in responses
        ],
        batch_size=1000,
    )
    ids = [r.id for r in responses]
    by_response = dict(
        await ResponseRevision.filter(response_id__in=ids).values_list("response_id", "id")
    )
    answers = await Answer.filter(response_id__in=ids)
    files: dict[int, list[int]] = defaultdict(list)
    for file_id, answer_id in await Attachment.filter(answer__response_id__in=ids).values_list(
        "id", "answer_id"
    ):
        files[answer_id].append(file_id)
    await RevisionAnswer.bulk_create(
        [
            RevisionAnswer(
                revision_id=by_response[a.response_id],
                question_id=a.question_id,
                **words_of(a),
                file_ids=sorted(files.get(a.id, [])),
            )
            for a in answers
        ],
        batch_size=1000,
    )
    for response in responses:
        revision_id = by_response[response.id]
        published = (
            response.publication == Publication.PUBLISHED
            and response.status == ResponseStatus.SUBMITTED
        )
        await Response.filter(id=response.id).update(
            latest_revision_id=revision_id,
            published_revision_id=revision_id if published else None,
        )
    return len(responses)


async def record_submitted(response: Response) -> ResponseRevision:
    """Revision `response.revision` of a response whose row and answers were written directly
    (tests, imports) as if submitted: its snapshot, the latest revision, and published when the
    row says so. One response's `record_first_revisions`."""
    submitted = response.last_submitted_at or response.submitted_at or response.updated_at
    revision = await snapshot(response, response.revision, now=submitted)
    published = (
        response.publication == Publication.PUBLISHED
        and response.status == ResponseStatus.SUBMITTED
    )
    await ResponseRevision.filter(id=revision.id).update(publication=response.publication)
    await Response.filter(id=response.id).update(
        latest_revision_id=revision.id, published_revision_id=revision.id if published else None
    )
    response.latest_revision_id = revision.id
    response.published_revision_id = revision.id if published else None
    return revision


async def as_submitted(answer: Answer) -> RevisionAnswer:
    """The latest revision's copy of an answer of the response row (what redactions attach to)."""
    response = await Response.get(id=answer.response_id)
    return await RevisionAnswer.get(
        revision_id=response.latest_revision_id, question_id=answer.question_id
    )
