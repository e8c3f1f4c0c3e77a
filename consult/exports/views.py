"""Downloads of responses: the open data of a call, its data package, and the organisers' export."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from consult.calls.models import Call
from consult.calls.queries import public_call
from consult.exports.datapackage import data_package
from consult.exports.formats import FORMATS, encode
from consult.exports.services import organiser_export, public_export
from consult.exports.tables import Table, public_columns
from core.web import settings_of, signed_in_person


def _extension(request: Request) -> str:
    extension = request.path_params["format"]
    if extension not in FORMATS:
        raise HTTPException(404)
    return str(extension)


def _download(table: Table, extension: str, filename: str) -> StreamingResponse:
    return StreamingResponse(
        encode(table, extension),
        media_type=FORMATS[extension].media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}.{extension}"'},
    )


async def _public_call(request: Request) -> Call:
    call = await public_call(request.path_params["slug"])
    if call is None:
        raise HTTPException(404)
    return call


async def public_download(request: Request) -> Response:
    extension = _extension(request)
    call = await _public_call(request)
    return _download(await public_export(call), extension, f"{call.slug}-responses")


async def public_datapackage(request: Request) -> Response:
    call = await _public_call(request)
    base = settings_of(request).base_url.rstrip("/")
    urls = {
        extension: base + request.url_for("exports:public", slug=call.slug, format=extension).path
        for extension in FORMATS
    }
    descriptor = data_package(
        name=call.slug,
        title=f"Published responses: {call.title}",
        description=(
            f"{call.summary} Responses published with their authors' consent; answers marked "
            "commercially sensitive, uploaded files and redacted personal details are left out."
        ),
        homepage=base + request.url_for("responses:published", slug=call.slug).path,
        urls=urls,
        columns=await public_columns(call),
    )
    return JSONResponse(descriptor, media_type="application/json")


async def organiser_download(request: Request) -> Response:
    person = signed_in_person(request)
    extension = _extension(request)
    call = await Call.get_or_none(slug=request.path_params["slug"])
    if call is None:
        raise HTTPException(404)
    try:
        # A HEAD request (a link checker, a download manager) sends no rows, so it is not audited.
        table = await organiser_export(person, call, extension, audited=request.method != "HEAD")
    except PermissionError as exc:
        raise HTTPException(403, str(exc)) from None
    return _download(table, extension, f"{call.slug}-responses-all")
