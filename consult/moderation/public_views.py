"""Published responses: the list with filters and search, and the "this was not me" form."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response as HttpResponse

from base.freshness import fresh
from consult.calls.models import Call
from consult.calls.queries import public_call
from consult.moderation.not_me_forms import NotMeForm
from consult.moderation.public import PublicResponse
from consult.moderation.published import (
    BadFilter,
    Filters,
    published_count,
    published_countries,
    published_page,
    published_response,
)
from consult.moderation.reports import report_not_me
from consult.responses.models import RespondentType, Response
from core.errors import FieldProblem
from core.ratelimit import RateLimited
from core.vocabulary import Sector
from core.web import (
    bind_form,
    client_address,
    now,
    page_number,
    redirect,
    render,
    settings_of,
    too_many,
)

NOT_ME_PAGE = "published/not_me.html"


async def _public_call(request: Request) -> Call:
    call = await public_call(request.path_params["slug"])
    if call is None:
        raise HTTPException(404)
    return call


async def _published(request: Request, call: Call) -> tuple[Response, PublicResponse]:
    found = await published_response(call, request.path_params["response_id"])
    if found is None:
        raise HTTPException(404)
    return found


async def published(request: Request) -> HttpResponse:
    call = await _public_call(request)
    try:
        filters = Filters.parse(request.query_params)
    except BadFilter as problem:
        raise HTTPException(400, str(problem)) from None
    # The same for every visitor until moderators act: counted once per PUBLIC_FRESHNESS_SECONDS.
    published_total = await fresh(request).get(
        ("published_count", call.id), lambda: published_count(call)
    )
    page = await published_page(
        call, filters, page_number(request), published_total=published_total
    )
    context = {
        "call": call,
        "page": page,
        "filters": filters,
        "query_string": urlencode(filters.as_params()),
        "published_total": published_total,
        "sectors": list(Sector),
        "countries": await fresh(request).get(
            ("published_countries", call.id), lambda: published_countries(call)
        ),
        "respondent_types": list(RespondentType),
    }
    return render(request, "published/list.html", context)


async def not_me(request: Request) -> HttpResponse:
    form = await bind_form(request, NotMeForm)  # a POST's CSRF token first: 403 before lookups
    call = await _public_call(request)
    response, view = await _published(request, call)
    context = {"call": call, "view": view, "form": form}
    if request.method == "POST" and form.validate():
        try:
            await report_not_me(
                response,
                form.name.data or "",
                form.email.data or "",
                form.details.data or "",
                now(request),
                address=client_address(request),
                limit=settings_of(request).not_me_limit,
            )
        except RateLimited as exc:
            return too_many(request, NOT_ME_PAGE, context, exc)
        except FieldProblem as problem:
            form.add_field_error(problem.field, problem.message)
        else:
            return redirect(request, "responses:not_me_sent", slug=call.slug, response_id=view.id)
    return render(request, NOT_ME_PAGE, context, status=400 if request.method == "POST" else 200)


async def not_me_sent(request: Request) -> HttpResponse:
    call = await _public_call(request)
    _, view = await _published(request, call)
    return render(request, "published/not_me_sent.html", {"call": call, "view": view})
