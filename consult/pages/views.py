"""Public pages of the consult domain: the home page and topics."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from consult.calls.queries import finished_calls, open_calls, upcoming_calls
from core.queries import topic_by_slug, topics_in_order
from core.web import now, render
from events.views import home_sessions, topic_sessions


async def home(request: Request) -> Response:
    moment = now(request)
    context = {
        "open_calls": await open_calls(moment),
        "upcoming_calls": await upcoming_calls(moment),
        "topics": await topics_in_order(),
        **await home_sessions(request),
    }
    return render(request, "consult/home.html", context)


async def topic_list(request: Request) -> Response:
    return render(request, "consult/topics.html", {"topics": await topics_in_order()})


async def topic_detail(request: Request) -> Response:
    topic = await topic_by_slug(request.path_params["slug"])
    if topic is None:
        raise HTTPException(404)
    moment = now(request)
    context = {
        "topic": topic,
        "open_calls": await open_calls(moment, topic_id=topic.id),
        "upcoming_calls": await upcoming_calls(moment, topic_id=topic.id),
        "finished_calls": await finished_calls(moment, topic_id=topic.id),
        **await topic_sessions(request, topic),
    }
    return render(request, "consult/topic.html", context)
