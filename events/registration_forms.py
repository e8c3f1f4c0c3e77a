"""Forms of the sessions pages. Shape only; the registration rules are in `events.registrations`."""

from __future__ import annotations

from wtforms import HiddenField
from wtforms.validators import AnyOf, Optional, Regexp

from core.forms import CSRFForm

# `events.models.occurrence_key`: a date's original start in UTC; empty for the whole session.
OCCURRENCE_KEY = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
RETURN_PAGES = ("session", "account")


class RegistrationForm(CSRFForm):
    """Register for, or cancel, a place: the whole session or series, or one date of a series."""

    occurrence = HiddenField(
        validators=[
            Optional(),
            Regexp(OCCURRENCE_KEY, message="That date is not part of this session."),
        ]
    )
    # Where to go afterwards: the session's page, or the list of one's own sessions.
    back = HiddenField(
        validators=[
            Optional(),
            AnyOf(RETURN_PAGES, message="Go back to the session's page and try again."),
        ]
    )
