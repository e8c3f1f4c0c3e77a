"""Times shown in a zone of choice and in both capitals; the weeks when US and UK clocks disagree.

One function renders a time for every page (`times_in_capitals`), so every screen says the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

WASHINGTON = "America/New_York"
LONDON = "Europe/London"
CAPITALS = (("Washington", WASHINGTON), ("London", LONDON))


@dataclass(frozen=True)
class LocalTime:
    place: str
    zone: str
    moment: datetime

    @property
    def text(self) -> str:
        """e.g. "Tuesday 24 November 2026, 5:00pm GMT"."""
        hour = self.moment.strftime("%I").lstrip("0")
        minutes = self.moment.strftime("%M")
        suffix = "am" if self.moment.hour < 12 else "pm"
        clock = f"{hour}{suffix}" if minutes == "00" else f"{hour}:{minutes}{suffix}"
        if self.moment.hour == 12 and minutes == "00":
            clock = "midday"
        elif self.moment.hour == 0 and minutes == "00":
            clock = "midnight"
        return f"{self.moment:%A} {self.moment.day} {self.moment:%B %Y}, {clock} {self.moment:%Z}"


def zone_label(zone: str) -> str:
    """How pages and mail name a zone: the capitals by their capital (the US one is Washington,
    never "New York"), any other zone by its city."""
    for place, name in CAPITALS:
        if zone == name:
            return place
    return zone.split("/")[-1].replace("_", " ")


def day_text(instant: datetime, zone: str) -> str:
    """The date of `instant` in `zone`, as mail subjects name a date: "Wednesday 10 March 2027"."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%A} {local.day} {local:%B %Y}"


def times_in_capitals(instant: datetime, zone: str) -> list[LocalTime]:
    """The instant in its own zone first, then Washington and London (each once)."""
    if instant.tzinfo is None:
        raise ValueError("times_in_capitals needs an aware datetime")
    places = [(zone_label(zone), zone)] + [c for c in CAPITALS if c[1] != zone]
    return [LocalTime(place, name, instant.astimezone(ZoneInfo(name))) for place, name in places]


def capitals_gap_hours(day: date) -> float:
    """Hours London is ahead of Washington at noon UTC on `day` (5 usually, 4 when DST disagrees)."""
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    london = noon.astimezone(ZoneInfo(LONDON)).utcoffset() or timedelta()
    washington = noon.astimezone(ZoneInfo(WASHINGTON)).utcoffset() or timedelta()
    return (london - washington).total_seconds() / 3600


def daylight_saving_disagrees(day: date) -> bool:
    """True in the weeks of March and October/November when the US and UK gap is not five hours."""
    return capitals_gap_hours(day) != 5


def time_until(deadline: datetime, now: datetime) -> str:
    """Plain words for how far away a deadline is: "closes in 3 days", "closed 2 hours ago"."""
    delta = deadline - now
    future = delta.total_seconds() > 0
    seconds = abs(delta.total_seconds())
    if seconds < 3600:
        amount = max(1, int(seconds // 60))
        unit = "minute"
    elif seconds < 2 * 86400:
        amount = int(seconds // 3600)
        unit = "hour"
    else:
        amount = int(seconds // 86400)
        unit = "day"
    words = f"{amount} {unit}{'s' if amount != 1 else ''}"
    return f"in {words}" if future else f"{words} ago"


@cache
def zone_choices() -> tuple[str, ...]:
    """IANA zones for a picker: the two capitals first, then the rest alphabetically."""
    rest = sorted(
        z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    )
    return (LONDON, WASHINGTON, *(z for z in rest if z not in (LONDON, WASHINGTON)))


def local_to_utc(local: datetime, zone: str) -> datetime:
    """A wall-clock time typed in `zone` as an aware UTC instant."""
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
