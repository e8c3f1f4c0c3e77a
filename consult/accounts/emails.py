"""The emails accounts send, rendered from templates as plain text and HTML."""

from __future__ import annotations

from jinja2 import Environment

from core.models import Person
from core.notifications.transport import OutgoingMail


def _render(
    env: Environment, name: str, subject: str, person: Person, **context: object
) -> OutgoingMail:
    context = {"person": person, **context}
    return OutgoingMail(
        to=person.email,
        subject=subject,
        text=env.get_template(f"mail/{name}.txt").render(context),
        html=env.get_template(f"mail/{name}.html").render(context),
    )


def verification_mail(env: Environment, person: Person, link: str, hours: int) -> OutgoingMail:
    return _render(
        env,
        "verify_email",
        "Confirm your email address for QIST Consult",
        person,
        link=link,
        hours=hours,
    )


def password_reset_mail(env: Environment, person: Person, link: str, minutes: int) -> OutgoingMail:
    return _render(
        env,
        "reset_password",
        "Reset your QIST Consult password",
        person,
        link=link,
        minutes=minutes,
    )
