"""How a demonstration session is described: when, where, for whom, and who registered.

Times are wall-clock times in each session's own zone on a day counted from the day the data is
loaded; `schedule.py` moves them to working days and turns them into instants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from core.vocabulary import Sector
from events.models import Recurrence, SessionKind, Visibility


@dataclass(frozen=True)
class SessionSpec:
    slug: str
    title: str
    kind: SessionKind
    topics: tuple[str, ...]
    description: str
    zone: str
    at: time  # wall-clock start in `zone`
    minutes: int
    # The first occurrence: this many days after the day the data is loaded (negative: before).
    # Ignored by a series that `crosses_daylight_saving`: its start is found in the zone database.
    days: int = 0
    location: str = ""
    online_url: str = ""
    capacity: int | None = None  # None: no limit
    visibility: Visibility = Visibility.PUBLIC
    call: str | None = None  # slug of a demonstration call
    recurrence: Recurrence = Recurrence.NONE
    count: int | None = None
    weekday: int | None = None  # a series that meets on this weekday (0: Monday)
    crosses_daylight_saving: bool = False
    cancelled_occurrences: tuple[int, ...] = ()  # positions in the series, from 0
    moved_occurrences: tuple[tuple[int, int], ...] = ()  # (position, days later)
    cancelled_days_ago: int | None = None  # the whole session was cancelled
    attendees: tuple[str, ...] = ()  # named people registered for the whole session
    registered: int = 0  # respondents registered (for each occurrence when `by_occurrence`)
    waitlisted: int = 0
    withdrawn: int = 0  # registered once, then cancelled their place
    by_occurrence: bool = False
    invited_sectors: tuple[Sector, ...] = ()  # respondents drawn only from these (empty: anyone)


def meeting_link(name: str) -> str:
    return f"https://meet.consult.example/{name}"


EISENHOWER = "Eisenhower Executive Office Building, 1650 Pennsylvania Avenue NW, Washington DC"
ACADEMY = "National Academy of Sciences Building, 2101 Constitution Avenue NW, Washington DC"
HOOVER = "Herbert C. Hoover Building, 1401 Constitution Avenue NW, Washington DC"
BRITISH_EMBASSY = "British Embassy, 3100 Massachusetts Avenue NW, Washington DC"
VICTORIA_STREET = "1 Victoria Street, London SW1H 0ET"
ROYAL_SOCIETY = "The Royal Society, 6–9 Carlton House Terrace, London SW1Y 5AG"
SAVOY_PLACE = "Savoy Place, 2 Savoy Place, London WC2R 0BL"
US_EMBASSY = "Embassy of the United States, 33 Nine Elms Lane, London SW11 7US"

GOVERNMENT = (Sector.GOVERNMENT,)
