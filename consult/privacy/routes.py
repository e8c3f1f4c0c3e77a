"""Routes of privacy: one's data, its export, deleting one's account, and the privacy notice."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from consult.privacy import views as privacy_views

GET_POST = ["GET", "POST"]

routes: list[BaseRoute] = [
    Route("/account/data", privacy_views.your_data, name="account:data"),
    Route("/account/data/export.zip", privacy_views.export_data, name="account:export"),
    Route("/account/delete", privacy_views.delete_account, methods=GET_POST, name="account:delete"),
    Route("/privacy", privacy_views.privacy_notice, name="privacy"),
]
