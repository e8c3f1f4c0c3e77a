"""Your data: the privacy notice, a copy of everything we hold about you, deleting your account."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from consult.accounts.session_middleware import end_session
from consult.privacy import services as privacy
from consult.privacy.forms import DeleteAccountForm
from consult.privacy.services import CannotDelete
from core.errors import FieldProblem
from core.notifications.compose import Site
from core.web import bind_form, notify, now, redirect, render, settings_of, signed_in_person


async def privacy_notice(request: Request) -> Response:
    settings = settings_of(request)
    context = {
        "retention_days": settings.retention_days,
        "sent_mail_days": settings.sent_mail_days,
        "session_hours": settings.session_idle_minutes // 60,
        "session_max_hours": settings.session_max_hours,
    }
    return render(request, "accounts/privacy.html", context)


async def your_data(request: Request) -> Response:
    person = signed_in_person(request)
    return render(request, "accounts/your_data.html", {"person": person})


async def export_data(request: Request) -> Response:
    """A ZIP of everything held about the signed-in person, streamed as it is read."""
    person = signed_in_person(request)
    data, files = await privacy.personal_data(person)
    archive = privacy.export_archive(data, files, settings_of(request).upload_dir)
    name = f"qist-consult-data-{now(request):%Y-%m-%d}.zip"
    return StreamingResponse(
        privacy.chunks(archive),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def delete_account(request: Request) -> Response:
    person = signed_in_person(request)
    form = await bind_form(request, DeleteAccountForm)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                await privacy.delete_account(
                    person,
                    form.password.data or "",
                    form.confirmation.data or "",
                    upload_dir=settings_of(request).upload_dir,
                    now=now(request),
                    site=Site.of(request),
                )
            except FieldProblem as problem:
                form.add_field_error(problem.field, problem.message)
            except CannotDelete as refused:
                form.add_field_error("confirmation", str(refused))
            else:
                await end_session(request)  # the others went with the account's rows
                notify(request, "Your account has been deleted.")
                return redirect(request, "home")
    return render(request, "accounts/delete.html", {"person": person, "form": form}, status=status)
