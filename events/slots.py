"""The slot finder: meeting times inside working hours in every chosen zone. Pure, no I/O.

Candidate starts step through the first zone's working day on its wall clock, so a 30-minute step
gives :00 and :30 starts there (zones with a half-hour offset see :15 and :45 if those fit). A
slot is kept only when, in every zone, the whole meeting lies between the working hours on one
local weekday. Days are the first zone's dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

MAX_DAYS = 92  # the furthest apart the first and last day may be
MIN_MINUTES = 15
MAX_MINUTES = 480
DEFAULT_STEP = timedelta(minutes=30)
WORKDAY_START = time(9)
WORKDAY_END = time(17)


@dataclass(frozen=True)
class Slot:
    """A meeting time that suits everyone: UTC start and end."""

    starts_at: datetime
    ends_at: datetime

    def local(self, zone: str) -> tuple[date, time, time]:
        """The slot's date, start and end on the wall clock of `zone`."""
        start = self.starts_at.astimezone(ZoneInfo(zone))
        end = self.ends_at.astimezone(ZoneInfo(zone))
        return start.date(), start.time(), end.time()

    def prefill(self, zone: str) -> dict[str, str]:
        """Query parameters that open the session form at this slot, on `zone`'s wall clock."""
        day, start, end = self.local(zone)
        return {
            "timezone": zone,
            "date": day.isoformat(),
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"),
        }


def working_slots(
    first_day: date,
    last_day: date,
    duration: timedelta,
    zones: Sequence[str],
    start_hour: time = WORKDAY_START,
    end_hour: time = WORKDAY_END,
    step: timedelta = DEFAULT_STEP,
) -> list[Slot]:
    """Every start, `step` apart, whose meeting fits working hours on a weekday in all `zones`."""
    if not zones:
        raise ValueError("working_slots needs at least one zone")
    if duration <= timedelta() or step <= timedelta():
        raise ValueError("duration and step must be positive")
    if not start_hour < end_hour:
        raise ValueError("the working day must end after it starts")
    if (last_day - first_day).days > MAX_DAYS:
        raise ValueError(f"the days may be at most {MAX_DAYS} apart")
    first_zone = ZoneInfo(zones[0])
    found: list[Slot] = []
    day = first_day
    while day <= last_day:
        local = datetime.combine(day, start_hour)
        while local.date() == day and local.time() < end_hour:
            start = _existing_instant(local, first_zone)
            if start is not None:
                slot = Slot(start, start + duration)
                if all(_inside_working_hours(slot, zone, start_hour, end_hour) for zone in zones):
                    found.append(slot)
            local += step
        day += timedelta(days=1)
    return found


def slots_by_day(slots: Sequence[Slot], zone: str) -> list[tuple[date, list[Slot]]]:
    """The slots grouped by their date in `zone`, in order."""
    return [
        (day, list(group)) for day, group in groupby(slots, key=lambda slot: slot.local(zone)[0])
    ]


def _existing_instant(local: datetime, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a wall-clock time, or None if the clocks skip it (spring forward)."""
    instant = local.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local:
        return None
    return instant


def _inside_working_hours(slot: Slot, zone: str, start_hour: time, end_hour: time) -> bool:
    tz = ZoneInfo(zone)
    start = slot.starts_at.astimezone(tz)
    end = slot.ends_at.astimezone(tz)
    return (
        start.weekday() < 5
        and end.date() == start.date()
        and start.time() >= start_hour
        and end.time() <= end_hour
    )
