"""What every API view needs: absolute links, the per-address read count, the call in the URL."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from consult.api.problems import Problem
from consult.api.serialise import Url
from consult.calls.models import Call
from consult.calls.queries import public_call
from core.web import client_address, settings_of


def absolute_urls(request: Request) -> Url:
    """url(route name, **params): absolute, on BASE_URL, as the API's links are written."""
    settings = settings_of(request)

    def url(name: str, **params: Any) -> str:
        return settings.url_for_path(request.url_for(name, **params).path)

    return url


def count_read(request: Request) -> None:
    """Count a read against the address's limit (429 with Retry-After past it)."""
    request.app.state.api_read_limiter.check(client_address(request))


async def public_call_or_404(request: Request) -> Call:
    found = await public_call(request.path_params["slug"])
    if found is None:
        raise Problem(404, "There is no public call with this slug.")
    return found
