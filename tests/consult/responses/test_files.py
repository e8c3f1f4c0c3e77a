"""Stored files sent back: a response's files are never kept by a cache, whoever downloads them."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from consult.calls.models import Attachment, AttachmentKind
from consult.responses.models import Response
from core.clock import FixedClock
from tests.consult.responses.journey import complete_response
from tests.factories import TINY_PDF, make_call, organiser_of, verified_stakeholder


async def test_response_files_are_no_store_for_the_author_and_the_organiser(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await verified_stakeholder(client)
    await complete_response(client, call, upload=("evidence.pdf", TINY_PDF))
    response = await Response.get(call_id=call.id)
    attachment = await Attachment.get(
        kind=AttachmentKind.RESPONSE_FILE, answer__response_id=response.id
    )
    path = f"/responses/{response.tracking_number}/files/{attachment.id}"

    own = await client.get(path)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as team:
        await organiser_of(call, team)
        organisers = await team.get(path)
        export = await team.get(f"/organise/calls/{call.slug}/responses/export.csv")

    for download in (own, organisers):
        assert download.status_code == 200
        assert download.content == TINY_PDF
        assert download.headers["content-disposition"].startswith("attachment;")
        assert download.headers["cache-control"] == "no-store"
    assert export.headers["cache-control"] == "no-store"  # like the organiser's export
