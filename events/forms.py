"""Forms of the organiser workspace for sessions, and the slot finder. Shape only: the rules that
need the database or span fields (taken slugs, end after start, a place, a series' length) are
checked in `events.sessions`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from wtforms import (
    DateField,
    Form,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from consult.calls.models import Call
from core.forms import (
    CSRFForm,
    MultiCheckboxField,
    NoControlCharacters,
    slug_field,
    strip_text,
    title_field,
    zone_select_choices,
)
from core.models import Topic
from core.timezones import LONDON, WASHINGTON, local_to_utc, zone_choices
from events.models import Recurrence, Session, SessionKind, Visibility
from events.recurrence import SeriesRule
from events.sessions import MAX_SERIES, SessionDetails, dates_disagree, occurrence_dates_disagree
from events.slots import MAX_DAYS, MAX_MINUTES, MIN_MINUTES, WORKDAY_END, WORKDAY_START

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]
RECURRENCES = frozenset(r.value for r in Recurrence)
FIRST_YEAR, LAST_YEAR = 2000, 2100
DESCRIPTION_MAX = 20_000


def _plausible(day: date) -> bool:
    # Times far outside this range overflow when converted between zones.
    return FIRST_YEAR <= day.year <= LAST_YEAR


def plausible_year(form: Form, field: DateField) -> None:
    if isinstance(field.data, date) and not _plausible(field.data):
        raise ValidationError(f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}")


def _date_field(label: str, what: str, *, required: bool = True, hint: str = "") -> DateField:
    return DateField(
        label,
        validators=[
            InputRequired(message=f"Enter {what}") if required else Optional(),
            plausible_year,
        ],
        invalid_value_message=f"Enter {what} as a real date, like 2027-03-17",
        description=hint,
    )


def _time_field(label: str, what: str, hint: str = "") -> TimeField:
    return TimeField(
        label,
        format=TIME_FORMATS,
        validators=[InputRequired(message=f"Enter {what}")],
        invalid_value_message=f"Enter {what} on a 24-hour clock, like 14:30",
        description=hint,
    )


def _is_whole_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _whole_number(text: str | None) -> int | None:
    return int(text) if text and _is_whole_number(text) else None


def whole_number(form: Form, field: StringField) -> None:
    if field.data and not _is_whole_number(field.data):
        raise ValidationError("Enter a whole number, like 40")


class SessionForm(CSRFForm):
    title = title_field()
    slug = slug_field(
        "session",
        "The end of the session's address, like qkd-roundtable-march. Lowercase "
        "letters, digits and hyphens. It cannot change later: calendars depend on it.",
    )
    kind = SelectField(
        "Kind of session",
        choices=[SelectChoice(kind.value, kind.label) for kind in SessionKind],
        default=SessionKind.ROUNDTABLE.value,
        validators=[InputRequired(message="Choose the kind of session")],
    )
    topics = MultiCheckboxField("Topics (optional)", coerce=int)
    call = SelectField("Linked call for input (optional)")
    description = TextAreaField(
        "Description (optional)",
        filters=[strip_text],
        validators=[
            Length(
                max=DESCRIPTION_MAX,
                message=f"Descriptions are at most {DESCRIPTION_MAX:,} characters",
            ),
            NoControlCharacters(allow_newlines=True),
        ],
        description="Markdown: **bold**, - for a list item, [words](https://example.org) for a "
        "link, a blank line between paragraphs.",
    )
    timezone = SelectField(
        "Time zone",
        choices=zone_select_choices(),
        default=LONDON,
        validators=[InputRequired(message="Choose a time zone")],
        description="The date and times below are in this zone. Pages also show them in "
        "Washington and London.",
    )
    date = _date_field("Date", "the date", hint="For a series, the date of the first occurrence.")
    start = _time_field("Start time", "the start time", hint="For example, 14:30.")
    end = _time_field("End time", "the end time", hint="On the same day, for example 16:00.")
    location = StringField(
        "Location",
        filters=[strip_text],
        validators=[
            Length(max=300, message="Locations are at most 300 characters"),
            NoControlCharacters(),
        ],
        description="The building and room. Give a location, an online link, or both.",
    )
    online_url = StringField(
        "Online link",
        filters=[strip_text],
        validators=[
            Length(max=500, message="Links are at most 500 characters"),
            NoControlCharacters(),
        ],
        description="Starting with https://. Only registered people see it.",
        render_kw={"spellcheck": "false", "autocomplete": "off", "inputmode": "url"},
    )
    capacity = StringField(
        "Places (optional)",
        filters=[strip_text],
        validators=[Optional(), whole_number],
        description="Leave blank for no limit. When the places are taken, people join a waitlist.",
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )
    visibility = RadioField(
        "Who can see and register",
        choices=[SelectChoice(v.value, v.label) for v in Visibility],
        default=Visibility.PUBLIC.value,
        validators=[InputRequired(message="Choose who can see the session")],
    )
    recurrence = RadioField(
        "Repeats",
        choices=[SelectChoice(r.value, r.label) for r in Recurrence],
        default=Recurrence.NONE.value,
        validators=[InputRequired(message="Choose whether the session repeats")],
        description="A series keeps its time on the clock of its time zone when the clocks change.",
    )
    recurrence_count = StringField(
        "Number of occurrences",
        filters=[strip_text],
        validators=[Optional(), whole_number],
        description="For a series: how many times it happens, from 2 to 104. Or give a last date.",
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )
    recurrence_until = _date_field(
        "Last date",
        "the last date",
        required=False,
        hint="For a series: the last day it may happen on, instead of a number of occurrences.",
    )

    def __init__(
        self,
        *args: Any,
        available_topics: Sequence[Topic] = (),
        available_calls: Sequence[Call] = (),
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.topics.choices = [SelectChoice(topic.id, topic.name) for topic in available_topics]
        self.call.choices = [SelectChoice("", "No linked call")] + [
            SelectChoice(str(call.id), call.title) for call in available_calls
        ]
        if editing:
            # A session keeps its slug: its page, its feeds and its calendar UID depend on it.
            del self["slug"]

    def details(self, *, slug: str | None = None) -> SessionDetails:
        """The validated form as the service's input, local times converted to UTC."""
        zone = self.zone
        day, start, end = self.date.data, self.start.data, self.end.data
        assert isinstance(day, date) and isinstance(start, time) and isinstance(end, time)
        until = self.recurrence_until.data
        return SessionDetails(
            title=self.title.data or "",
            slug=slug if slug is not None else self.slug.data or "",
            kind=SessionKind(self.kind.data),
            topic_ids=tuple(self.topics.data or ()),
            call_id=int(self.call.data) if self.call.data else None,
            description=self.description.data or "",
            timezone=zone,
            starts_at=local_to_utc(datetime.combine(day, start), zone),
            ends_at=local_to_utc(datetime.combine(day, end), zone),
            location=self.location.data or "",
            online_url=self.online_url.data or "",
            capacity=_whole_number(self.capacity.data),
            visibility=Visibility(self.visibility.data),
            recurrence=Recurrence(self.recurrence.data),
            recurrence_count=_whole_number(self.recurrence_count.data),
            # The series may go on until the start time on the last date, inclusive.
            recurrence_until=local_to_utc(datetime.combine(until, start), zone)
            if isinstance(until, date)
            else None,
        )

    @property
    def zone(self) -> str:
        return self.timezone.data if self.timezone.data in zone_choices() else LONDON

    @property
    def chosen_start(self) -> datetime | None:
        """The start typed so far as a UTC instant, or None until the date and time make one."""
        day, start = self.date.data, self.start.data
        if not isinstance(day, date) or not isinstance(start, time) or not _plausible(day):
            return None
        return local_to_utc(datetime.combine(day, start), self.zone)

    @property
    def capitals_gap_is_unusual(self) -> bool:
        """The date, or any date of the series, falls when Washington and London are 4 hours apart."""
        start = self.chosen_start
        if start is None:
            return False
        frequency = self.recurrence.data if self.recurrence.data in RECURRENCES else "none"
        until = self.recurrence_until.data
        if not isinstance(until, date) or not _plausible(until):
            until = None
        count = _whole_number(self.recurrence_count.data)
        if count:
            count, until = min(count, MAX_SERIES), None
        elif until is None:
            count = 1  # a series with no length yet: judge the first occurrence until it has one
        rule = SeriesRule(
            starts_at=start,
            ends_at=start,
            zone=self.zone,
            frequency=str(frequency),
            count=count,
            until=local_to_utc(datetime.combine(until, self.start.data), self.zone)
            if until
            else None,
        )
        return occurrence_dates_disagree(rule)


def session_form_data(session: Session, topic_ids: Sequence[int]) -> dict[str, Any]:
    """A session's fields as the form shows them: date and times on its own zone's wall clock."""
    zone = ZoneInfo(session.timezone)
    starts, ends = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    until = session.recurrence_until
    return {
        "title": session.title,
        "kind": str(session.kind),
        "topics": list(topic_ids),
        "call": str(session.call_id) if session.call_id else "",
        "description": session.description,
        "timezone": session.timezone,
        "date": starts.date(),
        "start": starts.time().replace(tzinfo=None),
        "end": ends.time().replace(tzinfo=None),
        "location": session.location,
        "online_url": session.online_url,
        "capacity": str(session.capacity) if session.capacity else "",
        "visibility": str(session.visibility),
        "recurrence": str(session.recurrence),
        "recurrence_count": str(session.recurrence_count) if session.recurrence_count else "",
        "recurrence_until": until.astimezone(zone).date() if until else None,
    }


def session_prefill(query: Mapping[str, str]) -> dict[str, Any]:
    """Defaults for a new session from the slot finder's link; anything malformed is left out."""
    found: dict[str, Any] = {}
    if query.get("timezone") in zone_choices():
        found["timezone"] = query["timezone"]
    with suppress(ValueError):
        found["date"] = date.fromisoformat(query.get("date", ""))
    for name in ("start", "end"):
        with suppress(ValueError):
            found[name] = time.fromisoformat(query.get(name, ""))
    return found


class MoveForm(CSRFForm):
    """A new date and start for one occurrence, on the wall clock of the session's zone."""

    date = _date_field("New date", "the new date")
    start = _time_field("New start time", "the new start time", hint="For example, 14:30.")

    def __init__(self, *args: Any, zone: str = LONDON, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone

    @property
    def chosen_start(self) -> datetime | None:
        """The new start typed so far as a UTC instant, or None until the date and time make one."""
        day, start = self.date.data, self.start.data
        if not isinstance(day, date) or not isinstance(start, time) or not _plausible(day):
            return None
        return local_to_utc(datetime.combine(day, start), self.zone)

    @property
    def capitals_gap_is_unusual(self) -> bool:
        start = self.chosen_start
        return start is not None and dates_disagree([start], self.zone)

    def new_start(self) -> datetime:
        start = self.chosen_start
        assert start is not None, "call new_start() on a validated form"
        return start


class SlotFinderForm(CSRFForm):
    """The slot finder's question, asked by GET: nothing changes, so there is no CSRF token."""

    class Meta:
        csrf = False

    date_from = _date_field("From", "the first date")
    date_to = _date_field("To", "the last date", hint=f"At most {MAX_DAYS} days after the first.")
    duration = StringField(
        "Length of the meeting, in minutes",
        filters=[strip_text],
        validators=[InputRequired(message="Enter the length of the meeting in minutes")],
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )
    day_start = _time_field("Working day starts", "when the working day starts")
    day_end = _time_field("Working day ends", "when the working day ends")
    zone_one = SelectField(
        "First time zone",
        choices=zone_select_choices(),
        validators=[InputRequired(message="Choose the first time zone")],
        description="Days are this zone's days, and sessions are scheduled in it.",
    )
    zone_two = SelectField(
        "Second time zone",
        choices=zone_select_choices(),
        validators=[InputRequired(message="Choose the second time zone")],
    )

    @staticmethod
    def defaults(today: date) -> dict[str, str]:
        """What the finder asks first, and what fills any parameter a link leaves out."""
        return {
            "date_from": today.isoformat(),
            "date_to": (today + timedelta(days=13)).isoformat(),
            "duration": "60",
            "day_start": WORKDAY_START.strftime("%H:%M"),
            "day_end": WORKDAY_END.strftime("%H:%M"),
            "zone_one": WASHINGTON,
            "zone_two": LONDON,
        }

    def validate_date_to(self, field: DateField) -> None:
        first, last = self.date_from.data, field.data
        if not isinstance(first, date) or not isinstance(last, date):
            return
        if last < first:
            raise ValidationError("The last date must be on or after the first date")
        if (last - first).days > MAX_DAYS:
            raise ValidationError(f"Choose dates at most {MAX_DAYS} days apart")

    def validate_duration(self, field: StringField) -> None:
        minutes = _whole_number(field.data)
        if minutes is None or not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise ValidationError(
                f"Enter the length as a whole number of minutes from {MIN_MINUTES} to {MAX_MINUTES}"
            )

    def validate_day_end(self, field: TimeField) -> None:
        start, end = self.day_start.data, field.data
        if isinstance(start, time) and isinstance(end, time) and end <= start:
            raise ValidationError("The working day must end after it starts")

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=_whole_number(self.duration.data) or 0)

    @property
    def zones(self) -> tuple[str, str]:
        return (self.zone_one.data or WASHINGTON, self.zone_two.data or LONDON)
