"""Composing the messages the scheduler writes: text and HTML from templates, with unsubscribe links."""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment
from starlette.requests import HTTPConnection

from base.settings import Settings
from core.models import Person
from core.notifications.preferences import choice_of, unsubscribe_headers, unsubscribe_path
from core.notifications.transport import OutgoingMail


@dataclass(frozen=True)
class Site:
    """What messages need to know about the service: its settings and how to write mail."""

    settings: Settings
    env: Environment

    def url(self, path: str) -> str:
        return self.settings.url_for_path(path)

    @classmethod
    def of(cls, request: HTTPConnection) -> Site:
        """The site a request runs in: its settings and mail templates."""
        return cls(request.app.state.settings, request.app.state.templates.env)


def compose(
    site: Site,
    template: str,
    recipient: Person,
    subject: str,
    *,
    kind: str,
    **context: object,
) -> OutgoingMail:
    """A message of `kind` to `recipient`, in text and HTML, with its one-click unsubscribe link.

    Templates include `mail/_unsubscribe.*`, which names the choice this message belongs to.
    """
    path = unsubscribe_path(str(site.settings.secret_key), recipient.id, kind)
    unsubscribe_url = site.url(path) if path else None
    context = {
        **context,
        "person": recipient,
        "mail_choice": choice_of(kind),
        "unsubscribe_url": unsubscribe_url,
        "settings_url": site.url("/account/notifications"),
    }
    return OutgoingMail(
        to=recipient.email,
        subject=subject,
        text=site.env.get_template(f"mail/{template}.txt").render(context),
        html=site.env.get_template(f"mail/{template}.html").render(context),
        headers=unsubscribe_headers(unsubscribe_url) if unsubscribe_url else {},
    )
