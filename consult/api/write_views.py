"""The write API: an organisation submits and changes its response with an API token.

Every write needs `Authorization: Bearer <token>` and an `Idempotency-Key`. The order of checks
is deliberate: who you are (401), how often (429), the key (400), the body (415/400), the key's
history (replay, 422 for another body, 409 while the first is running), then the call and its
rules (404, 403, 409, 422). The work, the stored answer and the receipt's outbox row commit
together; a failure lets go of the key and leaves no trace.
"""

from __future__ import annotations

import string
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from tortoise.transactions import in_transaction

from consult.api import idempotency, serialise
from consult.api.http import dumps, json_body, json_response
from consult.api.idempotency import KeyInFlight, KeyReused, StoredAnswer
from consult.api.lookups import absolute_urls, public_call_or_404
from consult.api.models import ApiToken, IdempotentRequest
from consult.api.problems import Problem
from consult.api.submission import problem_errors, read_submission
from consult.api.tokens import authenticate
from consult.calls.models import Call
from consult.calls.queries import questions_of
from consult.responses import services
from consult.responses.models import Response as CallResponse
from consult.responses.models import ResponseRevision, RevisionAnswer
from consult.responses.revisions import revision_answers
from consult.responses.services import CallClosed, Incomplete, UploadRules
from consult.responses.tracking import normalise
from core.errors import FieldProblem
from core.models import Person
from core.notifications.compose import Site, send_soon
from core.ratelimit import RateLimited, claim_all
from core.web import client_address, now, settings_of

KEY_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-_.:+/=~")
CHALLENGE = 'Bearer realm="QIST Consult API"'


async def _token(request: Request) -> ApiToken:
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Problem(
            401,
            "Send your API token as `Authorization: Bearer <token>` (create one on your account page).",
            headers={"WWW-Authenticate": CHALLENGE},
        )
    token = await authenticate(secret.strip(), now=now(request))
    if token is None:
        raise Problem(
            401,
            "This API token is not valid: it may have been revoked.",
            headers={"WWW-Authenticate": f'{CHALLENGE}, error="invalid_token"'},
        )
    return token


async def _limit(request: Request, token: ApiToken) -> None:
    settings, moment = settings_of(request), now(request)
    counted = [
        (f"api-token:{token.id}", settings.api_token_limit),
        (f"api-address:{client_address(request)}", settings.api_address_limit),
    ]
    try:
        await claim_all(counted, now=moment)
    except RateLimited as limited:
        raise Problem(
            429,
            f"Too many writes: try again in {limited.retry_after} seconds.",
            headers={"Retry-After": str(limited.retry_after)},
        ) from None


def _idempotency_key(request: Request) -> str:
    key = request.headers.get("idempotency-key", "").strip().strip('"')
    if not key:
        raise Problem(
            400,
            "Send an `Idempotency-Key` header (a new random value, such as a UUID, per response "
            "you mean to send) so a retried request cannot submit twice.",
        )
    if len(key) > idempotency.KEY_MAX or not set(key) <= KEY_CHARACTERS:
        raise Problem(400, "`Idempotency-Key` must be 1–255 letters, digits or - _ . : + / = ~.")
    return key


def _may_respond(person: Person) -> None:
    if not person.is_verified:
        raise Problem(403, "The account that holds this token has not confirmed its email address.")
    if not person.organisation:
        raise Problem(403, "API tokens act for an organisation: the account no longer names one.")


def _replay(stored: StoredAnswer) -> Response:
    headers = {"Idempotent-Replayed": "true", "Cache-Control": "no-store"}
    if stored.location:
        headers["Location"] = stored.location
    media = "application/json" if stored.status_code < 400 else "application/problem+json"
    return Response(dumps(stored.body), stored.status_code, headers=headers, media_type=media)


async def submit(request: Request) -> Response:
    """POST /api/v1/calls/{slug}/responses: submit this organisation's response to a call."""
    return await _write(request, tracking=None)


async def replace(request: Request) -> Response:
    """PUT /api/v1/responses/{tracking}: change a submitted response before the deadline."""
    return await _write(request, tracking=request.path_params["tracking"])


async def _write(request: Request, *, tracking: str | None) -> Response:
    token = await _token(request)
    person = token.person
    await _limit(request, token)
    key = _idempotency_key(request)
    raw, data = await json_body(request)
    moment = now(request)
    try:
        claimed, stored = await idempotency.claim(
            person.id,
            key,
            idempotency.fingerprint(request.method, request.url.path, raw),
            now=moment,
        )
    except KeyReused:
        raise Problem(
            422, "This Idempotency-Key was used for a different request: use a new key."
        ) from None
    except KeyInFlight:
        raise Problem(
            409,
            "A request with this Idempotency-Key is still being processed: retry shortly.",
            headers={"Retry-After": "2"},
        ) from None
    if stored is not None:
        return _replay(stored)
    try:
        return await _work(request, person, claimed, data, tracking, moment)
    except BaseException:
        await idempotency.release(claimed)
        raise


async def _target(
    person: Person, tracking: str | None, request: Request
) -> tuple[Call, CallResponse | None]:
    if tracking is None:
        call = await public_call_or_404(request)
        return call, await services.find_response(call, person)
    number = normalise(tracking)
    found = (
        await CallResponse.get_or_none(
            tracking_number=number, respondent_id=person.id
        ).select_related("call")
        if number
        else None
    )
    if found is None:
        # Another organisation's response is "not found" too: a token reveals nothing of others.
        raise Problem(404, "Your organisation has no response with this tracking number.")
    return found.call, found


async def _work(
    request: Request,
    person: Person,
    claimed: IdempotentRequest,
    data: dict[str, object],
    tracking: str | None,
    moment: datetime,
) -> Response:
    call, existing = await _target(person, tracking, request)
    _may_respond(person)
    questions = await questions_of(call)
    max_file_bytes = settings_of(request).upload_max_mb * 1024 * 1024
    submission = await read_submission(
        data, questions, person.organisation, max_file_bytes=max_file_bytes
    )
    if not call.accepts_responses(moment):
        raise _not_open(call, moment)
    if tracking is None and existing is not None and existing.tracking_number is not None:
        raise Problem(
            409,
            "Your organisation has already responded to this call: change that response with PUT.",
            extra={"tracking_number": existing.tracking_number},
        )
    response = existing or await services.start_response(call, person, now=moment)
    # POST makes the first revision, PUT the one after the revision this request found: another
    # request that got there first wins and this one is told so (409), never a second copy.
    expected_revision = 0 if tracking is None else response.revision
    settings = settings_of(request)
    site = Site.of(request)
    status = 201 if tracking is None else 200
    done = False
    try:
        async with in_transaction():
            await services.save_details(response, call, submission.details, now=moment)
            await services.save_answers(
                response,
                call,
                questions,
                submission.inputs,
                uploads=UploadRules(
                    settings.upload_dir,
                    settings.upload_max_mb * 1024 * 1024,
                    settings.upload_max_files,
                ),
                person=person,
                now=moment,
            )
            edits = (await CallResponse.get(id=response.id)).edits
            outcome = await services.submit_response(
                response,
                call,
                questions,
                str(services.SubmitToken(expected_revision, edits)),
                now=moment,
                site=site,
                send=False,  # not before the idempotency record commits with it, below
            )
            submitted = outcome.response
            submitted.call = call
            body = serialise.own_response(
                submitted, absolute_urls(request), *await _latest(submitted)
            )
            location = body["links"]["self"]
            await idempotency.remember(claimed, StoredAnswer(status, body, location))
        done = True
    except services.Superseded:
        raise _superseded(tracking) from None
    except (FieldProblem, Incomplete, CallClosed) as refused:
        raise _refusal(refused, submission.pointers, call, moment) from None
    finally:
        if existing is None and not done:
            # The draft this request opened holds nothing: leave no trace of a refused request.
            await CallResponse.filter(id=response.id, tracking_number__isnull=True).delete()
    await send_soon(site, outcome.notification, now=moment)
    return json_response(request, body, status=status, headers={"Location": location}, public=False)


def _superseded(tracking: str | None) -> Problem:
    if tracking is None:
        return Problem(
            409,
            "Your organisation has already responded to this call: change that response with PUT.",
        )
    return Problem(
        409,
        "This response was changed by another request while this one ran: "
        "read it again (GET) and send your change once more.",
    )


async def _latest(
    response: CallResponse,
) -> tuple[CallResponse | ResponseRevision, list[RevisionAnswer]]:
    """The latest revision's details and answers: what was submitted, not a draft in progress."""
    if response.latest_revision_id is None:
        return response, []
    revision = await ResponseRevision.get(id=response.latest_revision_id)
    found = await revision_answers([revision.id])
    return revision, found.get(revision.id, [])


def _not_open(call: Call, moment: datetime) -> Problem:
    return Problem(
        409, f"The call is {call.phase(moment).value}: it does not accept responses now."
    )


def _refusal(refused: Exception, pointers: dict[str, str], call: Call, moment: datetime) -> Problem:
    if isinstance(refused, CallClosed):
        return _not_open(call, moment)
    if isinstance(refused, FieldProblem):
        problems = [(refused.field, refused.message)]
    else:
        assert isinstance(refused, Incomplete)
        problems = refused.problems
    return Problem(
        422, "The response has problems: see `errors`.", problem_errors(pointers, problems)
    )


async def own_response(request: Request) -> Response:
    """GET /api/v1/responses/{tracking}: your organisation's response, sensitive answers included."""
    token = await _token(request)
    call, found = await _target(token.person, request.path_params["tracking"], request)
    assert found is not None
    await call.fetch_related("topic")
    return json_response(
        request,
        serialise.own_response(found, absolute_urls(request), *await _latest(found)),
        public=False,
    )
