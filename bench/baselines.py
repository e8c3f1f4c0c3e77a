"""The baselines the benchmarks compare with: the least a web service could do for the same work,
on the same framework, server and database.

    uvicorn bench.baselines:app   (BENCH_DATABASE_URL and BENCH_BYTES_DIR in the environment)

- `POST /calls/{slug}/responses`: reads the same form fields as the real response pages and
  inserts the same rows (a submitted response and its five answers) with raw asyncpg in one
  transaction, then redirects to the receipt. No session, no CSRF, no validation, no ORM, no
  template, no mail.
- `GET /bytes/{name}`: answers with bytes read into memory at start-up, as a static file server
  would: the floor for a feed or a page that the real service builds.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

CONTENT_TYPES = {
    ".ics": "text/calendar; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}

INSERT_RESPONSE = """
INSERT INTO response (
    call_id, respondent_id, status, tracking_number, respondent_type, organisation_name, sector,
    country, consent, details_confirmed, revision, submitted_at, last_submitted_at, publication,
    campaign_extra, created_at, updated_at
) VALUES ($1, $2, 'submitted', $3, $4, '', $5, $6, $7, TRUE, 1, $8, $8, 'pending', '', $8, $8)
RETURNING id
"""
INSERT_ANSWER = """
INSERT INTO answer (response_id, question_id, text, choices, scale, sensitive, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, FALSE, $6, $6)
"""


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    app.state.pool = None
    if url:
        app.state.pool = await asyncpg.create_pool(
            "postgresql://" + url.split("://", 1)[1], min_size=5, max_size=20
        )
    folder = os.environ.get("BENCH_BYTES_DIR", "")
    app.state.files = (
        {path.name: path.read_bytes() for path in Path(folder).iterdir()} if folder else {}
    )
    app.state.questions = {}
    try:
        yield
    finally:
        if app.state.pool is not None:
            await app.state.pool.close()


async def _questions(request: Request, slug: str) -> tuple[int, list[tuple[int, str]]]:
    """The call's id and its questions (id, kind), looked up once per process."""
    known = request.app.state.questions.get(slug)
    if known is None:
        async with request.app.state.pool.acquire() as connection:
            call_id = await connection.fetchval("SELECT id FROM call WHERE slug = $1", slug)
            rows = await connection.fetch(
                "SELECT id, kind FROM question WHERE call_id = $1 ORDER BY position", call_id
            )
        known = (call_id, [(row["id"], row["kind"]) for row in rows])
        request.app.state.questions[slug] = known
    return known


async def submit(request: Request) -> Response:
    call_id, questions = await _questions(request, request.path_params["slug"])
    form = await request.form()
    now = datetime.now(UTC)
    tracking = f"QC-{now.year}-{secrets.token_hex(4).upper()}"
    async with request.app.state.pool.acquire() as connection, connection.transaction():
        response_id = await connection.fetchval(
            INSERT_RESPONSE,
            call_id,
            int(str(form["person"])),
            tracking,
            str(form["respondent_type"]),
            str(form["sector"]),
            str(form["country"]),
            str(form["consent"]),
            now,
        )
        rows = []
        for question_id, kind in questions:
            name = f"q{question_id}"
            text, choices, scale = "", [], None
            if kind in ("long_text", "short_text"):
                text = str(form.get(name, ""))
            elif kind == "scale":
                scale = int(str(form.get(name, "0")))
            else:
                choices = [str(value) for value in form.getlist(name)]
            rows.append((response_id, question_id, text, json.dumps(choices), scale, now))
        await connection.executemany(INSERT_ANSWER, rows)
    return RedirectResponse(f"/responses/{tracking}", status_code=303)


async def static_bytes(request: Request) -> Response:
    name = request.path_params["name"]
    body = request.app.state.files.get(name)
    if body is None:
        return PlainTextResponse("not found", status_code=404)
    media_type = CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream")
    return Response(body, media_type=media_type)


async def ready(request: Request) -> Response:
    return PlainTextResponse("ok")


app = Starlette(
    routes=[
        Route("/calls/{slug}/responses", submit, methods=["POST"]),
        Route("/bytes/{name}", static_bytes),
        Route("/readyz", ready),
    ],
    lifespan=lifespan,
)
