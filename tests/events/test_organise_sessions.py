"""Organisers schedule sessions in the workspace: sessions, series, occurrences, cancelling,
attendees, the slot finder; who may do what; SEQUENCE rising with every change calendars must see.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from starlette.applications import Starlette

from consult.calls.models import CallState
from core.clock import FixedClock
from core.models import AuditEntry, Person, Topic
from core.vocabulary import Role, Sector
from events.models import (
    OccurrenceOverride,
    Recurrence,
    Registration,
    RegistrationStatus,
    Session,
    SessionKind,
    SessionStatus,
    Visibility,
)
from tests.factories import (
    make_call,
    make_person,
    make_registration,
    organiser,
    person_with_role,
    second_browser,
)
from tests.support import (
    csrf_from,
    error_summary,
    field_error,
    page,
    post_form,
)

LIST = "/organise/sessions"
NEW = "/organise/sessions/new"
SESSION = "/organise/sessions/qkd-roundtable"
GAP_WARNING = "In this week the time difference between Washington and London is 4 hours, not 5."


def session_form(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Quantum key distribution roundtable",
        "slug": "qkd-roundtable",
        "kind": "roundtable",
        "call": "",
        "description": "## Agenda\n\nInteroperable QKD.",
        "timezone": "America/New_York",
        "date": "2027-04-07",
        "start": "10:00",
        "end": "11:30",
        "location": "NIST Gaithersburg, Building 101",
        "online_url": "https://meet.example.gov/qkd",
        "capacity": "40",
        "visibility": "public",
        "recurrence": "none",
        "recurrence_count": "",
        "recurrence_until": "",
        **changes,
    }


async def schedule(client: httpx.AsyncClient, **changes: Any) -> Session:
    response = await post_form(client, NEW, session_form(**changes))
    assert response.status_code == 303, error_summary(response)
    return await Session.get(slug=str(changes.get("slug", "qkd-roundtable")))


async def weekly_series(client: httpx.AsyncClient) -> Session:
    """Wednesdays at 10am New York from 3 March 2027, four times: the US changes clocks on 14 March."""
    return await schedule(
        client, date="2027-03-03", recurrence="weekly", recurrence_count="4", location=""
    )


async def edit(client: httpx.AsyncClient, **changes: str) -> httpx.Response:
    form = session_form(**changes)
    del form["slug"]
    return await post_form(client, f"{SESSION}/edit", form)


async def press(
    client: httpx.AsyncClient, path: str, data: dict[str, str] | None = None
) -> httpx.Response:
    """Press a button on the session's overview page (a POST carrying the page's CSRF token)."""
    return await post_form(client, path, data or {}, form_page=SESSION)


async def audit_trail() -> list[tuple[int | None, str, str, dict]]:
    entries = await AuditEntry.all().order_by("id")
    return [(e.actor_id, e.action, e.object_type, e.detail) for e in entries]  # type: ignore[attr-defined]


def texts(response: httpx.Response, selector: str) -> list[str]:
    return [element.get_text(" ", strip=True) for element in page(response).select(selector)]


def rows_of(response: httpx.Response, selector: str) -> list[list[str]]:
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
        for row in page(response).select(f"{selector} tbody tr")
    ]


async def standards() -> Topic:
    return await Topic.create(slug="standards", name="Standards", position=1)


# ---------------------------------------------------------------- Scheduling


async def test_an_organiser_schedules_a_one_off_session_and_joins_its_team(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    rosalind = await organiser(client)
    topic = await standards()
    security = await Topic.create(slug="research-security", name="Research security", position=2)
    call = await make_call(clock.now(), state=CallState.PUBLISHED)

    response = await post_form(
        client,
        NEW,
        session_form(topics=[str(topic.id), str(security.id)], call=str(call.id)),
    )

    assert response.status_code == 303
    assert response.headers["location"] == SESSION
    session = await Session.get(slug="qkd-roundtable")
    assert (
        session.title,
        session.kind,
        session.description,
        session.call_id,
        session.timezone,
        session.starts_at,
        session.ends_at,
        session.location,
        session.online_url,
        session.capacity,
        session.visibility,
        session.status,
        session.sequence,
        session.recurrence,
        session.recurrence_count,
        session.recurrence_until,
        session.cancelled_at,
        session.created_by_id,  # type: ignore[attr-defined]
    ) == (
        "Quantum key distribution roundtable",
        SessionKind.ROUNDTABLE,
        "## Agenda\n\nInteroperable QKD.",
        call.id,
        "America/New_York",
        datetime(2027, 4, 7, 14, 0, tzinfo=UTC),  # 10am EDT
        datetime(2027, 4, 7, 15, 30, tzinfo=UTC),
        "NIST Gaithersburg, Building 101",
        "https://meet.example.gov/qkd",
        40,
        Visibility.PUBLIC,
        SessionStatus.SCHEDULED,
        0,
        Recurrence.NONE,
        None,
        None,
        None,
        rosalind.id,
    )
    assert [p.id for p in await session.team.all()] == [rosalind.id]
    assert sorted(t.slug for t in await session.topics.all()) == ["research-security", "standards"]
    assert await audit_trail() == [
        (rosalind.id, "session.created", "event_session", {"slug": "qkd-roundtable"})
    ]
    overview = await client.get(SESSION)
    starts = page(overview).find("dt", string="Starts").find_next("dd")
    assert starts.get_text(" ", strip=True) == (
        "Wednesday 7 April 2027, 10am EDT (London: Wednesday 7 April 2027, 3pm BST)"
    )
    assert texts(overview, ".warning-text") == []


async def test_an_organiser_schedules_a_weekly_series_that_keeps_its_new_york_time(
    client: httpx.AsyncClient,
) -> None:
    rosalind = await organiser(client)

    session = await weekly_series(client)

    assert (
        session.recurrence,
        session.recurrence_count,
        session.recurrence_until,
        session.starts_at,
        session.ends_at,
        session.location,
        session.capacity,
    ) == (
        Recurrence.WEEKLY,
        4,
        None,
        datetime(2027, 3, 3, 15, 0, tzinfo=UTC),  # 10am EST
        datetime(2027, 3, 3, 16, 30, tzinfo=UTC),
        "",
        40,
    )
    assert [p.id for p in await session.team.all()] == [rosalind.id]
    overview = await client.get(SESSION)
    marked = " 4 hours, not 5 between Washington and London this week"
    assert [row[0] for row in rows_of(overview, "#occurrence")] == [
        f"{day} March 2027, 10am {zone} (London: {day} March 2027, {london} GMT){mark}"
        for day, zone, london, mark in (
            ("Wednesday 3", "EST", "3pm", ""),
            ("Wednesday 10", "EST", "3pm", ""),
            ("Wednesday 17", "EDT", "2pm", marked),
            ("Wednesday 24", "EDT", "2pm", marked),
        )
    ]
    cancel_actions = [a["href"] for a in page(overview).select('#occurrence a[href$="/cancel"]')]
    assert cancel_actions == [
        f"{SESSION}/occurrences/2027-03-{day}T{hour}:00:00Z/cancel"
        for day, hour in (("03", "15"), ("10", "15"), ("17", "14"), ("24", "14"))
    ]
    # The US changed its clocks on 14 March, the UK on 28 March: the 17th and 24th are marked.
    assert texts(overview, ".warning-text") == [
        "Warning: 2 dates of this series fall in weeks when the time difference between "
        "Washington and London is 4 hours, not 5: they are marked in the list of occurrences."
    ]
    marked = [
        row["id"].removeprefix("occurrence-")
        for row in page(overview).select("#occurrence tbody tr")
        if row.select_one(".tag--yellow")
    ]
    assert marked == ["2027-03-17T14:00:00Z", "2027-03-24T14:00:00Z"]


async def test_a_monthly_series_until_a_date_includes_that_date(client: httpx.AsyncClient) -> None:
    await organiser(client)

    session = await schedule(
        client,
        date="2027-01-13",
        timezone="Europe/London",
        recurrence="monthly",
        recurrence_until="2027-04-13",
    )

    assert (session.recurrence, session.recurrence_count, session.recurrence_until) == (
        Recurrence.MONTHLY,
        None,
        datetime(2027, 4, 13, 9, 0, tzinfo=UTC),  # 10am BST on the last date
    )
    overview = await client.get(SESSION)
    assert len(rows_of(overview, "#occurrence")) == 4


async def test_ending_before_starting_gets_a_field_error_and_nothing_is_stored(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)

    response = await post_form(client, NEW, session_form(start="11:00", end="10:59"))

    assert response.status_code == 400
    assert field_error(response, "end") == "Error: The end time must be after the start time"
    assert await Session.all().count() == 0
    assert await AuditEntry.all().count() == 0


async def test_a_session_needs_a_location_or_a_web_link(client: httpx.AsyncClient) -> None:
    await organiser(client)

    nowhere = await post_form(client, NEW, session_form(location="", online_url=""))
    script = await post_form(client, NEW, session_form(online_url="javascript:alert(1)"))
    online_only = await post_form(client, NEW, session_form(location=""))

    assert field_error(nowhere, "location") == "Error: Enter a location, an online link, or both"
    assert field_error(script, "online_url") == (
        "Error: Enter the online link starting with https:// (or http://)"
    )
    assert online_only.status_code == 303
    assert await Session.all().values_list("location", "online_url") == [
        ("", "https://meet.example.gov/qkd")
    ]


async def test_taken_reserved_and_dotted_slugs_get_a_field_error(client: httpx.AsyncClient) -> None:
    await organiser(client)
    await schedule(client)

    taken = await post_form(client, NEW, session_form(title="Another"))
    reserved = await post_form(client, NEW, session_form(slug="new"))
    dotted = await post_form(client, NEW, session_form(slug="qkd.ics"))

    assert field_error(taken, "slug") == "Error: That address is taken"
    assert field_error(reserved, "slug") == "Error: That address is taken"
    assert field_error(dotted, "slug") == "Error: Use only lowercase letters, digits and hyphens"
    assert await Session.all().count() == 1


async def test_a_series_needs_a_count_from_2_to_104_or_a_last_date_but_not_both(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)

    neither = await post_form(client, NEW, session_form(recurrence="weekly"))
    both = await post_form(
        client,
        NEW,
        session_form(recurrence="weekly", recurrence_count="3", recurrence_until="2027-05-01"),
    )
    once = await post_form(client, NEW, session_form(recurrence="weekly", recurrence_count="1"))
    too_many = await post_form(
        client,
        NEW,
        session_form(recurrence="weekly", recurrence_until="2029-12-31"),
    )

    assert field_error(neither, "recurrence_count") == (
        "Error: Enter how many times the session happens, or the last date"
    )
    assert field_error(both, "recurrence_count") == (
        "Error: Enter how many times the session happens or the last date, not both"
    )
    assert field_error(once, "recurrence_count") == (
        "Error: Enter how many times the session happens as a whole number from 2 to 104"
    )
    assert field_error(too_many, "recurrence_until") == (
        "Error: A series has at most 104 occurrences; choose an earlier last date"
    )
    assert await Session.all().count() == 0


async def test_a_session_in_the_past_cannot_be_scheduled(client: httpx.AsyncClient) -> None:
    await organiser(client)
    # The clock says 24 November 2026, 12:00 UTC: 7am in New York.

    response = await post_form(
        client, NEW, session_form(date="2026-11-24", start="06:00", end="07:00")
    )

    assert field_error(response, "date") == "Error: Choose a date and time in the future"
    assert await Session.all().count() == 0


async def test_odd_input_gets_field_errors_never_a_500(client: httpx.AsyncClient) -> None:
    await organiser(client)

    far = await post_form(client, NEW, session_form(date="9999-12-31", start="23:30", end="23:45"))
    digits = await post_form(client, NEW, session_form(capacity="²", recurrence_count="٣"))
    garbled = await post_form(
        client,
        NEW,
        session_form(
            date="17/03/2027", start="10am", kind="party", visibility="secret", call="999"
        ),
    )
    slots = await client.get("/organise/slots?date_from=9999-12-29&date_to=9999-12-31")

    assert field_error(far, "date") == "Error: Enter a date between 2000 and 2100"
    assert field_error(digits, "capacity") == "Error: Enter a whole number, like 40"
    assert field_error(digits, "recurrence_count") == "Error: Enter a whole number, like 40"
    assert [
        f for f in ("date", "start", "kind", "visibility", "call") if field_error(garbled, f)
    ] == [
        "date",
        "start",
        "kind",
        "visibility",
        "call",
    ]
    assert [far.status_code, digits.status_code, garbled.status_code, slots.status_code] == [
        400
    ] * 4
    assert await Session.all().count() == 0


# ---------------------------------------------------------------- Who may


async def test_a_stakeholder_gets_403_and_nothing_is_created(client: httpx.AsyncClient) -> None:
    await person_with_role(client, "stakeholder@example.org", Role.STAKEHOLDER)
    token = csrf_from(await client.get("/account/profile"))

    statuses = [
        (await client.get(LIST)).status_code,
        (await client.get(NEW)).status_code,
        (await client.get("/organise/slots")).status_code,
        (await client.post(NEW, data={"csrf_token": token, **session_form()})).status_code,
    ]

    assert statuses == [403, 403, 403, 403]
    assert await Session.all().count() == 0
    assert await AuditEntry.all().count() == 0


async def test_a_visitor_is_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/organise/slots?date_from=2026-12-01")

    assert response.status_code == 303
    assert (
        response.headers["location"] == "/account/signin?next=/organise/slots?date_from=2026-12-01"
    )


async def test_an_organiser_outside_the_team_gets_403_on_every_page_and_button(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    await organiser(client)
    session = await weekly_series(client)
    key = "2027-03-10T15:00:00Z"
    async with second_browser(app) as other:
        await organiser(other, "chien-shiung@example.gov")
        token = csrf_from(await other.get(NEW))

        pages = [
            (await other.get(path)).status_code
            for path in (
                SESSION,
                f"{SESSION}/edit",
                f"{SESSION}/cancel",
                f"{SESSION}/attendees",
                f"{SESSION}/attendees.csv",
                f"{SESSION}/occurrences/{key}/move",
            )
        ]
        posts = [
            (await other.post(path, data={"csrf_token": token, **data})).status_code
            for path, data in (
                (f"{SESSION}/edit", session_form(title="Hijacked")),
                (f"{SESSION}/cancel", {}),
                (f"{SESSION}/occurrences/{key}/cancel", {}),
                (f"{SESSION}/occurrences/{key}/move", {"date": "2027-03-11", "start": "09:00"}),
            )
        ]
        listing = await other.get(LIST)

    assert pages == [403] * 6
    assert posts == [403] * 4
    assert rows_of(listing, "table") == []
    unchanged = await Session.get(id=session.id)
    assert (unchanged.title, unchanged.status, unchanged.sequence) == (
        "Quantum key distribution roundtable",
        SessionStatus.SCHEDULED,
        0,
    )
    assert await OccurrenceOverride.all().count() == 0


async def test_an_admin_may_edit_any_session(app: Starlette, client: httpx.AsyncClient) -> None:
    await organiser(client)
    await schedule(client)
    async with second_browser(app) as other:
        await person_with_role(other, "admin@example.gov", Role.ADMIN, name="Grace Hopper")

        listing = await other.get(LIST)
        overview = await other.get(SESSION)

    assert [row[0] for row in rows_of(listing, "table")] == ["Quantum key distribution roundtable"]
    assert overview.status_code == 200


async def test_unknown_sessions_are_404(client: httpx.AsyncClient) -> None:
    await organiser(client)

    statuses = [
        (await client.get(f"/organise/sessions/no-such-session{suffix}")).status_code
        for suffix in ("", "/edit", "/attendees", "/attendees.csv", "/cancel")
    ]

    assert statuses == [404] * 5


async def test_a_forged_or_missing_token_is_refused_before_anything_is_looked_up(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)
    await weekly_series(client)
    paths = [
        f"{SESSION}/edit",
        f"{SESSION}/cancel",
        f"{SESSION}/occurrences/2027-03-10T15:00:00Z/cancel",
        f"{SESSION}/occurrences/2027-03-10T15:00:00Z/move",
        "/organise/sessions/no-such-session/occurrences/garbage/cancel",
        NEW,
    ]

    statuses = [
        (await client.post(path, data={"csrf_token": "forged", **session_form()})).status_code
        for path in paths
    ]

    assert statuses == [403] * len(paths)
    assert await OccurrenceOverride.all().count() == 0
    assert [(s.status, s.sequence) for s in await Session.all()] == [(SessionStatus.SCHEDULED, 0)]


# ---------------------------------------------------------------- SEQUENCE


async def test_editing_the_start_raises_sequence_by_one_and_editing_the_title_does_not(
    client: httpx.AsyncClient,
) -> None:
    rosalind = await organiser(client)
    session = await schedule(client)
    created_at_update = session.updated_at

    retitled = await edit(client, title="QKD interoperability roundtable", capacity="60")
    after_title = await Session.get(id=session.id)
    moved = await edit(
        client, title="QKD interoperability roundtable", capacity="60", start="11:00", end="12:30"
    )
    after_move = await Session.get(id=session.id)

    assert [retitled.status_code, moved.status_code] == [303, 303]
    assert (after_title.title, after_title.capacity, after_title.sequence) == (
        "QKD interoperability roundtable",
        60,
        0,
    )
    assert after_title.updated_at > created_at_update
    assert (after_move.starts_at, after_move.ends_at, after_move.sequence) == (
        datetime(2027, 4, 7, 15, 0, tzinfo=UTC),
        datetime(2027, 4, 7, 16, 30, tzinfo=UTC),
        1,
    )
    assert after_move.updated_at > after_title.updated_at
    assert [entry[1:] for entry in (await audit_trail())[1:]] == [
        ("session.updated", "event_session", {"changed": ["title", "capacity"], "sequence": 0}),
        ("session.updated", "event_session", {"changed": ["starts_at", "ends_at"], "sequence": 1}),
    ]
    assert {entry[0] for entry in await audit_trail()} == {rosalind.id}


async def test_changing_the_place_raises_sequence_and_saving_nothing_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)
    session = await schedule(client)

    unchanged = await edit(client)
    relocated = await edit(client, location="NPL Teddington, Bushy House")

    assert [unchanged.status_code, relocated.status_code] == [303, 303]
    saved = await Session.get(id=session.id)
    assert (saved.location, saved.sequence) == ("NPL Teddington, Bushy House", 1)
    assert [entry[1] for entry in await audit_trail()] == ["session.created", "session.updated"]


async def test_the_edit_form_shows_the_session_on_its_own_wall_clock_and_keeps_the_slug(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)
    await weekly_series(client)

    form = page(await client.get(f"{SESSION}/edit"))

    assert (
        form.find(id="date")["value"],
        form.find(id="start")["value"],
        form.find(id="end")["value"],
        form.find(id="recurrence_count")["value"],
        form.find(id="timezone").find("option", selected=True)["value"],
        form.find(id="recurrence-1").has_attr("checked"),
        form.find(id="slug"),
    ) == ("2027-03-03", "10:00", "11:30", "4", "America/New_York", True, None)


async def test_cancelling_an_occurrence_raises_sequence_and_stores_the_override(
    client: httpx.AsyncClient,
) -> None:
    rosalind = await organiser(client)
    session = await weekly_series(client)
    path = f"{SESSION}/occurrences/2027-03-10T15:00:00Z/cancel"

    response = await press(client, path)
    again = await press(client, path)

    assert [response.status_code, again.status_code] == [303, 303]
    saved = await Session.get(id=session.id)
    assert saved.sequence == 1
    assert saved.updated_at > session.updated_at
    overrides = await OccurrenceOverride.filter(session_id=session.id)
    assert [(o.original_start, o.cancelled, o.starts_at, o.ends_at) for o in overrides] == [
        (datetime(2027, 3, 10, 15, 0, tzinfo=UTC), True, None, None)
    ]
    assert (await audit_trail())[1:] == [
        (
            rosalind.id,
            "occurrence.cancelled",
            "event_session",
            {"occurrence": "2027-03-10T15:00:00Z", "sequence": 1},
        )
    ]
    overview = await client.get(SESSION)
    assert rows_of(overview, "#occurrence")[1][1] == "Cancelled"
    assert len(page(overview).select('#occurrence a[href$="/cancel"]')) == 3


async def test_cancelling_an_occurrence_asks_first_naming_the_date_and_who_will_be_told(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)
    session = await weekly_series(client)
    key = "2027-03-10T15:00:00Z"
    for n, (occurrence, status) in enumerate(
        (
            ("", RegistrationStatus.REGISTERED),  # the whole series: this date included
            (key, RegistrationStatus.REGISTERED),
            ("2027-03-17T15:00:00Z", RegistrationStatus.REGISTERED),  # another date
            (key, RegistrationStatus.WAITLISTED),  # no place to lose
        )
    ):
        person = await make_person(f"p{n}@example.org", "P")
        await make_registration(person, session, occurrence_key=occurrence, status=status)
    overview = page(await client.get(SESSION))
    link = overview.select_one(f'#occurrence a[href$="/occurrences/{key}/cancel"]')
    assert link is not None

    question = await client.get(str(link["href"]))

    assert question.status_code == 200
    text = page(question).get_text(" ", strip=True)
    assert "Cancel Wednesday 10 March 2027" in page(question).h1.get_text()  # type: ignore[union-attr]
    assert "2 people registered for this date will be told" in text
    assert not await OccurrenceOverride.exists()  # asking changed nothing
    assert (await Session.get(id=session.id)).sequence == 0


async def test_moving_an_occurrence_keeps_its_length_raises_sequence_and_stores_the_override(
    client: httpx.AsyncClient,
) -> None:
    rosalind = await organiser(client)
    session = await weekly_series(client)
    path = f"{SESSION}/occurrences/2027-03-10T15:00:00Z/move"
    form = page(await client.get(path))

    response = await post_form(client, path, {"date": "2027-03-11", "start": "09:00"})

    assert (form.find(id="date")["value"], form.find(id="start")["value"]) == (
        "2027-03-10",
        "10:00",
    )
    assert response.status_code == 303
    assert response.headers["location"] == SESSION
    assert (await Session.get(id=session.id)).sequence == 1
    overrides = await OccurrenceOverride.filter(session_id=session.id)
    assert [(o.original_start, o.cancelled, o.starts_at, o.ends_at) for o in overrides] == [
        (
            datetime(2027, 3, 10, 15, 0, tzinfo=UTC),
            False,
            datetime(2027, 3, 11, 14, 0, tzinfo=UTC),  # 9am EST
            datetime(2027, 3, 11, 15, 30, tzinfo=UTC),
        )
    ]
    assert (await audit_trail())[-1] == (
        rosalind.id,
        "occurrence.moved",
        "event_session",
        {
            "occurrence": "2027-03-10T15:00:00Z",
            "from": "2027-03-10T15:00:00Z",
            "to": "2027-03-11T14:00:00Z",
            "sequence": 1,
        },
    )
    overview = await client.get(SESSION)
    assert rows_of(overview, "#occurrence")[1][:2] == [
        "Thursday 11 March 2027, 9am EST (London: Thursday 11 March 2027, 2pm GMT)",
        "Moved from Wednesday 10 March 2027, 10am EST",
    ]


async def test_moving_an_occurrence_into_the_past_is_refused(client: httpx.AsyncClient) -> None:
    await organiser(client)
    await weekly_series(client)
    path = f"{SESSION}/occurrences/2027-03-10T15:00:00Z/move"

    response = await post_form(client, path, {"date": "2026-11-01", "start": "09:00"})

    assert response.status_code == 400
    assert field_error(response, "date") == "Error: Choose a date and time in the future"
    assert await OccurrenceOverride.all().count() == 0


async def test_an_occurrence_that_has_taken_place_cannot_be_cancelled_or_moved(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await organiser(client)
    await weekly_series(client)
    clock.advance(days=100)  # 4 March 2027: the first occurrence is over
    path = f"{SESSION}/occurrences/2027-03-03T15:00:00Z"

    overview = await client.get(SESSION)
    cancelled = await press(client, f"{path}/cancel")
    moved = await post_form(client, f"{path}/move", {"date": "2027-03-05", "start": "10:00"})

    assert rows_of(overview, "#occurrence")[0][1] == "Taken place"
    assert len(page(overview).select('#occurrence a[href$="/cancel"]')) == 3
    assert cancelled.status_code == moved.status_code == 400
    assert error_summary(cancelled) == ["This occurrence has already started, so it cannot change"]
    assert field_error(moved, "date") == (
        "Error: This occurrence has already started, so it cannot change"
    )
    assert await OccurrenceOverride.all().count() == 0
    assert (await Session.get(slug="qkd-roundtable")).sequence == 0


async def test_an_occurrence_key_the_rule_does_not_give_is_404(client: httpx.AsyncClient) -> None:
    await organiser(client)
    await weekly_series(client)
    await schedule(client, slug="one-off")

    keys = [
        f"{SESSION}/occurrences/2027-03-10T14:00:00Z",  # an hour off: the rule says 15:00 UTC
        f"{SESSION}/occurrences/2027-03-11T15:00:00Z",  # not a Wednesday
        f"{SESSION}/occurrences/2027-03-31T14:00:00Z",  # after the fourth occurrence
        f"{SESSION}/occurrences/2027-03-10T15:00:00+00:00",  # not the key's exact form
        f"{SESSION}/occurrences/yesterday",
        "/organise/sessions/one-off/occurrences/2027-04-07T14:00:00Z",  # not a series
    ]

    moves = [(await client.get(f"{key}/move")).status_code for key in keys]
    cancels = [(await press(client, f"{key}/cancel")).status_code for key in keys]

    assert moves == [404] * len(keys)
    assert cancels == [404] * len(keys)
    assert await OccurrenceOverride.all().count() == 0


async def test_cancelling_the_session_sets_status_and_cancelled_at_and_raises_sequence(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    rosalind = await organiser(client)
    session = await schedule(client)

    confirmation = await client.get(f"{SESSION}/cancel")
    response = await post_form(client, f"{SESSION}/cancel", {})
    again = await post_form(client, f"{SESSION}/cancel", {}, form_page=SESSION)

    assert page(confirmation).find("button", string="Cancel the session") is not None
    assert [response.status_code, again.status_code] == [303, 303]
    saved = await Session.get(id=session.id)
    assert (saved.status, saved.cancelled_at, saved.sequence) == (
        SessionStatus.CANCELLED,
        clock.now(),
        1,
    )
    assert saved.updated_at > session.updated_at
    assert (await audit_trail())[1:] == [
        (
            rosalind.id,
            "session.cancelled",
            "event_session",
            {"slug": "qkd-roundtable", "sequence": 1},
        )
    ]
    overview = await client.get(SESSION)
    assert "Cancelled" in texts(overview, ".tag")
    assert page(overview).find("a", string="Cancel the whole session") is None
    assert (await client.get(f"{SESSION}/edit")).status_code == 400


# ---------------------------------------------------------------- Daylight saving


async def test_the_daylight_saving_warning_shows_on_17_march_2027_and_not_on_7_april(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)
    # The US moved its clocks on 14 March 2027, the UK moves on 28 March.

    march = await post_form(client, NEW, session_form(date="2027-03-17", action="check"))
    april = await post_form(client, NEW, session_form(date="2027-04-07", action="check"))
    blank = await client.get(NEW)

    assert march.status_code == april.status_code == 200
    assert texts(march, ".warning-text") == [f"Warning: {GAP_WARNING}"]
    assert texts(march, "#chosen-start") == [
        "Starts Wednesday 17 March 2027, 10am EDT (London: Wednesday 17 March 2027, 2pm GMT)"
    ]
    assert texts(april, ".warning-text") == []
    assert texts(april, "#chosen-start") == [
        "Starts Wednesday 7 April 2027, 10am EDT (London: Wednesday 7 April 2027, 3pm BST)"
    ]
    assert texts(blank, ".warning-text") == texts(blank, "#chosen-start") == []
    assert await Session.all().count() == 0

    await schedule(client, date="2027-03-17")
    await schedule(client, date="2027-04-07", slug="april")
    assert texts(await client.get(SESSION), ".warning-text") == [f"Warning: {GAP_WARNING}"]
    assert texts(await client.get("/organise/sessions/april"), ".warning-text") == []


async def test_a_series_warns_when_a_later_occurrence_falls_in_a_week_the_clocks_disagree(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)

    series = await post_form(
        client,
        NEW,
        session_form(date="2027-02-24", recurrence="weekly", recurrence_count="4", action="check"),
    )
    short = await post_form(
        client,
        NEW,
        session_form(date="2027-02-24", recurrence="weekly", recurrence_count="2", action="check"),
    )

    assert texts(series, ".warning-text") == [f"Warning: {GAP_WARNING}"]  # 17 March is the 4th
    assert texts(short, ".warning-text") == []


# ---------------------------------------------------------------- The list and the attendees


async def registrant(
    number: int, name: str, sector: Sector, country: str, organisation: str = ""
) -> Person:
    return await make_person(
        f"person{number}@example.org",
        name,
        organisation=organisation,
        sector=sector,
        country=country,
    )


async def filled_session(client: httpx.AsyncClient) -> Session:
    """A series with three registered people (one twice), two waiting and one who cancelled."""
    session = await weekly_series(client)
    ada = await registrant(1, "Ada Lovelace", Sector.INDUSTRY, "GB", "Analytical Engines Ltd")
    grace = await registrant(
        2, '=HYPERLINK("http://evil.example")', Sector.GOVERNMENT, "US", "+NIST"
    )
    marie = await registrant(3, "Marie Skłodowska-Curie", Sector.ACADEMIA, "FR", "Sorbonne")
    alan = await registrant(4, "Alan Turing", Sector.ACADEMIA, "GB", "@Bletchley")
    chien = await registrant(5, "Chien-Shiung Wu", Sector.ACADEMIA, "", "")
    quitter = await registrant(6, "Quinn Quitter", Sector.OTHER, "US")
    await make_registration(ada, session, status=RegistrationStatus.REGISTERED)
    await make_registration(
        grace, session, status=RegistrationStatus.REGISTERED, occurrence_key="2027-03-17T14:00:00Z"
    )
    await make_registration(
        grace, session, status=RegistrationStatus.REGISTERED, occurrence_key="2027-03-24T14:00:00Z"
    )
    await make_registration(marie, session, status=RegistrationStatus.REGISTERED)
    await make_registration(quitter, session, status=RegistrationStatus.CANCELLED)
    await make_registration(alan, session, status=RegistrationStatus.WAITLISTED)
    await make_registration(chien, session, status=RegistrationStatus.WAITLISTED)
    return session


async def test_the_list_shows_my_sessions_with_counts_and_the_next_occurrence(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    await organiser(client)
    await filled_session(client)
    await schedule(
        client, slug="later", title="Supply chain workshop", kind="workshop", capacity=""
    )
    async with second_browser(app) as other:
        await organiser(other, "chien-shiung@example.gov")
        await schedule(other, slug="not-mine", title="Someone else's briefing")

    listing = await client.get(LIST)

    assert rows_of(listing, "table") == [
        [
            "Quantum key distribution roundtable",
            "Roundtable",
            "Wednesday 3 March 2027, 10am EST (London: Wednesday 3 March 2027, 3pm GMT)",
            "4",
            "40",
            "2",
            "Scheduled",
        ],
        [
            "Supply chain workshop",
            "Workshop",
            "Wednesday 7 April 2027, 10am EDT (London: Wednesday 7 April 2027, 3pm BST)",
            "0",
            "No limit",
            "0",
            "Scheduled",
        ],
    ]
    assert page(listing).find("a", string="Schedule a session")["href"] == NEW


async def test_the_attendee_page_lists_people_and_counts_the_room_by_sector_and_country(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)
    await filled_session(client)

    response = await client.get(f"{SESSION}/attendees")

    assert response.status_code == 200
    assert rows_of(response, "#registered") == [
        [
            "Ada Lovelace",
            "person1@example.org",
            "Analytical Engines Ltd",
            "Industry",
            "United Kingdom",
            "All",
        ],
        [
            '=HYPERLINK("http://evil.example")',
            "person2@example.org",
            "+NIST",
            "Government",
            "United States",
            "Wednesday 17 March 2027, 10am EDT",
        ],
        [
            '=HYPERLINK("http://evil.example")',
            "person2@example.org",
            "+NIST",
            "Government",
            "United States",
            "Wednesday 24 March 2027, 10am EDT",
        ],
        ["Marie Skłodowska-Curie", "person3@example.org", "Sorbonne", "Academia", "France", "All"],
    ]
    assert rows_of(response, "#waitlist") == [
        [
            "1",
            "Alan Turing",
            "person4@example.org",
            "@Bletchley",
            "Academia",
            "United Kingdom",
            "All",
        ],
        ["2", "Chien-Shiung Wu", "person5@example.org", "", "Academia", "", "All"],
    ]
    assert rows_of(response, "#by-sector") == [
        ["Government", "1"],
        ["Academia", "1"],
        ["Industry", "1"],
        ["Civil society", "0"],
        ["Other", "0"],
    ]
    assert rows_of(response, "#by-country") == [
        ["France", "1"],
        ["United Kingdom", "1"],
        ["United States", "1"],
    ]


async def test_the_attendee_csv_has_the_same_rows_and_defuses_formulas(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)
    session = await filled_session(client)
    times = {
        (r.person_id, r.occurrence_key): f"{r.created_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"  # type: ignore[attr-defined]
        for r in await Registration.filter(session_id=session.id)
    }
    ids = {p.display_name: p.id for p in await Person.all()}

    response = await client.get(f"{SESSION}/attendees.csv")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="qkd-roundtable-attendees.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    evil = '=HYPERLINK("http://evil.example")'
    assert rows == [
        [
            "Status",
            "Waitlist position",
            "Name",
            "Email",
            "Organisation",
            "Sector",
            "Country",
            "Occurrence",
            "Registered at (UTC)",
        ],
        [
            "Registered",
            "",
            "Ada Lovelace",
            "person1@example.org",
            "Analytical Engines Ltd",
            "Industry",
            "United Kingdom",
            "all",
            times[ids["Ada Lovelace"], ""],
        ],
        [
            "Registered",
            "",
            "'" + evil,
            "person2@example.org",
            "'+NIST",
            "Government",
            "United States",
            "2027-03-17T14:00:00Z",
            times[ids[evil], "2027-03-17T14:00:00Z"],
        ],
        [
            "Registered",
            "",
            "'" + evil,
            "person2@example.org",
            "'+NIST",
            "Government",
            "United States",
            "2027-03-24T14:00:00Z",
            times[ids[evil], "2027-03-24T14:00:00Z"],
        ],
        [
            "Registered",
            "",
            "Marie Skłodowska-Curie",
            "person3@example.org",
            "Sorbonne",
            "Academia",
            "France",
            "all",
            times[ids["Marie Skłodowska-Curie"], ""],
        ],
        [
            "Waitlisted",
            "1",
            "Alan Turing",
            "person4@example.org",
            "'@Bletchley",
            "Academia",
            "United Kingdom",
            "all",
            times[ids["Alan Turing"], ""],
        ],
        [
            "Waitlisted",
            "2",
            "Chien-Shiung Wu",
            "person5@example.org",
            "",
            "Academia",
            "",
            "all",
            times[ids["Chien-Shiung Wu"], ""],
        ],
    ]


async def test_a_registration_for_a_moved_occurrence_shows_its_new_time(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)
    session = await weekly_series(client)
    ada = await registrant(1, "Ada Lovelace", Sector.INDUSTRY, "GB")
    await make_registration(ada, session, occurrence_key="2027-03-10T15:00:00Z")
    await post_form(
        client,
        f"{SESSION}/occurrences/2027-03-10T15:00:00Z/move",
        {"date": "2027-03-11", "start": "09:00"},
    )

    response = await client.get(f"{SESSION}/attendees.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][7] == "2027-03-11T14:00:00Z"


# ---------------------------------------------------------------- The slot finder


async def test_the_slot_finder_lists_times_by_day_and_links_to_a_prefilled_form(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)

    response = await client.get(
        "/organise/slots?date_from=2027-03-12&date_to=2027-03-15&duration=60"
        "&day_start=09:00&day_end=17:00&zone_one=America/New_York&zone_two=Europe/London"
    )

    assert response.status_code == 200
    days = page(response).select("section .section")
    assert [day["id"] for day in days] == ["day-2027-03-12", "day-2027-03-15"]  # a weekend between
    friday, monday = days
    assert [td.get_text(" ", strip=True) for td in friday.select("tbody tr")[0].select("td")][
        :2
    ] == [
        "Friday 12 March 2027, 9am EST",
        "Friday 12 March 2027, 2pm GMT",
    ]
    assert len(friday.select("tbody tr")) == 5  # 14:00 to 16:00 UTC
    assert len(monday.select("tbody tr")) == 7  # 13:00 to 16:00 UTC: the gap is 4 hours
    assert friday.select(".warning-text") == []
    assert [w.get_text(" ", strip=True) for w in monday.select(".warning-text")] == [
        f"Warning: {GAP_WARNING}"
    ]
    link = monday.select("tbody tr")[0].find("a")["href"]
    assert urlsplit(link).path == NEW
    assert parse_qs(urlsplit(link).query) == {
        "timezone": ["America/New_York"],
        "date": ["2027-03-15"],
        "start": ["09:00"],
        "end": ["10:00"],
    }

    form = page(await client.get(link))

    assert (
        form.find(id="timezone").find("option", selected=True)["value"],
        form.find(id="date")["value"],
        form.find(id="start")["value"],
        form.find(id="end")["value"],
    ) == ("America/New_York", "2027-03-15", "09:00", "10:00")


async def test_the_slot_finder_refuses_a_range_over_92_days_and_a_bad_length(
    client: httpx.AsyncClient,
) -> None:
    await organiser(client)

    response = await client.get(
        "/organise/slots?date_from=2027-01-01&date_to=2027-04-04&duration=5"
    )
    first = await client.get("/organise/slots")

    assert response.status_code == 400
    assert error_summary(response) == [
        "Choose dates at most 92 days apart",
        "Enter the length as a whole number of minutes from 15 to 480",
    ]
    assert first.status_code == 200
    assert page(first).select("section .section") == []
    assert (
        page(first).find(id="date_from")["value"],
        page(first).find(id="duration")["value"],
    ) == (
        "2026-11-24",
        "60",
    )
