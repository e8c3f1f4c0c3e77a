"""Forms of two-step sign-in. Shape only: whether a code is right is the service's question."""

from __future__ import annotations

from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from consult.accounts.passwords import MAX_LENGTH as PASSWORD_MAX
from core.forms import CSRFForm, NoControlCharacters, strip_text

# A recovery code as shown is 29 characters (six groups of four and hyphens); room for spaces.
LONGEST_CODE = 40


def _code_field(label: str, description: str, *, numeric: bool) -> StringField:
    render_kw = {"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
    if numeric:
        render_kw["inputmode"] = "numeric"
    return StringField(
        label,
        description=description,
        filters=[strip_text],
        validators=[
            InputRequired(message="Enter the code"),
            Length(max=LONGEST_CODE, message="A code is at most 40 characters"),
            NoControlCharacters(),
        ],
        render_kw=render_kw,
    )


class AppCodeForm(CSRFForm):
    """Confirming a new key: only the app's code will do."""

    code = _code_field(
        "Code from your app", "The 6 digits your authenticator app shows now.", numeric=True
    )


class SignInCodeForm(CSRFForm):
    """The second step of signing in, or proving it again: the app's code or a recovery code."""

    code = _code_field(
        "Code",
        "The 6 digits your authenticator app shows, or one of your recovery codes.",
        numeric=False,
    )


class TurnOffForm(CSRFForm):
    password = PasswordField(
        "Your password",
        validators=[InputRequired(message="Enter your password"), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
