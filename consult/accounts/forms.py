"""Forms of the account pages. Shape only: uniqueness and credentials are checked in services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from consult.accounts.passwords import MAX_LENGTH as PASSWORD_MAX
from consult.accounts.passwords import MIN_LENGTH as PASSWORD_MIN
from consult.accounts.passwords import password_problem
from core.forms import (
    CSRFForm,
    MultiCheckboxField,
    NoControlCharacters,
    strip_text,
    zone_select_choices,
)
from core.notifications.preferences import MailChoice
from core.timezones import LONDON
from core.vocabulary import Role, Sector, countries

SECTOR_CHOICES = [SelectChoice(sector.value, sector.label) for sector in Sector]


def _country_choices() -> list[SelectChoice]:
    return [SelectChoice("", "Choose a country")] + [
        SelectChoice(code, name) for code, name in countries()
    ]


class EmailAddress:
    """Syntax check without DNS lookups (the form must not wait on the network)."""

    def __init__(self) -> None:
        self.inner = Email(
            message="Enter an email address in the correct format, like name@example.org",
            check_deliverability=False,
        )

    def __call__(self, form: CSRFForm, field: EmailField) -> None:
        self.inner(form, field)


def email_field() -> EmailField:
    return EmailField(
        "Email address",
        filters=[strip_text],
        validators=[
            DataRequired(message="Enter your email address"),
            Length(max=254, message="Email addresses are at most 254 characters"),
            EmailAddress(),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


def acceptable_password(form: CSRFForm, field: PasswordField) -> None:
    """The password rules (length, common passwords); the service applies them again with the email."""
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def new_password_field(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        validators=[InputRequired(message="Enter a password"), acceptable_password],
        description=f"At least {PASSWORD_MIN} characters. Three or four random words work well.",
        render_kw={"autocomplete": "new-password"},
    )


def display_name_field() -> StringField:
    return StringField(
        "Full name",
        filters=[strip_text],
        validators=[
            DataRequired(message="Enter your name"),
            Length(max=100, message="Names are at most 100 characters"),
            NoControlCharacters(),
        ],
        description="Shown with responses you choose to publish under your name.",
        render_kw={"autocomplete": "name"},
    )


def organisation_field() -> StringField:
    return StringField(
        "Organisation (optional)",
        filters=[strip_text],
        validators=[Length(max=200, message="At most 200 characters"), NoControlCharacters()],
        render_kw={"autocomplete": "organization"},
    )


def sector_field() -> SelectField:
    return SelectField(
        "Sector",
        choices=SECTOR_CHOICES,
        validators=[InputRequired(message="Choose a sector")],
    )


def country_field() -> SelectField:
    return SelectField(
        "Country",
        choices=_country_choices(),
        validators=[InputRequired(message="Choose a country")],
        render_kw={"autocomplete": "country"},
    )


def time_zone_field() -> SelectField:
    return SelectField(
        "Time zone",
        choices=zone_select_choices(),
        default=LONDON,
        validators=[InputRequired(message="Choose a time zone")],
        description="Your daily digest and reminders show times in this zone",
    )


class SignUpForm(CSRFForm):
    email = email_field()
    password = new_password_field()
    display_name = display_name_field()
    organisation = organisation_field()
    sector = sector_field()
    country = country_field()


class ProfileForm(CSRFForm):
    display_name = display_name_field()
    organisation = organisation_field()
    sector = sector_field()
    country = country_field()
    time_zone = time_zone_field()


class MailChoicesForm(CSRFForm):
    """One checkbox per kind of optional mail; a checked box means "send me these"."""

    wanted = MultiCheckboxField(
        "Email we send you",
        description="Messages about something you have just done, such as a password reset or "
        "the copy of a response you sent, always come.",
    )

    def __init__(self, *args: Any, choices: Sequence[MailChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wanted.choices = [SelectChoice(choice.key, choice.label) for choice in choices]
        self.hints = {choice.key: choice.hint for choice in choices}


class SignInForm(CSRFForm):
    email = email_field()
    password = PasswordField(
        "Password",
        validators=[InputRequired(message="Enter your password"), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )


class EmailOnlyForm(CSRFForm):
    """Ask for a password reset or a new verification link."""

    email = email_field()


class NewPasswordForm(CSRFForm):
    password = new_password_field("New password")


class ChangePasswordForm(CSRFForm):
    current_password = PasswordField(
        "Current password",
        validators=[InputRequired(message="Enter your current password"), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    password = new_password_field("New password")


class ConfirmForm(CSRFForm):
    """A button and its CSRF token: sign out, confirm an email address."""


class RoleForm(CSRFForm):
    role = SelectField(
        "Role",
        choices=[SelectChoice(role.value, role.label) for role in Role],
        validators=[InputRequired(message="Choose a role")],
        validate_choice=True,
    )
