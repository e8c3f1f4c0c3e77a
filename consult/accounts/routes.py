"""Routes of accounts: signing up and in, two-step sign-in, one's profile and mail choices, and
the admins' people pages."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from consult.accounts import admin_views, two_step_views
from consult.accounts import views as accounts

GET_POST = ["GET", "POST"]

routes: list[BaseRoute] = [
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
