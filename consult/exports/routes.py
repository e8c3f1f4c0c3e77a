"""Routes of exports. Wired before the published-response pages, so the file names win."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from consult.exports import views

routes: list[BaseRoute] = [
    Route("/calls/{slug}/responses/export.{format}", views.public_download, name="exports:public"),
    Route(
        "/calls/{slug}/responses/datapackage.json",
        views.public_datapackage,
        name="exports:datapackage",
    ),
    Route(
        "/organise/calls/{slug}/responses/export.{format}",
        views.organiser_download,
        name="exports:organiser",
    ),
]
