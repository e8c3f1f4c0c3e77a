"""Routes of a call's analysis and form-letter campaigns in the organiser workspace."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from consult.analysis import views

POST = ["POST"]
CALL = "/organise/calls/{slug}"
CAMPAIGN = CALL + "/campaigns/{campaign_id:int}"

routes: list[BaseRoute] = [
    Route(CALL + "/analysis", views.analysis, name="analysis:overview"),
    Route(CALL + "/campaigns", views.campaigns, name="analysis:campaigns"),
    Route(CALL + "/campaigns/detect", views.detect, methods=POST, name="analysis:detect"),
    Route(CAMPAIGN, views.campaign, name="analysis:campaign"),
    Route(
        CAMPAIGN + "/publication",
        views.campaign_publication,
        methods=POST,
        name="analysis:campaign_publication",
    ),
]
