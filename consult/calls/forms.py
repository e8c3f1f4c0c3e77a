"""Forms of the organiser workspace for calls. Shape only: uniqueness and the rules that need the
database (taken slugs, answered questions) are checked in `consult.calls.services`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FileField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from consult.calls.models import Call, Question, QuestionKind
from consult.calls.outcome import OUTCOME_MAX
from consult.calls.services import CallDetails, QuestionDetails
from core.forms import (
    CSRFForm,
    NoControlCharacters,
    slug_field,
    strip_text,
    title_field,
)
from core.models import Topic
from core.timezones import LONDON, daylight_saving_disagrees, local_to_utc, zone_choices
from core.uploads import ACCEPTED_DESCRIPTION

# What a datetime-local input sends (with or without seconds); the first is how we render it.
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
BODY_MAX = 50_000
WORD_LIMIT_MAX = 20_000


def _zone_choices() -> list[SelectChoice]:
    return [SelectChoice(zone, zone.replace("_", " ")) for zone in zone_choices()]


def _local_time_field(label: str, what: str) -> DateTimeLocalField:
    return DateTimeLocalField(
        label,
        format=LOCAL_FORMATS,
        validators=[InputRequired(message=f"Enter the {what} date and time")],
        invalid_value_message=f"Enter the {what} date and time, like 2027-01-15 09:00",
        description="In the call's time zone.",
    )


class CallForm(CSRFForm):
    title = title_field()
    slug = slug_field(
        "call",
        "The end of the call's address, like quantum-standards-2027. "
        "Lowercase letters, digits and hyphens.",
    )
    topic = SelectField("Topic", validators=[InputRequired(message="Choose a topic")])
    summary = TextAreaField(
        "Summary",
        filters=[strip_text],
        validators=[
            DataRequired(message="Enter a summary"),
            Length(max=500, message="Summaries are at most 500 characters"),
            NoControlCharacters(allow_newlines=True),
        ],
        description="One or two sentences shown in lists of calls.",
    )
    body = TextAreaField(
        "Body (optional)",
        filters=[strip_text],
        validators=[
            Length(max=BODY_MAX, message=f"The body is at most {BODY_MAX:,} characters"),
            NoControlCharacters(allow_newlines=True),
        ],
        description="Markdown: ## for a heading, **bold**, - for a list item, "
        "[words](https://example.org) for a link, a blank line between paragraphs.",
    )
    timezone = SelectField(
        "Time zone",
        choices=_zone_choices(),
        default=LONDON,
        validators=[InputRequired(message="Choose a time zone")],
        description="The opening and closing times below are in this zone. Pages also show "
        "them in Washington and London.",
    )
    opens_at = _local_time_field("Opens at", "opening")
    closes_at = _local_time_field("Closes at", "closing")
    premoderate_comments = BooleanField(
        "Check comments before they are published (comments wait for an organiser's approval)",
        default=True,
    )

    def __init__(self, *args: Any, topics: Sequence[Topic] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.topic.choices = [SelectChoice("", "Choose a topic")] + [
            SelectChoice(str(topic.id), topic.name) for topic in topics
        ]

    def details(self) -> CallDetails:
        """The validated form as the service's input, with the local times converted to UTC."""
        zone = self.timezone.data or LONDON
        opens_at, closes_at = self.opens_at.data, self.closes_at.data
        assert isinstance(opens_at, datetime) and isinstance(closes_at, datetime)
        return CallDetails(
            title=self.title.data or "",
            slug=self.slug.data or "",
            topic_id=int(self.topic.data or 0),
            summary=self.summary.data or "",
            body=self.body.data or "",
            timezone=zone,
            opens_at=local_to_utc(opens_at, zone),
            closes_at=local_to_utc(closes_at, zone),
            premoderate_comments=bool(self.premoderate_comments.data),
        )

    @property
    def capitals_gap_is_unusual(self) -> bool:
        """A chosen date falls where US and UK daylight saving disagree (4 hours apart, not 5)."""
        days = [
            field.data.date()
            for field in (self.opens_at, self.closes_at)
            if isinstance(field.data, datetime)
        ]
        return any(daylight_saving_disagrees(day) for day in days)


def call_form_data(call: Call) -> dict[str, Any]:
    """A call's fields as the form shows them: times on the wall clock of the call's zone."""
    zone = ZoneInfo(call.timezone)
    return {
        "title": call.title,
        "slug": call.slug,
        "topic": str(call.topic_id),  # type: ignore[attr-defined]
        "summary": call.summary,
        "body": call.body,
        "timezone": call.timezone,
        "opens_at": call.opens_at.astimezone(zone).replace(tzinfo=None),
        "closes_at": call.closes_at.astimezone(zone).replace(tzinfo=None),
        "premoderate_comments": call.premoderate_comments,
    }


def positive_whole_number(form: CSRFForm, field: StringField) -> None:
    text = field.data or ""
    if not text.isdigit() or not 1 <= int(text) <= WORD_LIMIT_MAX:
        raise ValidationError(
            f"Enter the word limit as a whole number from 1 to {WORD_LIMIT_MAX:,}"
        )


class QuestionForm(CSRFForm):
    kind = SelectField(
        "Kind of answer",
        choices=[SelectChoice(kind.value, kind.label) for kind in QuestionKind],
        validators=[InputRequired(message="Choose the kind of answer")],
    )
    prompt = StringField(
        "Question",
        filters=[strip_text],
        validators=[
            DataRequired(message="Enter the question"),
            Length(max=500, message="Questions are at most 500 characters"),
            NoControlCharacters(),
        ],
    )
    help_text = TextAreaField(
        "Help text (optional)",
        filters=[strip_text],
        validators=[
            Length(max=2000, message="Help text is at most 2,000 characters"),
            NoControlCharacters(allow_newlines=True),
        ],
        description="Shown under the question, to say what a useful answer covers.",
    )
    required = BooleanField("An answer is required", default=False)
    word_limit = StringField(
        "Word limit (optional)",
        filters=[strip_text],
        validators=[Optional(), positive_whole_number],
        description="Only for long text answers.",
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )
    options = TextAreaField(
        "Options",
        validators=[
            Length(max=20_000, message="The options are at most 20,000 characters"),
            NoControlCharacters(allow_newlines=True),
        ],
        description="For single and multiple choice: one option on each line, at least two.",
    )

    def details(self) -> QuestionDetails:
        """The validated form as the service's input; options are the non-empty lines."""
        lines = (self.options.data or "").splitlines()
        return QuestionDetails(
            kind=QuestionKind(self.kind.data),
            prompt=self.prompt.data or "",
            help_text=self.help_text.data or "",
            required=bool(self.required.data),
            word_limit=int(self.word_limit.data) if self.word_limit.data else None,
            options=tuple(line.strip() for line in lines if line.strip()),
        )


def question_form_data(question: Question) -> dict[str, Any]:
    """A question's fields as the form shows them (options one on each line)."""
    return {
        "kind": str(question.kind),
        "prompt": question.prompt,
        "help_text": question.help_text,
        "required": question.required,
        "word_limit": str(question.word_limit) if question.word_limit else "",
        "options": "\n".join(question.options),
    }


def file_chosen(form: CSRFForm, field: FileField) -> None:
    if not getattr(field.data, "filename", ""):
        raise ValidationError("Choose a file to upload")


class DocumentForm(CSRFForm):
    title = StringField(
        "Title (optional)",
        filters=[strip_text],
        validators=[
            Length(max=200, message="Titles are at most 200 characters"),
            NoControlCharacters(),
        ],
        description="If you leave this blank, the file's name is shown.",
    )
    file = FileField("File", validators=[file_chosen], description=f"{ACCEPTED_DESCRIPTION}.")


class OutcomeForm(CSRFForm):
    outcome = TextAreaField(
        "Outcome",
        filters=[strip_text],
        validators=[
            Length(max=OUTCOME_MAX, message=f"The outcome is at most {OUTCOME_MAX:,} characters"),
            NoControlCharacters(allow_newlines=True),
        ],
        description="What was learned and what happens next. Markdown: ## for a heading, "
        "**bold**, - for a list item, [words](https://example.org) for a link.",
        render_kw={"rows": 14},
    )
