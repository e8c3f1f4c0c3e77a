"""Journeys 3 and 4 of SPEC §4 on the demonstration data, in Chromium, with axe on every page.

3: an organiser finds a slot inside working hours in both capitals, sees the four-hour-gap warning,
schedules a weekly session with a capacity, moves it by an hour and cancels one occurrence, and the
session's feed follows (SEQUENCE rises, EXDATE appears).
4: a participant subscribes from a topic page, registers for two sessions, copies the personal feed
URL from the account page and finds the sessions and the deadline of a call with a pending draft in
it; rotating the token kills the old URL.
"""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
from playwright.async_api import Page, expect

from core.timezones import daylight_saving_disagrees
from tests.browser.conftest import assert_accessible
from tests.browser.demo_people import ORGANISER, STAKEHOLDER, sign_in


def next_mismatch_week(after: date) -> tuple[date, date]:
    """Monday to Friday of the next week in which US and UK clocks disagree (from the zone data)."""
    day = after
    while not daylight_saving_disagrees(day) or day.weekday() != 0:
        day += timedelta(days=1)
    return day, day + timedelta(days=4)


async def feed(page: Page, url: str) -> icalendar.Calendar:
    response = await page.request.get(url)
    assert response.status == 200, url
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(await response.body())


def the_event(calendar: icalendar.Calendar) -> icalendar.Event:
    [event] = [e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" not in e]
    return event


async def test_an_organiser_schedules_moves_and_cancels_a_session_in_chromium(
    demo_server: str, browser_page: Page
) -> None:
    page = browser_page
    await sign_in(page, demo_server, *ORGANISER)
    monday, friday = next_mismatch_week(date.today() + timedelta(days=1))

    # The slot finder: times inside working hours in both capitals, and the warning for this week.
    await page.goto(demo_server + "/organise/slots")
    await assert_accessible(page)
    await page.get_by_label("From").fill(monday.isoformat())
    await page.get_by_label("To").fill(friday.isoformat())
    await page.get_by_label("Length of the meeting, in minutes").fill("60")
    await page.get_by_role("button", name="Find times").click()
    await expect(page.get_by_role("main")).to_contain_text("4 hours, not 5")
    await assert_accessible(page)
    await page.get_by_role("link", name="Schedule at this time").first.click()

    # The form arrives prefilled with the slot; schedule a weekly session with 30 places.
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Schedule")
    await page.get_by_label("Title").fill("Transatlantic post-quantum migration clinic")
    await page.get_by_label("Web address").fill("pq-migration-clinic")
    await page.get_by_label("Location").fill("Online and at the British Embassy, Washington DC")
    await page.get_by_label("Places (optional)").fill("30")
    await page.get_by_label("Every week").check()
    await page.get_by_label("Number of occurrences").fill("4")
    await assert_accessible(page)
    await page.get_by_role("button", name="Schedule the session").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Transatlantic post-quantum migration clinic"
    )
    main = page.get_by_role("main")
    await expect(main).to_contain_text("Washington")
    await expect(main).to_contain_text("London")
    await expect(main).to_contain_text("4 hours, not 5")
    await assert_accessible(page)

    ics = f"{demo_server}/sessions/pq-migration-clinic.ics"
    first = the_event(await feed(page, ics))
    assert first["SEQUENCE"] == 0
    start = first.decoded("DTSTART")

    # Later: moved by an hour.
    await page.get_by_role("link", name="Change the session's details").click()
    start_field = page.get_by_label("Start time")
    end_field = page.get_by_label("End time")
    new_start = (start + timedelta(hours=1)).strftime("%H:%M")
    new_end = (first.decoded("DTEND") + timedelta(hours=1)).strftime("%H:%M")
    await start_field.fill(new_start)
    await end_field.fill(new_end)
    await page.get_by_role("button", name="Save details").click()
    moved = the_event(await feed(page, ics))
    assert moved["SEQUENCE"] == 1
    assert moved.decoded("DTSTART") == start + timedelta(hours=1)
    assert moved["UID"] == first["UID"]

    # Then one occurrence is cancelled: the series gets an EXDATE and a higher SEQUENCE.
    await page.goto(f"{demo_server}/organise/sessions/pq-migration-clinic")
    await page.get_by_role("button", name="Cancel this occurrence").nth(1).click()
    # Asked first, naming the date, before anything changes.
    await assert_accessible(page)
    assert (await page.locator("h1").inner_text()).startswith("Cancel ")
    await page.get_by_role("button", name="Cancel this date").click()
    await assert_accessible(page)
    series = the_event(await feed(page, ics))
    assert series["SEQUENCE"] == 2
    exdate_lines = series["EXDATE"] if isinstance(series["EXDATE"], list) else [series["EXDATE"]]
    exdates = [when.dt for line in exdate_lines for when in line.dts]
    assert exdates == [start + timedelta(hours=1, days=7)]


async def test_a_participant_subscribes_registers_and_follows_a_personal_feed_in_chromium(
    demo_server: str, browser_page: Page
) -> None:
    page = browser_page
    await sign_in(page, demo_server, *STAKEHOLDER)

    # Subscribe links on a topic page.
    await page.goto(demo_server + "/topics/standards")
    await assert_accessible(page)
    subscribe = page.locator("#subscribe")
    assert (
        await subscribe.get_by_role("link", name="Subscribe", exact=True).get_attribute("href")
    ).startswith("webcal://")
    google = await subscribe.get_by_role("link", name="Subscribe in Google Calendar").get_attribute(
        "href"
    )
    assert google.startswith("https://calendar.google.com/calendar/r?cid=webcal")

    # Registers for two sessions with places left.
    registered: list[str] = []
    await page.goto(demo_server + "/sessions/")
    await assert_accessible(page)
    links = await page.locator(".card__title a").evaluate_all(
        "(as) => as.map(a => a.getAttribute('href'))"
    )
    for href in links:
        await page.goto(demo_server + href)
        button = page.get_by_role("button", name="Register", exact=True)
        if not await button.count():
            continue
        await button.first.click()
        await expect(page.get_by_role("main")).to_contain_text("You are registered")
        registered.append(href.rsplit("/", 1)[-1])
        if len(registered) == 2:
            break
    assert len(registered) == 2
    await assert_accessible(page)

    # A draft response to an open call puts that call's deadline in the personal feed.
    await page.goto(demo_server + "/calls/?status=open")
    call_link = page.locator(".card__title a").first
    call_title = (await call_link.inner_text()).strip()
    await call_link.click()
    await page.get_by_role("button", name="Respond to this call").click()
    await page.get_by_role("button", name="Start now").click()
    await page.get_by_role("button", name="Save and come back later").click()

    # Copies the personal feed URL from the account page.
    await page.goto(demo_server + "/account/")
    await page.get_by_role("link", name="Your calendar feed").click()
    await assert_accessible(page)
    old_url = await page.get_by_label("Your calendar address").input_value()
    personal = await feed(page, old_url)
    summaries = {str(e["SUMMARY"]) for e in personal.walk("VEVENT")}
    urls = {str(e.get("URL", "")) for e in personal.walk("VEVENT")}
    for slug in registered:
        assert any(url.endswith(f"/sessions/{slug}") for url in urls), slug
    assert f"Call closes: {call_title}" in summaries

    # Rotating the token kills the old URL.
    await page.get_by_role("button", name="Rotate: create a new address").click()
    await expect(page.get_by_role("status")).to_contain_text("no longer works")
    new_url = await page.get_by_label("Your calendar address").input_value()
    assert new_url != old_url
    assert (await page.request.get(old_url)).status == 404
    assert (await page.request.get(new_url)).status == 200
    await assert_accessible(page)
