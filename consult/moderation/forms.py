"""Forms of the moderators' pages and the audit log. Shape only: whether pasted text is in the
answer, and whether a response may be published, are decided in `consult.moderation.services`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    Form,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from consult.moderation.queries import (
    SEARCH_MAX,
    AnswerInFull,
    ModerationStatus,
    ResponseFilters,
    Sort,
)
from consult.moderation.services import REASON_MAX, RESOLUTION_MAX
from consult.responses.models import Publication, RespondentType
from core.audit import AuditFilters
from core.forms import CSRFForm, NoControlCharacters, strip_text
from core.vocabulary import Sector, countries

PASTE_MAX = 5_000
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Where a Publish or Hold button sends the moderator back to.
RETURNS = ("response", "queue")


def _select(label: str, choices: list[SelectChoice], what: str, **kwargs: Any) -> SelectField:
    """An optional filter: "" means any; anything not offered is refused with a clear message."""
    return SelectField(
        label,
        choices=choices,
        validate_choice=False,
        validators=[AnyOf([c.value for c in choices], message=f"Choose {what} from the list")],
        **{"default": "", **kwargs},
    )


class ResponseFilterForm(CSRFForm):
    """The filters above a call's responses, asked by GET: nothing changes, so no CSRF token."""

    class Meta:
        csrf = False

    status = _select(
        "Status",
        [SelectChoice("", "Any status")]
        + [SelectChoice(s.value, s.label) for s in ModerationStatus],
        "a status",
    )
    sector = _select(
        "Sector",
        [SelectChoice("", "Any sector")] + [SelectChoice(s.value, s.label) for s in Sector],
        "a sector",
    )
    country = _select(
        "Country",
        [SelectChoice("", "Any country")] + [SelectChoice(c, n) for c, n in countries()],
        "a country",
    )
    respondent_type = _select(
        "Responding",
        [SelectChoice("", "Individuals and organisations")]
        + [SelectChoice(t.value, t.label) for t in RespondentType],
        "how they responded",
    )
    q = StringField(
        "Search answers and organisation names",
        filters=[strip_text],
        validators=[
            Length(max=SEARCH_MAX, message=f"Searches are at most {SEARCH_MAX} characters"),
            NoControlCharacters(),
        ],
    )
    sort = _select(
        "Sort by",
        [SelectChoice(s.value, s.label) for s in Sort],
        "an order",
        default=Sort.NEWEST.value,
    )

    def filters(self) -> ResponseFilters:
        return ResponseFilters(
            status=ModerationStatus(self.status.data) if self.status.data else None,
            sector=Sector(self.sector.data) if self.sector.data else None,
            country=self.country.data or "",
            respondent_type=RespondentType(self.respondent_type.data)
            if self.respondent_type.data
            else None,
            search=self.q.data or "",
            sort=Sort(self.sort.data or Sort.NEWEST.value),
        )


class PublicationForm(CSRFForm):
    decision = SelectField(
        "Decision",
        choices=[
            SelectChoice(Publication.PUBLISHED.value, "Publish"),
            SelectChoice(Publication.HELD.value, "Hold"),
        ],
        validators=[InputRequired(message="Choose publish or hold")],
    )
    back = SelectField("Back to", choices=list(RETURNS), default=RETURNS[0])
    # The revision the moderator read; a newer one refuses the decision (sent by the pages).
    revision = IntegerField(validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])


class RedactionForm(CSRFForm):
    answer = SelectField("Answer", validate_choice=False)
    text = TextAreaField(
        "Text to hide",
        validators=[
            DataRequired(message="Paste the text to hide from the public"),
            Length(max=PASTE_MAX, message=f"Paste at most {PASTE_MAX:,} characters"),
        ],
        description="Copy it from the answer above, such as a phone number or a person's name. "
        "Every time it appears in that answer is hidden, whatever its capitals or spacing.",
        render_kw={"rows": 3},
    )
    reason = StringField(
        "Reason",
        filters=[strip_text],
        validators=[
            DataRequired(message="Give a reason for the redaction, such as “phone number”"),
            Length(max=REASON_MAX, message=f"Reasons are at most {REASON_MAX} characters"),
            NoControlCharacters(),
        ],
        description="Kept with the redaction for other moderators, such as “phone number”.",
    )

    def __init__(self, *args: Any, answers: Sequence[AnswerInFull] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answer.choices = [
            SelectChoice(str(row.redactable.id), row.question.prompt)
            for row in answers
            if row.redactable is not None
        ]

    def validate_answer(self, field: SelectField) -> None:
        if not field.data or field.data not in {c[0] for c in field.iter_choices()}:
            raise ValidationError("Choose the answer that holds the text")

    @property
    def answer_id(self) -> int:
        """The chosen answer's id (call on a validated form)."""
        return int(self.answer.data or 0)


class ResolveReportForm(CSRFForm):
    resolution = TextAreaField(
        "What was done",
        filters=[strip_text],
        validators=[
            DataRequired(message="Say what was done about the report"),
            Length(
                max=RESOLUTION_MAX,
                message=f"Resolutions are at most {RESOLUTION_MAX:,} characters",
            ),
            NoControlCharacters(allow_newlines=True),
        ],
        description="Kept with the report, such as “Confirmed with the organisation; response "
        "held”.",
        render_kw={"rows": 3},
    )
    hold = BooleanField("Also hold the response, so it is no longer published")


def _plausible_year(form: Form, field: DateField) -> None:
    if isinstance(field.data, date) and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}")


def _date(label: str, what: str) -> DateField:
    return DateField(
        label,
        validators=[Optional(), _plausible_year],
        invalid_value_message=f"Enter {what} as a real date, like 2026-11-24",
    )


class AuditFilterForm(CSRFForm):
    """The audit log's filters, asked by GET: nothing changes, so no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField("Action", validate_choice=False)
    actor = StringField(
        "Email address of the person who acted",
        filters=[strip_text],
        validators=[
            Length(max=254, message="Email addresses are at most 254 characters"),
            NoControlCharacters(),
        ],
        description="All or part of it.",
    )
    object_type = SelectField("Kind of object", validate_choice=False)
    object_id = StringField(
        "Object id",
        filters=[strip_text],
        validators=[
            Length(max=60, message="Object ids are at most 60 characters"),
            NoControlCharacters(),
        ],
    )
    since = _date("From", "the first date")
    until = _date("To", "the last date")

    def __init__(
        self, *args: Any, actions: Sequence[str] = (), types: Sequence[str] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.action.choices = [SelectChoice("", "Any action")] + [
            SelectChoice(a, a) for a in actions
        ]
        self.object_type.choices = [SelectChoice("", "Any kind")] + [
            SelectChoice(t, t) for t in types
        ]

    def validate_action(self, field: SelectField) -> None:
        if field.data and field.data not in {c[0] for c in field.iter_choices()}:
            raise ValidationError("Choose an action from the list")

    def validate_object_type(self, field: SelectField) -> None:
        if field.data and field.data not in {c[0] for c in field.iter_choices()}:
            raise ValidationError("Choose a kind of object from the list")

    def validate_until(self, field: DateField) -> None:
        first, last = self.since.data, field.data
        if isinstance(first, date) and isinstance(last, date) and last < first:
            raise ValidationError("The last date must be on or after the first date")

    def filters(self) -> AuditFilters:
        """The validated form as the query's input: whole days in UTC, both ends included."""
        since, until = self.since.data, self.until.data
        return AuditFilters(
            action=self.action.data or "",
            actor_email=self.actor.data or "",
            object_type=self.object_type.data or "",
            object_id=self.object_id.data or "",
            since=datetime.combine(since, time(), UTC) if isinstance(since, date) else None,
            before=datetime.combine(until + timedelta(days=1), time(), UTC)
            if isinstance(until, date)
            else None,
        )
