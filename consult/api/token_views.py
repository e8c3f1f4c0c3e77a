"""/account/api-tokens: an organisation's tokens for the JSON API — issue, list, revoke.

A new token's secret is shown once, in the answer to the POST that made it (not kept for a
redirect: the session cookie is signed, not encrypted), then never again: only its SHA-256 is
stored. Pages under /account are sent with `Cache-Control: no-store`.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from consult.api.token_forms import NewTokenForm, RevokeTokenForm
from consult.api.tokens import CannotIssue, issue_token, revoke_token, tokens_of
from core.web import bind_form, notify, now, redirect, render, settings_of, signed_in_person


async def api_tokens(request: Request) -> Response:
    person = signed_in_person(request)
    form = await bind_form(request, NewTokenForm)
    status, secret = 200, None
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                issued = await issue_token(person, form.name.data or "")
            except CannotIssue as refused:
                form.add_field_error("name", str(refused))
            else:
                status, secret = 201, issued.secret
                form = NewTokenForm(meta={"csrf_context": request.session})
    context = {
        "person": person,
        "form": form,
        "revoke_form": RevokeTokenForm(meta={"csrf_context": request.session}),
        "tokens": await tokens_of(person),
        "new_secret": secret,
        "api_base": settings_of(request).url_for_path("/api/v1"),
    }
    return render(request, "accounts/api_tokens.html", context, status=status)


async def revoke_api_token(request: Request) -> Response:
    person = signed_in_person(request)
    await bind_form(request, RevokeTokenForm)
    if not await revoke_token(person, request.path_params["token_id"], now=now(request)):
        raise HTTPException(404, "You have no live token with this number.")
    notify(request, "The token has been revoked: requests that use it are now refused.")
    return redirect(request, "account:api_tokens")
