"""Forms of the API tokens page: name a new token, revoke one."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from core.forms import CSRFForm, NoControlCharacters, strip_text


class NewTokenForm(CSRFForm):
    name = StringField(
        "Name",
        filters=[strip_text],
        validators=[
            DataRequired(message="Give the token a name, such as the system that will use it"),
            Length(max=100, message="Names are at most 100 characters"),
            NoControlCharacters(),
        ],
        description="So you can tell your tokens apart, for example “Our submission system”.",
    )


class RevokeTokenForm(CSRFForm):
    pass
