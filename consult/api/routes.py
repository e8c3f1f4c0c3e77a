"""Routes of the JSON API (/api/v1), its OpenAPI document and its reference page, and the
account page where an organisation issues and revokes its API tokens."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from consult.api import docs_views, read_views, write_views
from consult.api import token_views as api_token_views

V1 = "/api/v1"
GET_POST = ["GET", "POST"]

routes: list[BaseRoute] = [
    Route(f"{V1}/openapi.json", docs_views.openapi_json, name="api:openapi"),
    Route("/api/docs", docs_views.reference, name="api:docs"),
    Route(f"{V1}/topics", read_views.topics, name="api:topics"),
    Route(f"{V1}/topics/{{slug}}", read_views.topic, name="api:topic"),
    Route(f"{V1}/calls", read_views.calls, name="api:calls"),
    Route(f"{V1}/calls/{{slug}}", read_views.call, name="api:call"),
    Route(
        f"{V1}/calls/{{slug}}/responses",
        read_views.call_responses,
        name="api:call_responses",
    ),
    Route(
        f"{V1}/calls/{{slug}}/responses",
        write_views.submit,
        methods=["POST"],
        name="api:submit_response",
    ),
    Route(f"{V1}/calls/{{slug}}/comments", read_views.call_comments, name="api:call_comments"),
    Route(f"{V1}/sessions", read_views.sessions, name="api:sessions"),
    Route(f"{V1}/sessions/{{slug}}", read_views.session, name="api:session"),
    Route(f"{V1}/responses/{{tracking}}", write_views.own_response, name="api:response"),
    Route(
        f"{V1}/responses/{{tracking}}",
        write_views.replace,
        methods=["PUT"],
        name="api:replace_response",
    ),
    Route(
        "/account/api-tokens",
        api_token_views.api_tokens,
        methods=GET_POST,
        name="account:api_tokens",
    ),
    Route(
        "/account/api-tokens/{token_id:int}/revoke",
        api_token_views.revoke_api_token,
        methods=["POST"],
        name="account:revoke_api_token",
    ),
]
