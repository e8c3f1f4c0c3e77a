"""The slot finder: meeting times inside working hours in both capitals, across clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.timezones import LONDON, WASHINGTON
from events.slots import Slot, slots_by_day, working_slots

HOUR = timedelta(hours=1)
WORKDAY = (time(9), time(17))


def utc_starts(first: date, last: date, hours: list[tuple[int, int]]) -> list[datetime]:
    """Every weekday from `first` to `last` at each (hour, minute) in UTC."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [
        datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
        for day in days
        if day.weekday() < 5
        for hour, minute in hours
    ]


def half_hours(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    """(hour, minute) every 30 minutes from `first` to `last`, both included."""
    start, end = first[0] * 60 + first[1], last[0] * 60 + last[1]
    return [divmod(minutes, 60) for minutes in range(start, end + 1, 30)]


def window_in_utc(day: date, zone: str) -> tuple[datetime, datetime]:
    """The working day 09:00-17:00 on `day` in `zone`, as UTC instants."""
    tz = ZoneInfo(zone)
    return (
        datetime.combine(day, WORKDAY[0], tz).astimezone(UTC),
        datetime.combine(day, WORKDAY[1], tz).astimezone(UTC),
    )


def assert_inside_working_hours(slots: list[Slot], zones: tuple[str, ...]) -> None:
    for slot in slots:
        for zone in zones:
            start = slot.starts_at.astimezone(ZoneInfo(zone))
            end = slot.ends_at.astimezone(ZoneInfo(zone))
            assert start.weekday() < 5, (slot, zone)
            assert start.date() == end.date(), (slot, zone)
            assert WORKDAY[0] <= start.time() and end.time() <= WORKDAY[1], (slot, zone)


def test_in_an_ordinary_week_new_york_and_london_share_14_00_to_17_00_utc() -> None:
    # EST is UTC-5, GMT is UTC+0: New York's 9-17 is 14-22 UTC, London's 9-17 UTC. Both: 14-17.
    first, last = date(2026, 11, 30), date(2026, 12, 4)
    assert window_in_utc(first, WASHINGTON) == (
        datetime(2026, 11, 30, 14, tzinfo=UTC),
        datetime(2026, 11, 30, 22, tzinfo=UTC),
    )
    assert window_in_utc(first, LONDON) == (
        datetime(2026, 11, 30, 9, tzinfo=UTC),
        datetime(2026, 11, 30, 17, tzinfo=UTC),
    )

    slots = working_slots(first, last, HOUR, (WASHINGTON, LONDON), *WORKDAY)

    # A 60-minute meeting starts at 14:00 at the earliest and 16:00 at the latest.
    assert [s.starts_at for s in slots] == utc_starts(first, last, half_hours((14, 0), (16, 0)))
    assert len(slots) == 5 * 5
    assert all(s.ends_at - s.starts_at == HOUR for s in slots)
    assert_inside_working_hours(slots, (WASHINGTON, LONDON))


def test_in_the_week_the_clocks_disagree_the_shared_window_opens_an_hour_earlier() -> None:
    # The US moved to EDT (UTC-4) on 14 March 2027; London stays on GMT until 28 March.
    first, last = date(2027, 3, 15), date(2027, 3, 19)
    assert window_in_utc(first, WASHINGTON)[0] == datetime(2027, 3, 15, 13, tzinfo=UTC)
    assert window_in_utc(first, LONDON)[1] == datetime(2027, 3, 15, 17, tzinfo=UTC)

    slots = working_slots(first, last, HOUR, (WASHINGTON, LONDON), *WORKDAY)

    # Shared: 13:00-17:00 UTC, so a 60-minute meeting starts from 13:00 to 16:00.
    assert [s.starts_at for s in slots] == utc_starts(first, last, half_hours((13, 0), (16, 0)))
    assert len(slots) == 7 * 5
    assert_inside_working_hours(slots, (WASHINGTON, LONDON))


def test_weekends_are_skipped_in_every_zone_and_a_long_meeting_finds_nothing() -> None:
    saturday, sunday = date(2026, 12, 5), date(2026, 12, 6)

    weekend = working_slots(saturday, sunday, HOUR, (WASHINGTON, LONDON))
    too_long = working_slots(date(2026, 11, 30), date(2026, 12, 4), 4 * HOUR, (WASHINGTON, LONDON))

    assert weekend == []
    assert too_long == []  # only three hours are shared


def test_a_zone_whose_weekday_differs_refuses_the_slot() -> None:
    # Friday 4pm in Los Angeles is already Saturday 9am in Tokyo (with 9am-6pm working hours).
    slots = working_slots(
        date(2026, 12, 4),
        date(2026, 12, 4),
        HOUR,
        ("America/Los_Angeles", "Asia/Tokyo"),
        time(8),
        time(18),
    )

    assert slots == []


def test_slots_are_grouped_by_the_first_zones_date_and_prefill_the_session_form() -> None:
    slots = working_slots(date(2026, 11, 30), date(2026, 12, 1), HOUR, (WASHINGTON, LONDON))

    days = slots_by_day(slots, WASHINGTON)

    assert [(day, len(group)) for day, group in days] == [
        (date(2026, 11, 30), 5),
        (date(2026, 12, 1), 5),
    ]
    assert days[0][1][0].prefill(WASHINGTON) == {
        "timezone": WASHINGTON,
        "date": "2026-11-30",
        "start": "09:00",
        "end": "10:00",
    }


def test_more_than_92_days_or_an_empty_working_day_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="92"):
        working_slots(date(2027, 1, 1), date(2027, 4, 4), HOUR, (WASHINGTON,))
    with pytest.raises(ValueError, match="end after"):
        working_slots(date(2027, 1, 1), date(2027, 1, 2), HOUR, (WASHINGTON,), time(17), time(9))


def test_across_three_months_of_clock_changes_the_finder_matches_the_windows_day_by_day() -> None:
    first, last = date(2027, 2, 1), date(2027, 5, 3)  # 91 days, both March clock changes
    expected = []
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        if day.weekday() >= 5:
            continue
        (ny_open, ny_close), (ldn_open, ldn_close) = (
            window_in_utc(day, WASHINGTON),
            window_in_utc(day, LONDON),
        )
        start, close = max(ny_open, ldn_open), min(ny_close, ldn_close)
        while start + HOUR <= close:
            expected.append(start)
            start += timedelta(minutes=30)

    slots = working_slots(first, last, HOUR, (WASHINGTON, LONDON))

    assert [s.starts_at for s in slots] == expected
    assert_inside_working_hours(slots, (WASHINGTON, LONDON))
