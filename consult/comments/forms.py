"""Forms of comments: write one, report one, moderate one. Shape only; the rules are in services."""

from __future__ import annotations

from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from consult.comments.queries import LARGEST_ID
from consult.comments.services import BODY_MAX, REASON_MAX, Decision
from core.forms import CSRFForm, NoControlCharacters, strip_text

NOT_FOUND = "The comment you are replying to could not be found"


class CommentForm(CSRFForm):
    # Explicit ids: the form sits inside the call page, beside other forms' fields.
    body = TextAreaField(
        "Your comment",
        id="comment-body",
        filters=[strip_text],
        validators=[
            DataRequired(message="Enter your comment"),
            Length(max=BODY_MAX, message=f"Comments are at most {BODY_MAX:,} characters"),
            NoControlCharacters(allow_newlines=True),
        ],
        description=(
            f"At most {BODY_MAX:,} characters. You can use Markdown: *italic*, **bold**, "
            "[a link](https://example.org) and lists."
        ),
    )
    parent_id = IntegerField(
        id="comment-parent",
        widget=HiddenInput(),
        validators=[Optional(), NumberRange(min=1, max=LARGEST_ID, message=NOT_FOUND)],
        invalid_value_message=NOT_FOUND,
    )


class ReportForm(CSRFForm):
    reason = TextAreaField(
        "Why should organisers look at this comment? (optional)",
        id="report-reason",
        filters=[strip_text],
        validators=[
            Length(max=REASON_MAX, message=f"Reasons are at most {REASON_MAX:,} characters"),
            NoControlCharacters(allow_newlines=True),
        ],
        description="For example: it shares someone's personal details, or it is abusive.",
    )


class ModerationForm(CSRFForm):
    decision = SelectField(
        "Decision",
        choices=[SelectChoice(decision.value, decision.value.title()) for decision in Decision],
        validators=[InputRequired(message="Choose approve or reject")],
    )
