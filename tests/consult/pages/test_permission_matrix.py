"""Who may use each workspace route, generated from the route table.

Every route under /organise, with every method it answers, is requested by five people: a visitor,
a stakeholder, an organiser of another call, an organiser of this call (and this session), and an
admin. Path parameters are filled from objects made for the test (`PARAMS`); a route with a
parameter missing from that table fails here, so a new route cannot arrive unchecked.

What the app does today, and what this test holds it to:

- a visitor is sent to sign in (303 to /account/signin?next=…);
- a stakeholder gets 403;
- an organiser of another call gets 403 (or 404) on anything of this call or session, and 403 on
  admin-only pages, but may use the pages that name no call (the workspace home, "create a call");
- this call's organiser and an admin may use every route (admins also the admin-only ones):
  any answer but 401, 403, 404, 405, a redirect to sign in, or a server error.

POSTs carry the session's valid CSRF token and an otherwise empty body: a 400 is fine for those
allowed, but nothing may change in the database for those refused. An allowed POST may change
things (it is allowed), so each one runs against objects made for it alone.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from tortoise import connections

from config.routes import build_routes
from consult.analysis.models import Campaign
from consult.calls.models import Attachment, AttachmentKind, Question, QuestionKind
from consult.comments.models import Comment, CommentStatus
from consult.moderation.models import NotMeReport, Redaction
from consult.responses.models import Answer, Consent, Response, ResponseStatus
from consult.responses.revisions import as_submitted, record_submitted
from consult.responses.tracking import new_tracking_number
from core.clock import FixedClock
from core.models import Person
from core.vocabulary import Role
from events.models import occurrence_key
from tests.factories import make_call, person_with_role, verified_stakeholder, weekly_session
from tests.support import csrf_from

ROLES = ("visitor", "stakeholder", "other organiser", "own organiser", "admin")
# Routes only admins may use, whatever the object they name.
ADMIN_ONLY = frozenset(
    {"admin:people", "admin:person_role", "admin:person_two_step_off", "organise:audit"}
)
# `{slug}` names a call or a session depending on where it is.
SLUGS = {"/organise/calls/": "call_slug", "/organise/sessions/": "session_slug"}
# Every other path parameter of a workspace route, and the sample that fills it. A new route with
# a new parameter fails until its parameter is added here (and made by `make_world`).
PARAMS = {
    "response_id": "response_id",
    "question_id": "question_id",
    "comment_id": "comment_id",
    "report_id": "report_id",
    "redaction_id": "redaction_id",
    "campaign_id": "campaign_id",
    "attachment_id": "attachment_id",
    "person_id": "person_id",
    "key": "occurrence_key",
    "format": "export_format",
    "fmt": "export_format",
}
PARAM = re.compile(r"{(\w+)(?::\w+)?}")
SIGN_IN = "/account/signin?next="
_worlds = itertools.count(1)


@dataclass(frozen=True)
class Check:
    """One request of the matrix: a route and one of its methods."""

    name: str
    method: str
    path: str  # as declared, with {parameters}

    @property
    def admin_only(self) -> bool:
        return self.name in ADMIN_ONLY

    @property
    def names_an_object(self) -> bool:
        """Whether the route acts on one call or session (its team decides who may use it)."""
        return "{slug}" in self.path

    def allowed(self, role: str) -> bool:
        if role in ("visitor", "stakeholder"):
            return False
        if role == "admin":
            return True
        if self.admin_only:
            return False
        return role == "own organiser" or not self.names_an_object

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.name})"


def workspace_checks() -> list[Check]:
    """Every route under /organise from the app's route table, one check per method (HEAD aside)."""
    return [
        Check(route.name, method, route.path)
        for route in build_routes()
        if isinstance(route, Route) and route.path.startswith("/organise")
        for method in sorted(route.methods or ())
        if method != "HEAD"
    ]


def missing_parameters(check: Check) -> list[str]:
    return [
        name
        for name in PARAM.findall(check.path)
        if (name == "slug" and not _slug_sample(check.path))
        or (name != "slug" and name not in PARAMS)
    ]


def _slug_sample(path: str) -> str | None:
    return next((sample for prefix, sample in SLUGS.items() if path.startswith(prefix)), None)


def filled(check: Check, world: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        sample = _slug_sample(check.path) if name == "slug" else PARAMS[name]
        assert sample is not None
        return world[sample]

    return PARAM.sub(value, check.path)


# ---------------------------------------------------------------- The people and their objects


@dataclass
class People:
    stakeholder: Person
    other_organiser: Person
    own_organiser: Person
    admin: Person


async def make_world(people: People, now: datetime) -> dict[str, str]:
    """A call and a session run by the own organiser, with one of everything a route can name."""
    n = next(_worlds)
    call = await make_call(now, slug=f"matrix-call-{n}")
    await call.team.add(people.own_organiser)
    question = await Question.get(call_id=call.id, kind=QuestionKind.LONG_TEXT)
    campaign = await Campaign.create(call=call, template="Dear minister", size=1, detected_at=now)
    response = await Response.create(
        call=call,
        respondent=people.stakeholder,
        status=ResponseStatus.SUBMITTED,
        consent=Consent.PUBLISH_NAMED,
        tracking_number=new_tracking_number(2026),
        submitted_at=now - timedelta(hours=1),
        details_confirmed=True,
        campaign=campaign,
        revision=1,
    )
    answer = await Answer.create(
        response=response, question=question, text="Call me on 07700 900123."
    )
    await record_submitted(response)
    redaction = await Redaction.create(
        answer=await as_submitted(answer),
        start=11,
        end=23,
        original="07700 900123",
        reason="phone number",
    )
    report = await NotMeReport.create(
        response=response, name="Someone", email="someone@example.org", created_at=now
    )
    comment = await Comment.create(
        call=call, author=people.stakeholder, body="A comment", status=CommentStatus.PENDING
    )
    document = await Attachment.create(
        kind=AttachmentKind.CALL_DOCUMENT,
        call=call,
        original_name="brief.pdf",
        stored_name=f"{n:032x}",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        title="Brief",
    )
    starts = now + timedelta(days=30)
    session = await weekly_session(
        f"matrix-session-{n}",
        starts,
        "Europe/London",
        4,
        title="Standards roundtable",
        minutes=60,
    )
    await session.team.add(people.own_organiser)
    return {
        "call_slug": call.slug,
        "session_slug": session.slug,
        "response_id": str(response.id),
        "question_id": str(question.id),
        "comment_id": str(comment.id),
        "report_id": str(report.id),
        "redaction_id": str(redaction.id),
        "campaign_id": str(campaign.id),
        "attachment_id": str(document.id),
        "person_id": str(people.stakeholder.id),
        "occurrence_key": occurrence_key(starts),
        "export_format": "csv",
    }


@asynccontextmanager
async def browsers(app: Starlette) -> AsyncIterator[tuple[dict[str, httpx.AsyncClient], People]]:
    """A signed-in browser for each role (a visitor's with no account), each with a CSRF token."""
    clients: dict[str, httpx.AsyncClient] = {}
    try:
        for number, role in enumerate(ROLES, start=1):
            transport = httpx.ASGITransport(app=app, client=(f"203.0.113.{number}", 50000))
            clients[role] = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        stakeholder = await verified_stakeholder(clients["stakeholder"], "ada@example.org")
        other = await person_with_role(
            clients["other organiser"], "grace@example.gov", Role.ORGANISER, "Grace Hopper"
        )
        own = await person_with_role(
            clients["own organiser"], "rosalind@example.gov", Role.ORGANISER
        )
        admin = await person_with_role(
            clients["admin"], "admin@example.gov", Role.ADMIN, "Alan Turing"
        )
        yield clients, People(stakeholder, other, own, admin)
    finally:
        for client in clients.values():
            await client.aclose()


async def csrf_tokens(clients: dict[str, httpx.AsyncClient]) -> dict[str, str]:
    """Each browser's session token, read from a page with a form (the header's sign-out form)."""
    tokens = {}
    for role, client in clients.items():
        page = "/account/signin" if role == "visitor" else "/account/"
        tokens[role] = csrf_from(await client.get(page))
    return tokens


async def request(client: httpx.AsyncClient, check: Check, path: str, token: str) -> httpx.Response:
    if check.method == "POST":
        return await client.post(path, data={"csrf_token": token})
    return await client.request(check.method, path)


async def snapshot() -> dict[str, list[str]]:
    """Every row of every table, to show that refused requests changed nothing."""
    connection = connections.get("default")
    if connection.capabilities.dialect == "sqlite":
        listed = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        listed = "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
    tables = [row["name"] for row in await connection.execute_query_dict(listed)]
    return {
        table: sorted(
            repr(sorted((k, v) for k, v in row.items() if (table, k) not in SESSION_STATE))
            for row in await connection.execute_query_dict(f'SELECT * FROM "{table}"')
        )
        for table in sorted(tables)
    }


# What a page keeps in the browser's session (a notice for the next page) and when it was last
# seen: not a change the request made, but the session's own state (once in the cookie).
SESSION_STATE = {("sign_in_session", "data"), ("sign_in_session", "last_seen_at")}


def refusal_problem(role: str, check: Check, answer: httpx.Response) -> str | None:
    """Why `answer` is not the refusal `role` should get, or None when it is."""
    status = answer.status_code
    if role == "visitor":
        if status == 303 and answer.headers.get("location", "").startswith(SIGN_IN):
            return None
        return f"visitor: expected a redirect to sign in, got {status}"
    if role == "stakeholder":
        return None if status == 403 else f"stakeholder: expected 403, got {status}"
    if status == 403 or (status == 404 and check.names_an_object):
        return None
    hint = "" if check.names_an_object else " (if only admins may use it, add it to ADMIN_ONLY)"
    return f"{role}: expected 403{' or 404' if check.names_an_object else ''}, got {status}{hint}"


def acceptance_problem(role: str, answer: httpx.Response) -> str | None:
    """Why `answer` is not one an allowed person should get, or None when it is."""
    status = answer.status_code
    if status in (401, 403, 404, 405) or status >= 500:
        return f"{role}: expected to be allowed, got {status}"
    if status in (302, 303) and answer.headers.get("location", "").startswith(SIGN_IN):
        return f"{role}: expected to be allowed, was sent to sign in"
    return None


# ---------------------------------------------------------------- The tests


def test_every_workspace_route_has_samples_for_its_path_parameters() -> None:
    checks = workspace_checks()
    missing = sorted(
        {
            f"{check.path} ({check.name}): {{{name}}}"
            for check in checks
            for name in missing_parameters(check)
        }
    )
    assert not missing, (
        "These workspace routes have path parameters the permission matrix cannot fill. Add each "
        "parameter to PARAMS (or its area to SLUGS) in tests/consult/pages/test_permission_matrix.py, "
        "and make a sample object for it in make_world():\n  " + "\n  ".join(missing)
    )


def test_the_matrix_covers_the_workspace() -> None:
    names = {check.name for check in workspace_checks()}
    assert {
        "organise:home",
        "organise:audit",
        "organise:calls",
        "organise:call_outcome",
        "moderation:responses",
        "moderation:response",
        "moderation:decide",
        "moderation:redact",
        "moderation:unredact",
        "moderation:queue",
        "moderation:reports",
        "moderation:resolve_report",
        "comments:moderation",
        "comments:moderate",
        "organise_sessions:overview",
        "admin:people",
    } <= names


async def test_who_may_use_each_workspace_route(app: Starlette, clock: FixedClock) -> None:
    checks = workspace_checks()
    unfillable = [check for check in checks if missing_parameters(check)]
    if unfillable:
        pytest.fail(
            "No sample for the path parameters of: "
            + ", ".join(str(check) for check in unfillable)
            + ". Add them to PARAMS in tests/consult/pages/test_permission_matrix.py.",
            pytrace=False,
        )
    problems: list[str] = []
    async with browsers(app) as (clients, people):
        tokens = await csrf_tokens(clients)
        shared = await make_world(people, clock.now())

        # Refused: the answer says so, and the database is as it was.
        before = await snapshot()
        for check in checks:
            for role in ROLES:
                if check.allowed(role):
                    continue
                answer = await request(clients[role], check, filled(check, shared), tokens[role])
                problem = refusal_problem(role, check, answer)
                if problem:
                    problems.append(f"{check}: {problem}")
        after = await snapshot()
        changed = [table for table in before if before[table] != after.get(table)]
        if changed:
            problems.append(f"refused requests changed these tables: {', '.join(changed)}")

        # Allowed: GETs on the shared objects; each POST on objects of its own.
        for check in checks:
            for role in ROLES:
                if not check.allowed(role):
                    continue
                world = shared if check.method == "GET" else await make_world(people, clock.now())
                answer = await request(clients[role], check, filled(check, world), tokens[role])
                problem = acceptance_problem(role, answer)
                if problem:
                    problems.append(f"{check}: {problem}")

    assert not problems, "\n".join(problems)


def test_a_route_with_an_unknown_parameter_is_reported() -> None:
    new = Check("organise:thing", "GET", "/organise/things/{thing_id:int}")
    elsewhere = Check("organise:topic", "GET", "/organise/topics/{slug}")
    assert missing_parameters(new) == ["thing_id"]
    assert missing_parameters(elsewhere) == ["slug"]  # a slug of an area SLUGS does not know
    assert missing_parameters(Check("x", "GET", "/organise/calls/{slug}/responses")) == []


async def test_organisers_and_admins_owing_two_step_sign_in_are_sent_to_set_it_up_on_every_route(
    app: Starlette, clock: FixedClock
) -> None:
    """With TWO_STEP_REQUIRED=on (the default), an organiser or admin who has not set it up gets
    nothing of the workspace: every route and method sends them to set it up, changing nothing."""
    app.state.settings = replace(app.state.settings, two_step_required=True)
    setup = "/account/two-step?next="
    problems: list[str] = []
    async with browsers(app) as (clients, people):
        tokens = await csrf_tokens(clients)
        world = await make_world(people, clock.now())
        before = await snapshot()
        for check in workspace_checks():
            for role in ("own organiser", "admin"):
                path = filled(check, world)
                answer = await request(clients[role], check, path, tokens[role])
                expected = setup + (path if check.method == "GET" else "/organise/")
                if (answer.status_code, answer.headers.get("location")) != (303, expected):
                    problems.append(f"{check}: {role} got {answer.status_code}, not sent to set up")
        after = await snapshot()
    changed = [table for table in before if before[table] != after.get(table)]
    assert not changed, f"requests of people owing two-step changed: {', '.join(changed)}"
    assert not problems, "\n".join(problems)
