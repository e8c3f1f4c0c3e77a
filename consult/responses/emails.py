"""The mails that confirm a revision: received (first submission), updated, withdrawn."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jinja2 import Environment
from starlette.requests import Request

from consult.calls.models import Call, Question
from consult.responses.models import Response, ResponseRevision
from core.models import Person
from core.notifications.models import Notification
from core.notifications.outbox import send_one
from core.notifications.transport import OutgoingMail
from core.web import now, settings_of

if TYPE_CHECKING:
    from consult.responses.services import AnswerSheet

SUBJECTS = {
    "response_received": "Response received",
    "response_updated": "Response updated",
    "response_withdrawn": "Response withdrawn",
}


@dataclass(frozen=True)
class ReceiptMail:
    """Composes a receipt for `person`'s response to `call` (a `services.ReceiptComposer`).

    `link` turns a tracking number into the absolute address of the receipt page."""

    env: Environment
    person: Person
    call: Call
    questions: Sequence[Question]
    link: Callable[[str], str]

    def __call__(
        self, response: Response, revision: ResponseRevision, sheet: AnswerSheet, *, kind: str
    ) -> OutgoingMail:
        tracking = response.tracking_number or ""
        context = {
            "person": self.person,
            "call": self.call,
            "response": response,
            "details": revision,
            "questions": self.questions,
            "sheet": sheet,
            "link": self.link(tracking),
            "kind": kind,
        }
        return OutgoingMail(
            to=self.person.email,
            subject=f"{SUBJECTS[kind]}: {self.call.title} ({tracking})",
            text=self.env.get_template("mail/response_copy.txt").render(context),
            html=self.env.get_template("mail/response_copy.html").render(context),
        )


def receipt_mail_for(
    request: Request, person: Person, call: Call, questions: Sequence[Question]
) -> ReceiptMail:
    """The receipt composer for a request: links point at this site's receipt page."""
    settings = settings_of(request)

    def link(tracking: str) -> str:
        return settings.url_for_path(request.url_for("responses:receipt", tracking=tracking).path)

    return ReceiptMail(request.app.state.templates.env, person, call, questions, link)


async def send_written(request: Request, notification: Notification | None) -> None:
    """Try at once to send a receipt its transaction has committed; the dispatcher retries it."""
    if notification is not None:
        await send_one(settings_of(request).mail, notification, now=now(request))
