"""Routes of the consult domain. Every route has a name; templates link by name."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from consult.accounts import admin_views, two_step_views
from consult.accounts import views as accounts
from consult.analysis.routes import routes as analysis_routes
from consult.api import token_views as api_token_views
from consult.api.routes import routes as api_routes
from consult.calls.organise_routes import routes as organise_call_routes
from consult.calls.routes import routes as call_routes
from consult.comments.routes import routes as comment_routes
from consult.exports.routes import routes as export_routes
from consult.moderation.public_routes import routes as published_response_routes
from consult.moderation.routes import routes as moderation_routes
from consult.pages.routes import routes as page_routes
from consult.privacy import views as privacy_views
from consult.responses.routes import routes as response_routes

GET_POST = ["GET", "POST"]

account_routes: list[BaseRoute] = [
    Route("/account/", accounts.account_home, name="account:home"),
    Route("/account/signup", accounts.sign_up, methods=GET_POST, name="account:signup"),
    Route("/account/signup/check-email", accounts.check_email, name="account:check_email"),
    Route(
        "/account/verify/resend",
        accounts.resend_verification,
        methods=["POST"],
        name="account:resend_verification",
    ),
    Route("/account/verify/{token}", accounts.verify, methods=GET_POST, name="account:verify"),
    Route("/account/signin", accounts.sign_in, methods=GET_POST, name="account:signin"),
    Route(
        "/account/signin/code",
        two_step_views.sign_in_code,
        methods=GET_POST,
        name="account:signin_code",
    ),
    Route("/account/two-step", two_step_views.set_up, methods=GET_POST, name="account:two_step"),
    Route(
        "/account/two-step/recovery-codes",
        two_step_views.renew_recovery_codes,
        methods=["POST"],
        name="account:two_step_codes",
    ),
    Route(
        "/account/two-step/off",
        two_step_views.turn_off,
        methods=GET_POST,
        name="account:two_step_off",
    ),
    Route("/account/signout", accounts.sign_out, methods=["POST"], name="account:signout"),
    Route(
        "/account/signout/others",
        accounts.sign_out_others,
        methods=["POST"],
        name="account:signout_others",
    ),
    Route(
        "/account/password/forgot",
        accounts.forgot_password,
        methods=GET_POST,
        name="account:forgot_password",
    ),
    Route(
        "/account/password/reset/{token}",
        accounts.reset_password,
        methods=GET_POST,
        name="account:reset_password",
    ),
    Route("/account/password", accounts.change_password, methods=GET_POST, name="account:password"),
    Route("/account/profile", accounts.profile, methods=GET_POST, name="account:profile"),
    Route(
        "/account/notifications",
        accounts.notifications,
        methods=GET_POST,
        name="account:notifications",
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
    Route("/account/data", privacy_views.your_data, name="account:data"),
    Route("/account/data/export.zip", privacy_views.export_data, name="account:export"),
    Route("/account/delete", privacy_views.delete_account, methods=GET_POST, name="account:delete"),
    Route("/privacy", privacy_views.privacy_notice, name="privacy"),
    # The address the List-Unsubscribe header of optional mail carries (core.notifications.compose).
    Route(
        "/unsubscribe/{token}", accounts.unsubscribe, methods=GET_POST, name="account:unsubscribe"
    ),
    Route("/organise/people", admin_views.people, name="admin:people"),
    Route(
        "/organise/people/{person_id:int}/role",
        admin_views.person_role,
        methods=GET_POST,
        name="admin:person_role",
    ),
    Route(
        "/organise/people/{person_id:int}/two-step-off",
        admin_views.person_two_step_off,
        methods=["POST"],
        name="admin:person_two_step_off",
    ),
]

routes: list[BaseRoute] = [
    *page_routes,
    *account_routes,
    *call_routes,
    *response_routes,
    *comment_routes,
    *organise_call_routes,
    # Exports first: /calls/{slug}/responses/export.csv must win over the response pages.
    *export_routes,
    *published_response_routes,
    *moderation_routes,
    *analysis_routes,
    *api_routes,
]
