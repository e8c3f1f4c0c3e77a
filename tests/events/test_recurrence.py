"""Series keep their wall-clock time in their own zone; overrides cancel or move one occurrence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from events.recurrence import MAX_OCCURRENCES, Change, SeriesRule, occurrences, series_starts

LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")


def weekly(zone: str, first: datetime, **kwargs: object) -> SeriesRule:
    return SeriesRule(first, first + timedelta(hours=1), zone, "weekly", **kwargs)  # type: ignore[arg-type]


def test_a_weekly_london_series_keeps_15_00_london_across_the_march_change() -> None:
    rule = weekly("Europe/London", datetime(2027, 3, 16, 15, 0, tzinfo=UTC), count=4)

    starts = series_starts(rule)

    assert [s.astimezone(LONDON).strftime("%d %b %H:%M %Z") for s in starts] == [
        "16 Mar 15:00 GMT",
        "23 Mar 15:00 GMT",
        "30 Mar 15:00 BST",
        "06 Apr 15:00 BST",
    ]
    assert [s.hour for s in starts] == [15, 15, 14, 14]  # the UTC instant moves, not the wall clock


def test_a_new_york_series_keeps_10_00_across_the_november_change() -> None:
    rule = weekly("America/New_York", datetime(2026, 10, 26, 14, 0, tzinfo=UTC), count=3)

    starts = series_starts(rule)

    assert [s.astimezone(NEW_YORK).strftime("%d %b %H:%M") for s in starts] == [
        "26 Oct 10:00",
        "02 Nov 10:00",
        "09 Nov 10:00",
    ]
    assert [s.hour for s in starts] == [14, 15, 15]


def test_until_is_inclusive_and_monthly_repeats_on_the_same_day() -> None:
    first = datetime(2027, 1, 12, 15, 0, tzinfo=UTC)
    rule = SeriesRule(
        first,
        first + timedelta(hours=2),
        "Europe/London",
        "monthly",
        until=datetime(2027, 4, 12, 14, 0, tzinfo=UTC),
    )

    assert [s.date().isoformat() for s in series_starts(rule)] == [
        "2027-01-12",
        "2027-02-12",
        "2027-03-12",
        "2027-04-12",
    ]


def test_an_endless_series_is_bounded() -> None:
    assert (
        len(series_starts(weekly("Europe/London", datetime(2027, 1, 5, 10, 0, tzinfo=UTC))))
        == MAX_OCCURRENCES
    )


def test_a_moved_occurrence_appears_once_at_its_new_time_and_a_cancelled_one_is_flagged() -> None:
    rule = weekly("Europe/London", datetime(2027, 1, 5, 15, 0, tzinfo=UTC), count=3)
    second, third = (
        datetime(2027, 1, 12, 15, 0, tzinfo=UTC),
        datetime(2027, 1, 19, 15, 0, tzinfo=UTC),
    )
    moved_to = datetime(2027, 1, 13, 16, 0, tzinfo=UTC)

    found = occurrences(rule, [Change(second, starts_at=moved_to), Change(third, cancelled=True)])

    assert [(o.original_start, o.starts_at, o.ends_at, o.moved, o.cancelled) for o in found] == [
        (rule.starts_at, rule.starts_at, rule.starts_at + timedelta(hours=1), False, False),
        (second, moved_to, moved_to + timedelta(hours=1), True, False),
        (third, third, third + timedelta(hours=1), False, True),
    ]


def test_changes_to_starts_the_rule_never_gives_are_ignored_and_windows_filter() -> None:
    rule = weekly("Europe/London", datetime(2027, 1, 5, 15, 0, tzinfo=UTC), count=3)

    found = occurrences(
        rule,
        [Change(datetime(2027, 1, 6, 15, 0, tzinfo=UTC), cancelled=True)],
        window_start=datetime(2027, 1, 10, tzinfo=UTC),
    )

    assert [o.starts_at.day for o in found] == [12, 19]
    assert not any(o.cancelled for o in found)


def test_a_one_off_session_is_a_single_occurrence() -> None:
    start = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)

    assert [
        o.starts_at
        for o in occurrences(SeriesRule(start, start + timedelta(hours=2), "America/New_York"))
    ] == [start]
