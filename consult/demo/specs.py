"""How a demonstration call is described: its questions, its dates relative to now, its responses.

Dates are relative to the moment the data is loaded, so the calls always sit in the same phases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from consult.calls.models import CallState, QuestionKind

LONDON = "Europe/London"
NEW_YORK = "America/New_York"
OPENS_AT = time(9, 0)
CLOSES_AT = time(17, 0)


@dataclass(frozen=True)
class QuestionSpec:
    kind: QuestionKind
    prompt: str
    help_text: str = ""
    required: bool = False
    word_limit: int | None = None
    options: tuple[str, ...] = ()
    # Text questions: sentences a long answer is built from, or whole short answers.
    answers: tuple[str, ...] = ()
    # Choice and scale questions: how popular each option (or 1 to 5) is; empty means alike.
    weights: tuple[float, ...] = ()


@dataclass(frozen=True)
class CallSpec:
    slug: str
    topic: str
    title: str
    summary: str
    body: str
    timezone: str
    opens_in_days: int  # negative: opened that many days before the data is loaded
    closes_in_days: int
    questions: tuple[QuestionSpec, ...]
    state: CallState = CallState.PUBLISHED
    outcome: str = ""
    outcome_in_days: int | None = None
    submitted: int = 0  # responses submitted and standing, campaign letters included
    campaign: int = 0  # of those, how many send the form letter
    drafts: int = 0
    withdrawn: int = 0

    @property
    def responses(self) -> int:
        return self.submitted + self.drafts + self.withdrawn

    def opens_at(self, now: datetime) -> datetime:
        return local_time(now, self.opens_in_days, OPENS_AT, self.timezone)

    def closes_at(self, now: datetime) -> datetime:
        return local_time(now, self.closes_in_days, CLOSES_AT, self.timezone)

    def outcome_published_at(self, now: datetime) -> datetime | None:
        if self.outcome_in_days is None:
            return None
        return local_time(now, self.outcome_in_days, time(10, 0), self.timezone)


def local_time(now: datetime, days: int, at: time, zone: str) -> datetime:
    """`at` o'clock in `zone` on the day `days` after today there, as an aware UTC datetime."""
    tz = ZoneInfo(zone)
    day = now.astimezone(tz).date() + timedelta(days=days)
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


# Said once, at the end of every call's body.
HOW_WE_USE_RESPONSES = (
    "\n\n## How we will use your response\n\n"
    "Officials from both governments read every response. We publish responses only where you "
    "agree to it, with your name or anonymously, and never publish an answer you mark as "
    "commercially sensitive. You can edit or withdraw your response until the call closes."
)


# Short names, so that the call definitions read as a list of questions.
LONG, SHORT, SINGLE, MULTIPLE, SCALE, FILE = (
    QuestionKind.LONG_TEXT,
    QuestionKind.SHORT_TEXT,
    QuestionKind.SINGLE_CHOICE,
    QuestionKind.MULTIPLE_CHOICE,
    QuestionKind.SCALE,
    QuestionKind.FILE,
)
