"""The copy of a response mailed on submission and after each edit."""

from __future__ import annotations

from collections.abc import Sequence

from jinja2 import Environment

from consult.calls.models import Call, Question, Response
from consult.models import Person
from consult.responses.services import AnswerSheet
from events.mail import OutgoingMail


def response_mail(
    env: Environment,
    person: Person,
    call: Call,
    response: Response,
    questions: Sequence[Question],
    sheet: AnswerSheet,
    *,
    link: str,
    first: bool,
) -> OutgoingMail:
    """ "Response received" the first time, "Response updated" after an edit; answers included."""
    subject = (
        f"Response received: {call.title} ({response.tracking_number})"
        if first
        else f"Response updated: {call.title} ({response.tracking_number})"
    )
    context = {
        "person": person,
        "call": call,
        "response": response,
        "questions": questions,
        "sheet": sheet,
        "link": link,
        "first": first,
    }
    return OutgoingMail(
        to=person.email,
        subject=subject,
        text=env.get_template("mail/response_copy.txt").render(context),
        html=env.get_template("mail/response_copy.html").render(context),
    )
