"""The CSRF-protected base form and validators every form shares.

Forms validate shape only; checks that need the database run in services and come back as
field errors through `add_field_error`.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import MutableMapping
from typing import Any

from wtforms import Form, SelectMultipleField, StringField, ValidationError
from wtforms.csrf.core import CSRF
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from core.timezones import zone_choices

CSRF_SESSION_KEY = "csrf"
CSRF_FIELD = "csrf_token"


# Web addresses of calls and sessions: lowercase words joined by single hyphens.
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def csrf_token_for(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token, created on first use."""
    token = session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_SESSION_KEY] = token
    return str(token)


def csrf_matches(session: MutableMapping[str, Any], submitted: object) -> bool:
    expected = session.get(CSRF_SESSION_KEY)
    if not expected or not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(str(expected).encode(), submitted.encode())


class SessionCSRF(CSRF):
    """A token bound to the signed session cookie: a form from another site cannot know it."""

    def setup_form(self, form: Form) -> Any:
        self.session = form.meta.csrf_context
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field: Any) -> str:
        return csrf_token_for(self.session)

    def validate_csrf_token(self, form: Form, field: Any) -> None:
        if not csrf_matches(self.session, field.data):
            raise ValidationError("This form has expired. Reload the page and try again.")


class CSRFForm(Form):
    class Meta:
        csrf = True
        csrf_class = SessionCSRF
        csrf_field_name = CSRF_FIELD

    def add_field_error(self, field_name: str, message: str) -> None:
        """Attach an error found by a service (e.g. "email already registered") to a field."""
        field = self[field_name]
        field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]

    @property
    def error_summary(self) -> list[tuple[str, str]]:
        """(field id, message) pairs in field order, for the error summary at the top of a page."""
        return [
            (field.id, message)
            for field in self
            if field.name != CSRF_FIELD
            for message in field.errors
        ]


def strip_text(value: object) -> object:
    """Filter: trim surrounding whitespace (NoControlCharacters refuses control characters)."""
    if isinstance(value, str):
        return value.strip()
    return value


class NoControlCharacters:
    """Refuse text with control characters (other than tab and newlines in long text)."""

    def __init__(self, allow_newlines: bool = False) -> None:
        self.allowed = {"\t", "\n", "\r"} if allow_newlines else set()

    def __call__(self, form: Form, field: Any) -> None:
        text = field.data or ""
        if any((ord(ch) < 32 or ord(ch) == 127) and ch not in self.allowed for ch in text):
            raise ValidationError("Remove the invisible control characters from this answer.")


def lower_text(value: object) -> object:
    """Filter: trim and lower-case (web addresses)."""
    return value.strip().lower() if isinstance(value, str) else value


def title_field() -> StringField:
    return StringField(
        "Title",
        filters=[strip_text],
        validators=[
            DataRequired(message="Enter a title"),
            Length(max=200, message="Titles are at most 200 characters"),
            NoControlCharacters(),
        ],
    )


def slug_field(what: str, description: str) -> StringField:
    """The end of a call's or session's web address; `what` is "call" or "session"."""
    return StringField(
        "Web address",
        filters=[lower_text],
        validators=[
            DataRequired(message=f"Enter the end of the {what}'s web address"),
            Length(max=80, message="Web addresses are at most 80 characters"),
            Regexp(SLUG_PATTERN, message="Use only lowercase letters, digits and hyphens"),
        ],
        description=description,
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )


def zone_select_choices() -> list[SelectChoice]:
    """The IANA zones of `core.timezones.zone_choices` as options of a select."""
    return [SelectChoice(zone, zone.replace("_", " ")) for zone in zone_choices()]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
