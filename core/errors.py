"""What services raise when a rule says no. Views and the API map them once (config.errors)."""

from __future__ import annotations


class Refused(Exception):
    """A rule said no: `message` says why in the person's words; `field` names the form field
    to show it on, when there is one. A refusal is a 4xx, never a 500, and changes nothing."""

    status_code = 400
    default_message = "That cannot be done."

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)
        self.field = field

    def headers(self) -> dict[str, str]:
        """Headers the refusal's answer carries (e.g. Retry-After)."""
        return {}


class FieldProblem(Refused):
    """A rule that needs the database said no about one form field."""

    field: str

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)
