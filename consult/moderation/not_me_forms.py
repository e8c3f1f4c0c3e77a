"""The "this was not me" form. Shape only: `consult.moderation.reports` applies the rules again."""

from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from consult.accounts.forms import email_field
from consult.moderation.reports import DETAILS_MAX, NAME_MAX
from core.forms import CSRFForm, NoControlCharacters, strip_text


class NotMeForm(CSRFForm):
    name = StringField(
        "Your full name",
        filters=[strip_text],
        validators=[
            DataRequired(message="Enter your full name"),
            Length(max=NAME_MAX, message=f"Enter your name in at most {NAME_MAX} characters"),
            NoControlCharacters(),
        ],
        render_kw={"autocomplete": "name", "spellcheck": "false"},
    )
    email = email_field()
    details = TextAreaField(
        "What happened? (optional)",
        filters=[strip_text],
        validators=[
            Length(max=DETAILS_MAX, message=f"Tell us in at most {DETAILS_MAX:,} characters"),
            NoControlCharacters(allow_newlines=True),
        ],
        description=(
            "For example: you did not respond to this call, or an organisation you do not "
            "belong to used your name."
        ),
    )
