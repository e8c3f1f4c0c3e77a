""" "This was not me": anyone may say a published response was submitted in their name.

No account is needed (the person named may have none), so reports are limited per network address
instead. Organisers read them in the workspace; the public never sees them.
"""

from __future__ import annotations

from datetime import datetime

from email_validator import EmailNotValidError, validate_email

from base.settings import Limit
from consult.accounts.services import count_attempt
from consult.moderation.models import NotMeReport
from consult.moderation.public import is_public
from consult.responses.models import Response
from core.errors import FieldProblem

NAME_MAX = 100
EMAIL_MAX = 254
DETAILS_MAX = 5_000


def _has_control_characters(text: str, *, newlines: bool = False) -> bool:
    allowed = "\t\n\r" if newlines else ""
    return any((ord(ch) < 32 or ord(ch) == 127) and ch not in allowed for ch in text)


def _checked(name: str, email: str, details: str) -> tuple[str, str, str]:
    name, email, details = name.strip(), email.strip(), details.strip()
    if not name:
        raise FieldProblem("name", "Enter your full name")
    if len(name) > NAME_MAX or _has_control_characters(name):
        raise FieldProblem("name", f"Enter your name in at most {NAME_MAX} characters")
    if not email:
        raise FieldProblem("email", "Enter your email address")
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        raise FieldProblem(
            "email", "Enter an email address in the correct format, like name@example.org"
        ) from None
    if len(email) > EMAIL_MAX:
        raise FieldProblem("email", f"Email addresses are at most {EMAIL_MAX} characters")
    if len(details) > DETAILS_MAX:
        raise FieldProblem("details", f"Tell us in at most {DETAILS_MAX:,} characters")
    if _has_control_characters(details, newlines=True):
        raise FieldProblem("details", "Remove the invisible control characters from your message")
    return name, email, details


async def report_not_me(
    response: Response,
    name: str,
    email: str,
    details: str,
    now: datetime,
    *,
    address: str | None = None,
    limit: Limit | None = None,
) -> NotMeReport:
    """Store a report on a public response (LookupError for any other); nothing on a FieldProblem.

    With `address` and `limit`, raises RateLimited once that address has sent `limit` reports.
    """
    if not is_public(response):
        raise LookupError("only a published response can be reported")
    name, email, details = _checked(name, email, details)
    if address is not None and limit is not None:
        await count_attempt(f"not-me:{address}", limit, now=now)
    return await NotMeReport.create(
        response=response, name=name, email=email, details=details, created_at=now
    )
