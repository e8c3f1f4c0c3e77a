"""Times in both capitals, and the weeks when US and UK daylight saving disagree."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core.timezones import (
    capitals_gap_hours,
    daylight_saving_disagrees,
    local_to_utc,
    time_until,
    times_in_capitals,
)


def test_a_time_is_shown_in_its_zone_then_washington_and_london() -> None:
    instant = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)

    times = times_in_capitals(instant, "Asia/Tokyo")

    assert [(t.place, t.text) for t in times] == [
        ("Tokyo", "Friday 4 December 2026, 2am JST"),
        ("Washington", "Thursday 3 December 2026, midday EST"),
        ("London", "Thursday 3 December 2026, 5pm GMT"),
    ]


def test_a_london_call_is_not_listed_twice() -> None:
    times = times_in_capitals(datetime(2026, 7, 1, 11, 30, tzinfo=UTC), "Europe/London")

    assert [(t.place, t.text) for t in times] == [
        ("London", "Wednesday 1 July 2026, 12:30pm BST"),
        ("Washington", "Wednesday 1 July 2026, 7:30am EDT"),
    ]


def test_the_gap_is_four_hours_only_in_the_weeks_the_clocks_disagree() -> None:
    disagreeing = [
        d
        for d in (date(2026, 1, 1) + timedelta(days=n) for n in range(365))
        if daylight_saving_disagrees(d)
    ]

    # 2026: the US moves on 8 March and 1 November, the UK on 29 March and 25 October.
    assert disagreeing[0] == date(2026, 3, 8) and date(2026, 3, 28) in disagreeing
    assert date(2026, 3, 29) not in disagreeing
    assert date(2026, 10, 25) in disagreeing and date(2026, 10, 31) in disagreeing
    assert date(2026, 11, 1) not in disagreeing
    assert len(disagreeing) == 21 + 7
    assert capitals_gap_hours(date(2026, 3, 10)) == 4 and capitals_gap_hours(date(2026, 6, 1)) == 5


def test_deadlines_are_described_in_plain_words() -> None:
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

    assert time_until(now + timedelta(days=3, hours=2), now) == "in 3 days"
    assert time_until(now + timedelta(hours=5), now) == "in 5 hours"
    assert time_until(now + timedelta(minutes=1), now) == "in 1 minute"
    assert time_until(now - timedelta(days=40), now) == "40 days ago"


def test_a_wall_clock_time_in_a_zone_becomes_utc() -> None:
    assert local_to_utc(datetime(2026, 3, 10, 9, 0), "America/New_York") == datetime(
        2026, 3, 10, 13, 0, tzinfo=UTC
    )
    assert local_to_utc(datetime(2026, 3, 10, 9, 0), "Europe/London") == datetime(
        2026, 3, 10, 9, 0, tzinfo=UTC
    )
