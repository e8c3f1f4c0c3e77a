"""`events.changes`: what one change of a session does to each date a registration holds. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events.changes import SessionChange, What, snapshot
from events.models import WHOLE_SERIES, Recurrence, Session, SessionStatus, occurrence_key
from events.recurrence import Change

FIRST = datetime(2027, 3, 3, 15, 0, tzinfo=UTC)  # Wednesdays, 3pm in London (GMT)
WEEK = timedelta(days=7)
BEFORE_ALL = datetime(2027, 1, 1, tzinfo=UTC)


def series(count: int = 4, **fields: object) -> Session:
    values: dict[str, object] = {
        "starts_at": FIRST,
        "ends_at": FIRST + timedelta(hours=1),
        "timezone": "Europe/London",
        "recurrence": Recurrence.WEEKLY,
        "recurrence_count": count,
        "location": "Room 1",
        "online_url": "",
        "status": SessionStatus.SCHEDULED,
    }
    return Session(**{**values, **fields})


def key(week: int) -> str:
    return occurrence_key(FIRST + week * WEEK)


def whats(
    change: SessionChange, registration: str, now: datetime = BEFORE_ALL
) -> list[tuple[str, What]]:
    return [(n.key, n.what) for n in change.news(registration, now)]


def test_a_moved_date_is_news_for_the_series_and_that_date_only() -> None:
    before = snapshot(series(), [])
    moved = Change(
        FIRST + WEEK,
        starts_at=FIRST + WEEK + timedelta(hours=1),
        ends_at=FIRST + WEEK + timedelta(hours=2),
    )
    change = SessionChange(before, snapshot(series(), [moved]))

    assert whats(change, WHOLE_SERIES) == [(key(1), What.MOVED)]
    assert whats(change, key(1)) == [(key(1), What.MOVED)]
    assert whats(change, key(2)) == []
    [news] = change.news(key(1), BEFORE_ALL)
    assert news.before is not None and news.after is not None
    assert (news.before.starts_at, news.after.starts_at) == (
        FIRST + WEEK,
        FIRST + WEEK + timedelta(hours=1),
    )


def test_a_cancelled_date_is_never_named_again_by_later_changes() -> None:
    cancelled = [Change(FIRST + 2 * WEEK, cancelled=True)]
    before = snapshot(series(), cancelled)
    change = SessionChange(before, snapshot(series(location="Room 2"), cancelled))

    assert whats(change, WHOLE_SERIES) == [
        (key(0), What.PLACE),
        (key(1), What.PLACE),
        (key(3), What.PLACE),
    ]
    assert whats(change, key(2)) == []
    cancelling = SessionChange(before, snapshot(series(status=SessionStatus.CANCELLED), cancelled))
    assert whats(cancelling, key(2)) == []
    assert [w for _, w in whats(cancelling, WHOLE_SERIES)] == [What.CANCELLED] * 3


def test_dates_already_started_are_not_named() -> None:
    change = SessionChange(snapshot(series(), []), snapshot(series(location="Room 2"), []))

    assert whats(change, WHOLE_SERIES, now=FIRST + WEEK) == [
        (key(2), What.PLACE),
        (key(3), What.PLACE),
    ]
    assert whats(change, key(0), now=FIRST + WEEK) == []


def test_a_date_an_edit_takes_out_of_the_series_is_cancelled_for_whoever_held_it() -> None:
    change = SessionChange(snapshot(series(count=4), []), snapshot(series(count=3), []))

    assert whats(change, WHOLE_SERIES) == [(key(3), What.CANCELLED)]
    [news] = change.news(key(3), BEFORE_ALL)
    assert news.what == What.CANCELLED and news.after is None
    assert news.shown.starts_at == FIRST + 3 * WEEK
    assert whats(
        SessionChange(snapshot(series(count=3), []), snapshot(series(count=4), [])), WHOLE_SERIES
    ) == [(key(3), What.ADDED)]


def test_a_one_off_session_is_one_date_under_the_whole_session_key() -> None:
    one_off = series(recurrence=Recurrence.NONE, recurrence_count=None)
    later = series(
        recurrence=Recurrence.NONE,
        recurrence_count=None,
        starts_at=FIRST + timedelta(hours=2),
        ends_at=FIRST + timedelta(hours=3),
    )

    assert list(snapshot(one_off, []).dates) == [WHOLE_SERIES]
    assert whats(SessionChange(snapshot(one_off, []), snapshot(later, [])), WHOLE_SERIES) == [
        (WHOLE_SERIES, What.MOVED)
    ]
