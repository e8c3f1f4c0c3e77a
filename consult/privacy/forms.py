"""The form that deletes an account: the password again, and the words typed out."""

from __future__ import annotations

from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from core.forms import CSRFForm, strip_text


class DeleteAccountForm(CSRFForm):
    password = PasswordField(
        "Your password",
        validators=[DataRequired(message="Enter your password"), Length(max=1024)],
    )
    confirmation = StringField(
        "Type “delete my account” to confirm",
        filters=[strip_text],
        validators=[DataRequired(message="Type “delete my account” to confirm"), Length(max=100)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
