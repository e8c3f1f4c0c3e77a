"""Public pages of the consult domain: the home page and topics."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from config.web import render
from consult.queries import topic_by_slug, topics_in_order


async def home(request: Request) -> Response:
    return render(request, "consult/home.html", {"topics": await topics_in_order()})


async def topic_list(request: Request) -> Response:
    return render(request, "consult/topics.html", {"topics": await topics_in_order()})


async def topic_detail(request: Request) -> Response:
    topic = await topic_by_slug(request.path_params["slug"])
    if topic is None:
        raise HTTPException(404)
    return render(request, "consult/topic.html", {"topic": topic})
