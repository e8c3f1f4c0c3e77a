"""The one way the service writes mail.

A message's kind names its templates (`MESSAGES`): `mail/<template>.txt` says the subject (in a
`{% set subject %}` block) and the text, `mail/<template>.html` the HTML. Links are built from
route names (`Site.link`, `url_for` in templates), never written as paths. Mail a person may turn
off carries the one-click unsubscribe link of its choice (`preferences`).

Services and jobs call `write` inside the transaction of the change a message reports, so the
change and its outbox row commit together; a caller that owns the transaction may then call
`send_soon` for a head start, and the dispatcher sends whatever that did not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from jinja2 import Environment
from starlette.requests import HTTPConnection

from base.settings import Settings
from core.models import Person
from core.notifications.models import Notification
from core.notifications.outbox import Sent, enqueue, send_one
from core.notifications.preferences import choice_of, unsubscribe_token
from core.notifications.transport import Attachment, OutgoingMail

# Every kind of message -> the templates that write it (mail/<name>.txt and .html).
MESSAGES: dict[str, str] = {
    # Answers to something the person just did: they always go.
    "verify_email": "verify_email",
    "reset_password": "reset_password",
    "response_received": "response_copy",
    "response_updated": "response_copy",
    "response_withdrawn": "response_copy",
    "waitlist_promoted": "waitlist_promoted",
    # Sent on the service's own initiative: each belongs to a choice the person can turn off.
    "deadline_48h": "deadline_reminder",
    "deadline_24h": "deadline_reminder",
    "session_invitation": "session_invitation",
    "place_given_up": "session_invitation",
    "session_changed": "session_update",
    "session_cancelled": "session_update",
    "session_24h": "session_reminder",
    "session_1h": "session_reminder",
    "organiser_digest": "organiser_digest",
    "call_opened": "call_phase",
    "call_closed": "call_phase",
}

RoutePath = Callable[..., str]  # (route name, **path parameters) -> path


@dataclass(frozen=True)
class Site:
    """What messages need to know about the service: its settings, its mail templates and its
    route table (so that links follow the routes)."""

    settings: Settings
    env: Environment
    route_path: RoutePath

    def link(self, route: str, /, **params: object) -> str:
        """The absolute address of a named route."""
        return self.settings.url_for_path(str(self.route_path(route, **params)))

    @classmethod
    def of(cls, request: HTTPConnection) -> Site:
        """The site a request runs in."""
        state = request.app.state
        return cls(state.settings, state.templates.env, request.app.router.url_path_for)


def compose(
    site: Site,
    kind: str,
    recipient: Person,
    *,
    attachments: Sequence[Attachment] = (),
    **context: object,
) -> OutgoingMail:
    """A message of `kind` to `recipient`, in text and HTML, with its unsubscribe link if any."""
    choice = choice_of(kind)
    unsubscribe_url = None
    if choice is not None:
        token = unsubscribe_token(str(site.settings.secret_key), recipient.id, choice.key)
        unsubscribe_url = site.link("account:unsubscribe", token=token)
    context = {
        **context,
        "kind": kind,
        "person": recipient,
        "url_for": site.link,
        "mail_choice": choice,
        "unsubscribe_url": unsubscribe_url,
        "settings_url": site.link("account:notifications"),
    }
    template = MESSAGES[kind]
    text = site.env.get_template(f"mail/{template}.txt").make_module(context)
    return OutgoingMail(
        to=recipient.email,
        subject=" ".join(str(getattr(text, "subject", "")).split()),
        text=str(text),
        html=site.env.get_template(f"mail/{template}.html").render(context),
        headers=_unsubscribe_headers(unsubscribe_url) if unsubscribe_url else {},
        attachments=tuple(attachments),
    )


def _unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058 headers: mail clients show an "Unsubscribe" button that POSTs."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


async def write(
    site: Site,
    kind: str,
    recipient: Person,
    *,
    key: str,
    due_at: datetime,
    attachments: Sequence[Attachment] = (),
    **context: object,
) -> Notification | None:
    """Compose a message and write it to the outbox under `key`, unless that key was written
    already (then None). Call it inside the transaction of the change the message reports."""
    mail = compose(site, kind, recipient, attachments=attachments, **context)
    return await enqueue(key, kind, mail, due_at=due_at, person_id=recipient.id)


async def send_soon(site: Site, notification: Notification | None, *, now: datetime) -> bool:
    """Once the transaction that wrote `notification` has committed: try to send it now. If the
    mail server is down it stays due and the dispatcher retries it. True when it went out."""
    if notification is None:
        return False
    return await send_one(site.settings.mail, notification, now=now) == Sent.SENT
