"""Routes of moderation: the published responses with "this was not me" on each, and the
moderators' workspace (its home, a call's responses, queues, reports, and the audit log).

`/organise/calls/{slug}/responses/export.{fmt}` (consult.exports) never reaches the response page:
`{response_id:int}` only matches digits.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from consult.moderation import public_views, views

PUBLISHED = "/calls/{slug}/responses/{response_id:int}"
POST = ["POST"]
CALL = "/organise/calls/{slug}"
RESPONSE = CALL + "/responses/{response_id:int}"

routes: list[BaseRoute] = [
    # Public
    Route("/calls/{slug}/responses/", public_views.published, name="responses:published"),
    Route(
        PUBLISHED + "/not-me", public_views.not_me, methods=["GET", "POST"], name="responses:not_me"
    ),
    Route(PUBLISHED + "/not-me/sent", public_views.not_me_sent, name="responses:not_me_sent"),
    # The moderators' workspace
    Route("/organise/", views.home, name="organise:home"),
    Route("/organise/audit", views.audit, name="organise:audit"),
    Route(CALL + "/responses", views.responses, name="moderation:responses"),
    Route(RESPONSE, views.response_view, name="moderation:response"),
    Route(RESPONSE + "/publication", views.decide, methods=POST, name="moderation:decide"),
    Route(RESPONSE + "/redactions", views.redact, methods=POST, name="moderation:redact"),
    Route(
        RESPONSE + "/redactions/{redaction_id:int}/delete",
        views.unredact,
        methods=POST,
        name="moderation:unredact",
    ),
    Route(
        RESPONSE + "/redactions/carry-forward",
        views.carry_forward,
        methods=POST,
        name="moderation:carry_forward",
    ),
    Route(CALL + "/moderation", views.queue, name="moderation:queue"),
    Route(CALL + "/reports", views.reports, name="moderation:reports"),
    Route(
        CALL + "/reports/{report_id:int}/resolve",
        views.resolve_report,
        methods=POST,
        name="moderation:resolve_report",
    ),
]
