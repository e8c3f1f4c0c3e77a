"""Public session pages: the list, one session, registering through the page, calendar links,
one's own sessions and the personal calendar address."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
from bs4 import BeautifulSoup
from starlette.applications import Starlette

from core.clock import FixedClock
from core.models import Person
from core.vocabulary import Role
from events.models import (
    OccurrenceOverride,
    Recurrence,
    Registration,
    RegistrationStatus,
    SessionKind,
    SessionStatus,
    Visibility,
)
from events.registrations import register
from events.tokens import person_for_calendar_token
from tests.conftest import START
from tests.factories import (
    FIRST_DATE,
    make_person,
    make_registration,
    make_session,
    make_topic,
    verified_stakeholder,
)
from tests.support import csrf_from, page, post_form

DST_WARNING = "In this week the time difference between Washington and London is 4 hours, not 5."
MEETING_LINK = "https://meet.example.org/qist-standards-7731"


@asynccontextmanager
async def another_browser(
    app: Starlette, host: str = "203.0.113.20"
) -> AsyncIterator[httpx.AsyncClient]:
    """A second person's browser: its own cookies, its own address."""
    transport = httpx.ASGITransport(app=app, client=(host, 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def listed(response: httpx.Response) -> list[tuple[str, str]]:
    """(session slug, start instant) of each card, in page order."""
    cards = page(response).select(".card")
    return [
        (
            card.select_one(".card__title a")["href"].split("#")[0].rsplit("/", 1)[-1],
            card.select_one(".card__text time")["datetime"],
        )
        for card in cards
    ]


async def test_the_list_expands_a_weekly_series_leaves_out_a_cancelled_date_and_shows_a_moved_one(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    series = await make_session("weekly-dialogue", recurrence=Recurrence.WEEKLY, count=4)
    await OccurrenceOverride.create(
        session=series, original_start=FIRST_DATE + timedelta(weeks=1), cancelled=True
    )
    await OccurrenceOverride.create(
        session=series,
        original_start=FIRST_DATE + timedelta(weeks=2),
        starts_at=datetime(2026, 12, 16, 16, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 16, 17, 30, tzinfo=UTC),
    )
    await make_session("standards-roundtable", starts_at=datetime(2026, 12, 10, 14, 0, tzinfo=UTC))
    await make_session("last-week", starts_at=clock.now() - timedelta(days=7))
    await make_session("called-off", status=SessionStatus.CANCELLED)
    await make_session("private-briefing", visibility=Visibility.INVITATION)
    await make_session("next-spring", starts_at=clock.now() + timedelta(days=91))

    response = await client.get("/sessions/")

    assert listed(response) == [
        ("weekly-dialogue", "2026-12-01T15:00:00+00:00"),
        ("standards-roundtable", "2026-12-10T14:00:00+00:00"),
        ("weekly-dialogue", "2026-12-16T16:00:00+00:00"),
        ("weekly-dialogue", "2026-12-22T15:00:00+00:00"),
    ]
    first = page(response).select_one(".card")
    assert first.select_one(".card__text").get_text(" ", strip=True) == (
        "Tuesday 1 December 2026, 3pm GMT (Washington: Tuesday 1 December 2026, 10am EST)"
    )
    assert "4 sessions in the next 90 days." in response.text


async def test_the_list_filters_by_topic_and_shows_places_left_or_full(
    client: httpx.AsyncClient,
) -> None:
    standards = await make_topic()
    workforce = await make_topic("workforce", "Workforce and skills")
    full = await make_session("standards-roundtable", capacity=1, topics=[standards])
    await make_session(
        "skills-workshop",
        starts_at=FIRST_DATE + timedelta(days=2),
        capacity=20,
        kind=SessionKind.WORKSHOP,
        location="British Embassy, Washington",
        topics=[workforce],
    )
    await register(
        full,
        await make_person("ada@example.org", verified_at=START),
        now=FIRST_DATE - timedelta(days=1),
    )

    everything = await client.get("/sessions/")
    skills = await client.get("/sessions/?topic=workforce")

    assert [slug for slug, _ in listed(everything)] == ["standards-roundtable", "skills-workshop"]
    assert [slug for slug, _ in listed(skills)] == ["skills-workshop"]
    metas = [c.get_text(" ", strip=True) for c in page(everything).select(".card .card__meta")]
    assert metas == [
        "Roundtable Standards",
        "Place to be announced · Full – join the waitlist",
        "Workshop Workforce and skills",
        "British Embassy, Washington · 20 places left",
    ]
    assert "1 session in the next 90 days on Workforce and skills." in skills.text
    # An unknown topic is ignored, not an error.
    assert len(listed(await client.get("/sessions/?topic=nonsense"))) == 2


async def test_invitation_only_sessions_are_unlisted_and_404_except_for_their_team_and_invitees(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    session = await make_session(
        "bilateral-dialogue",
        title="Roundtable on quantum standards",
        visibility=Visibility.INVITATION,
    )
    path = f"/sessions/{session.slug}"

    assert (await client.get(path)).status_code == 404  # a visitor
    stranger = await verified_stakeholder(client, "stranger@example.org", clock.now())
    assert (await client.get(path)).status_code == 404
    assert listed(await client.get("/sessions/")) == []
    assert (await client.post(f"{path}/register", data={"csrf_token": "x"})).status_code == 403

    async with another_browser(app) as team_browser:
        organiser = await verified_stakeholder(team_browser, "organiser@example.gov", clock.now())
        await Person.filter(id=organiser.id).update(role=Role.ORGANISER)
        await session.team.add(organiser)
        seen_by_team = await team_browser.get(path)
    await make_registration(stranger, session)  # invited by the organisers
    seen_by_invitee = await client.get(path)

    assert seen_by_team.status_code == seen_by_invitee.status_code == 200
    assert page(seen_by_invitee).find("h1").get_text() == "Roundtable on quantum standards"
    assert "Invitation only" in seen_by_invitee.text


async def test_the_online_link_is_shown_only_after_registering(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    session = await make_session(online_url=MEETING_LINK)
    path = f"/sessions/{session.slug}"

    as_visitor = await client.get(path)
    await verified_stakeholder(client, "ada@example.org", clock.now())
    before = await client.get(path)
    registered = await post_form(client, f"{path}/register", {}, form_page=path)
    after = await client.get(path)

    for response in (as_visitor, before):
        assert MEETING_LINK not in response.text
        assert page(response).select_one("#online-link").get_text(strip=True) == (
            "Shown here once you have registered."
        )
    assert registered.status_code == 303 and registered.headers["location"] == path
    link = page(after).select_one("#online-link a")
    assert link is not None and link["href"] == MEETING_LINK
    assert after.headers["cache-control"] == "private, no-store"


async def test_registering_and_cancelling_through_the_page(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    session = await make_session(capacity=1)
    path = f"/sessions/{session.slug}"
    ada = await verified_stakeholder(client, "ada@example.org", clock.now())
    bob = await make_person("bob@example.org", verified_at=START)

    form_page = page(await client.get(path))
    assert form_page.select_one("#places").get_text(strip=True) == "1 place, 1 left"
    assert form_page.select_one("#register button").get_text(strip=True) == "Register"
    await post_form(client, f"{path}/register", {}, form_page=path)
    registered = page(await client.get(path))
    await register(session, bob, now=clock.now())  # the waitlist
    cancelled = await post_form(client, f"{path}/cancel", {}, form_page=path)
    after = page(await client.get(path))

    assert registered.select_one(".notification-banner--success").get_text(strip=True) == (
        "You are registered for “Roundtable on quantum standards”."
    )
    assert registered.select_one("#register .inset-text").get_text(" ", strip=True) == (
        "Registered You are registered."
    )
    assert registered.select_one("#register button").get_text(strip=True) == (
        "Cancel my registration"
    )
    assert cancelled.status_code == 303
    assert after.select_one(".notification-banner--success").get_text(strip=True) == (
        "Your registration for “Roundtable on quantum standards” has been cancelled."
    )
    assert after.select_one("#register button").get_text(strip=True) == "Join the waitlist"
    assert after.select_one("#places").get_text(strip=True) == "1 place, none left"
    rows = {r.person_id: r.status for r in await Registration.filter(session_id=session.id)}
    assert rows == {ada.id: RegistrationStatus.CANCELLED, bob.id: RegistrationStatus.REGISTERED}


async def test_an_unverified_person_is_refused_with_a_clear_message(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    session = await make_session()
    path = f"/sessions/{session.slug}"
    await verified_stakeholder(client, "new.comer@example.org", clock.now())
    await Person.filter(email="new.comer@example.org").update(verified_at=None)
    message = "Confirm your email address before you register: use the link we emailed you."

    shown = page(await client.get(path))
    refused = await client.post(
        f"{path}/register", data={"csrf_token": csrf_from(await client.get(path))}
    )

    assert shown.select_one("#barrier").get_text(strip=True) == message
    assert shown.select("#register form") == []
    assert refused.status_code == 403
    assert page(refused).select_one("#problem").get_text(strip=True) == message
    assert await Registration.all().count() == 0


async def test_a_cancelled_session_says_so_and_offers_no_registration(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    session = await make_session(status=SessionStatus.CANCELLED)
    path = f"/sessions/{session.slug}"
    await verified_stakeholder(client, "ada@example.org", clock.now())

    shown = page(await client.get(path))
    refused = await client.post(
        f"{path}/register", data={"csrf_token": csrf_from(await client.get(path))}
    )

    assert shown.select_one("#cancelled-title").get_text(strip=True) == (
        "This session has been cancelled"
    )
    assert shown.select("#register form") == []
    assert refused.status_code == 403
    assert page(refused).select_one("#problem").get_text(strip=True) == (
        "This session has been cancelled, so you cannot register for it."
    )


async def test_a_series_page_lists_every_date_with_its_own_register_button(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    series = await make_session(
        "weekly-dialogue", capacity=1, recurrence=Recurrence.WEEKLY, count=3
    )
    await OccurrenceOverride.create(
        session=series, original_start=FIRST_DATE + timedelta(weeks=1), cancelled=True
    )
    await register(
        series,
        await make_person("bob@example.org", verified_at=START),
        "2026-12-15T15:00:00Z",
        now=clock.now(),
    )
    await verified_stakeholder(client, "ada@example.org", clock.now())

    html = page(await client.get(f"/sessions/{series.slug}"))

    rows = html.select("#dates ~ table tbody tr")
    assert [r["id"] for r in rows] == [
        "date-2026-12-01T15:00:00Z",
        "date-2026-12-08T15:00:00Z",
        "date-2026-12-15T15:00:00Z",
    ]
    assert [r.select("td")[1].get_text(strip=True) for r in rows] == ["1", "None", "Full"]
    assert [r.select_one("td:last-child").get_text(" ", strip=True) for r in rows] == [
        "Register for Tuesday 1 December 2026, 3pm GMT",
        "",
        "Join the waitlist for Tuesday 15 December 2026, 3pm GMT",
    ]
    assert [i["value"] for i in rows[0].select("input[name=occurrence]")] == [
        "2026-12-01T15:00:00Z"
    ]
    assert html.select_one("#register button").get_text(strip=True) == "Join the waitlist"


async def test_the_dst_warning_shows_for_a_date_on_2027_03_17_and_not_on_2027_04_07(
    client: httpx.AsyncClient,
) -> None:
    await make_session("march", starts_at=datetime(2027, 3, 17, 15, 0, tzinfo=UTC))
    await make_session("april", starts_at=datetime(2027, 4, 7, 14, 0, tzinfo=UTC))

    march = page(await client.get("/sessions/march"))
    april = page(await client.get("/sessions/april"))

    assert march.select_one("#when .warning-text").get_text(" ", strip=True) == (
        f"Warning: {DST_WARNING}"
    )
    assert (
        march.select_one("#when")
        .get_text(" ", strip=True)
        .startswith(
            "Wednesday 17 March 2027, 3pm GMT (Washington: Wednesday 17 March 2027, 11am EDT)"
        )
    )
    assert april.select_one(".warning-text") is None
    assert DST_WARNING not in april.get_text()
    assert april.select_one("#when").get_text(" ", strip=True) == (
        "Wednesday 7 April 2027, 3pm BST (Washington: Wednesday 7 April 2027, 10am EDT)"
    )


async def test_add_to_calendar_links_are_correctly_encoded(client: httpx.AsyncClient) -> None:
    title = "Q&A #1: Café für Qubits ☕🇺🇸🇬🇧 50% + more"
    await make_session(
        "q-and-a",
        title=title,
        starts_at=datetime(2027, 3, 17, 15, 0, tzinfo=UTC),
        location="Lancaster House, London SW1A 1BB",
        online_url=MEETING_LINK,
        description="Open questions & answers on *standards*.\n\nSecond paragraph.",
    )

    html = page(await client.get("/sessions/q-and-a"))

    google = urlsplit(html.select_one("#add-google")["href"])
    outlook = urlsplit(html.select_one("#add-outlook")["href"])
    assert (google.scheme, google.netloc, google.path) == (
        "https",
        "calendar.google.com",
        "/calendar/render",
    )
    assert (outlook.netloc, outlook.path) == ("outlook.live.com", "/calendar/0/deeplink/compose")
    details = "Open questions & answers on *standards*.\n\nhttp://testserver/sessions/q-and-a"
    place = "Lancaster House, London SW1A 1BB, and online"
    assert parse_qs(google.query, strict_parsing=True) == {
        "action": ["TEMPLATE"],
        "text": [title],
        "dates": ["20270317T150000Z/20270317T163000Z"],
        "details": [details],
        "location": [place],
    }
    assert parse_qs(outlook.query, strict_parsing=True) == {
        "subject": [title],
        "startdt": ["2027-03-17T15:00:00Z"],
        "enddt": ["2027-03-17T16:30:00Z"],
        "body": [details],
        "location": [place],
    }
    # Nothing is left raw: no fragment, spaces as %20 (Outlook shows "+" literally).
    assert google.fragment == outlook.fragment == ""
    assert "+" not in google.query and "+" not in outlook.query
    assert MEETING_LINK not in google.query + outlook.query
    assert html.select_one("#add-ics")["href"] == "http://testserver/sessions/q-and-a.ics"


def subscribe_links(html: BeautifulSoup) -> dict[str, str]:
    return {a.get_text(strip=True): a["href"] for a in html.select("#subscribe a")}


async def test_the_topic_page_lists_its_upcoming_sessions_and_subscribe_links(
    client: httpx.AsyncClient,
) -> None:
    standards = await make_topic()
    await make_session("standards-roundtable", topics=[standards])
    await make_session("unrelated-webinar", kind=SessionKind.WEBINAR)

    html = page(await client.get("/topics/standards"))

    assert [a["href"] for a in html.select("#sessions + ul .card__title a")] == [
        "/sessions/standards-roundtable"
    ]
    links = subscribe_links(html)
    feed = "http://testserver/calendar/topics/standards.ics"
    assert links["Subscribe"] == "webcal://testserver/calendar/topics/standards.ics"
    google = urlsplit(links["Subscribe in Google Calendar"])
    assert (google.netloc, google.path) == ("calendar.google.com", "/calendar/r")
    assert parse_qs(google.query) == {"cid": ["webcal://testserver/calendar/topics/standards.ics"]}
    outlook = urlsplit(links["Subscribe in Outlook.com"])
    assert (outlook.netloc, outlook.path) == ("outlook.live.com", "/calendar/0/addfromweb")
    assert parse_qs(outlook.query) == {"url": [feed], "name": ["QIST Consult: Standards"]}


async def test_the_sessions_page_subscribes_to_everything_or_to_the_chosen_topic(
    client: httpx.AsyncClient,
) -> None:
    await make_topic()

    everything = subscribe_links(page(await client.get("/sessions/")))
    standards = subscribe_links(page(await client.get("/sessions/?topic=standards")))

    assert everything["Subscribe"] == "webcal://testserver/calendar/all.ics"
    assert standards["Subscribe"] == "webcal://testserver/calendar/topics/standards.ics"


async def test_the_home_page_lists_the_next_sessions(client: httpx.AsyncClient) -> None:
    await make_session("weekly-dialogue", recurrence=Recurrence.WEEKLY, count=10)

    html = page(await client.get("/"))

    titles = html.select("#upcoming-sessions + ul .card__title a")
    assert len(titles) == 5
    assert titles[0]["href"] == "/sessions/weekly-dialogue#date-2026-12-01T15:00:00Z"


async def test_my_sessions_lists_upcoming_registrations_with_a_cancel_button_each(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    ada = await verified_stakeholder(client, "ada@example.org", clock.now())
    later = await make_session("later-workshop", starts_at=FIRST_DATE + timedelta(days=7))
    sooner = await make_session("sooner-roundtable", capacity=1)
    over = await make_session("last-week", starts_at=clock.now() - timedelta(days=7))
    await register(sooner, await make_person("bob@example.org", verified_at=START), now=clock.now())
    await register(later, ada, now=clock.now())
    await register(sooner, ada, now=clock.now())  # full: the waitlist
    await make_registration(ada, over)

    html = page(await client.get("/account/sessions"))

    cards = html.select(".card")
    assert [c.select_one(".card__title a")["href"] for c in cards] == [
        "/sessions/sooner-roundtable",
        "/sessions/later-workshop",
    ]
    assert [c.select_one(".tag").get_text() for c in cards] == ["On the waitlist", "Registered"]
    assert [c.select_one("button").get_text(strip=True) for c in cards] == [
        "Leave the waitlist",
        "Cancel my registration",
    ]
    cancel = cards[1].select_one("form")
    token = cancel.select_one("input[name=csrf_token]")["value"]
    response = await client.post(cancel["action"], data={"csrf_token": token, "back": "account"})
    assert response.status_code == 303 and response.headers["location"] == "/account/sessions"
    entry = await Registration.get(session_id=later.id, person_id=ada.id)
    assert (entry.status, entry.cancelled_at) == (RegistrationStatus.CANCELLED, clock.now())
    assert [a["href"] for a in page(await client.get("/account/")).select("main a")][-2:] == [
        "/account/sessions",
        "/account/calendar",
    ]


async def test_rotating_the_calendar_token_changes_the_address_and_kills_the_old_one(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    ada = await verified_stakeholder(client, "ada@example.org", clock.now())
    prefix, suffix = "http://testserver/calendar/me/", ".ics"

    first = page(await client.get("/account/calendar"))
    address = first.select_one("input#feed-url")
    assert first.select_one("label[for=feed-url]").get_text(strip=True) == ("Your calendar address")
    assert address.has_attr("readonly") and address["value"].startswith(prefix)
    old_token = address["value"].removeprefix(prefix).removesuffix(suffix)
    assert (await person_for_calendar_token(old_token)).id == ada.id
    assert (
        subscribe_links_on(first)["Subscribe"] == f"webcal://testserver/calendar/me/{old_token}.ics"
    )

    rotated = await post_form(client, "/account/calendar", {})
    second = page(await client.get("/account/calendar"))

    assert rotated.status_code == 303 and rotated.headers["location"] == "/account/calendar"
    assert (
        second.select_one(".notification-banner--success")
        .get_text(strip=True)
        .startswith("Your old calendar address no longer works")
    )
    new_token = second.select_one("input#feed-url")["value"].removeprefix(prefix)[: -len(suffix)]
    assert new_token != old_token
    assert await person_for_calendar_token(old_token) is None
    assert (await person_for_calendar_token(new_token)).id == ada.id
    assert (await client.get(f"/calendar/me/{old_token}.ics")).status_code == 404


def subscribe_links_on(html: BeautifulSoup) -> dict[str, str]:
    return {a.get_text(strip=True): a["href"] for a in html.select("main li a")}


async def test_a_malformed_date_or_return_page_is_a_400_that_changes_nothing(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    session = await make_session()
    path = f"/sessions/{session.slug}"
    await verified_stakeholder(client, "ada@example.org", clock.now())
    token = csrf_from(await client.get(path))

    bad_date = await client.post(
        f"{path}/register", data={"csrf_token": token, "occurrence": "next tuesday"}
    )
    bad_back = await client.post(
        f"{path}/register", data={"csrf_token": token, "back": "https://evil.example"}
    )

    assert bad_date.status_code == bad_back.status_code == 400
    assert "That date is not part of this session." in page(bad_date).get_text()
    assert "Go back to the session's page and try again." in page(bad_back).get_text()
    assert await Registration.all().count() == 0


async def test_account_pages_of_sessions_need_signing_in(client: httpx.AsyncClient) -> None:
    for path in ("/account/sessions", "/account/calendar"):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/account/signin?next={path}"
