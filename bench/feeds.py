"""Calendar feeds: a warm topic feed over HTTP against a plain endpoint serving the same bytes,
the 304 revalidation path, and a cold build against a straightforward `icalendar` build.

    .venv/bin/python -m bench.feeds [--events 200] [--cold-events 1000] [--clients 32] [--seconds 10]

Builds a PostgreSQL database with a topic of `--events` sessions (a third of them in New York, the
rest in London) and another of `--cold-events`. Then:

1. **warm**: the app (one uvicorn process) serves `/calendar/topics/{slug}.ics` to `--clients`
   closed-loop clients; the baseline is a Starlette endpoint in another uvicorn process answering
   with the very same bytes from memory (`bench.baselines`). Target: >= 0.9 of its throughput.
2. **304**: the same clients send `If-None-Match` with the feed's ETag and get 304 Not Modified.
   **Compression**: the same feed asked for with `Accept-Encoding: gzip`: its bytes, and its
   requests per second against the plain ones.
3. **cold**: in this process, the whole build of the 1,000-event feed as a request with an empty
   cache runs it (fingerprint query, rows, entries, iCalendar bytes) against the straightforward
   way: query the sessions and their topics with the ORM and add one `icalendar.Event` per
   session with the same properties (UID, DTSTAMP, LAST-MODIFIED, SUMMARY, DESCRIPTION, URL,
   ORGANIZER, SEQUENCE, DTSTART, DTEND, LOCATION, CATEGORIES, STATUS), with the VTIMEZONEs
   `icalendar` generates. Target: no slower. Median of 5 runs each, alternating.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from icalendar import Calendar, Event, vCalAddress, vText
from tortoise import Tortoise

from base.settings import load_settings
from bench.harness import (
    Client,
    app_environment,
    closed_loop,
    machine,
    ms,
    percentile,
    scratch_database,
    served,
    verdict,
)
from config.database import tortoise_config
from core.models import Topic
from events.feeds import feed_calendar, topic_feed
from events.ical import calendar_bytes
from events.models import Session

ZONES = ("Europe/London", "America/New_York")


PLAIN = {"Accept-Encoding": "identity"}  # httpx asks for gzip unless told otherwise
GZIP = {"Accept-Encoding": "gzip"}


async def seed(topic_slug: str, count: int, now: datetime) -> None:
    topic = await Topic.create(slug=topic_slug, name=f"Topic of {count} sessions")
    sessions = [
        Session(
            slug=f"{topic_slug}-session-{n}",
            title=f"Quantum standards roundtable {n}",
            description="A working session of the US–UK partnership on quantum standards. " * 3,
            starts_at=now + timedelta(days=1 + n % 300, hours=n % 7),
            ends_at=now + timedelta(days=1 + n % 300, hours=n % 7 + 1),
            timezone=ZONES[1] if n % 3 == 0 else ZONES[0],
            location="NPL, Teddington" if n % 2 else "",
            online_url="https://meet.example.org/qist" if n % 2 == 0 else "",
        )
        for n in range(count)
    ]
    await Session.bulk_create(sessions, batch_size=500)
    created = await Session.filter(slug__startswith=f"{topic_slug}-session-")
    for session in created:
        await session.topics.add(topic)


async def straightforward_build(topic_slug: str) -> bytes:
    """What a developer would write first: every session of the topic with its topics, one
    event each with the same properties as ours, and the VTIMEZONEs `icalendar` generates."""
    sessions = (
        await Session.filter(topics__slug=topic_slug)
        .prefetch_related("topics")
        .order_by("starts_at")
    )
    calendar = Calendar()
    calendar.add("prodid", "-//Baseline//EN")
    calendar.add("version", "2.0")
    for session in sessions:
        zone = ZoneInfo(session.timezone)
        url = f"https://consult.example/sessions/{session.slug}"
        event = Event()
        event.add("uid", f"session-{session.id}@baseline")
        event.add("dtstamp", session.updated_at)
        event.add("last-modified", session.updated_at)
        event.add("summary", session.title)
        event.add("description", f"{session.description}\n\n{url}")
        event.add("url", url)
        organizer = vCalAddress("mailto:no-reply@consult.example")
        organizer.params["CN"] = vText("QIST Consult")
        event.add("organizer", organizer)
        event.add("sequence", session.sequence)
        event.add("dtstart", session.starts_at.astimezone(zone))
        event.add("dtend", session.ends_at.astimezone(zone))
        event.add("location", session.location or "Online")
        event.add("categories", [topic.name for topic in session.topics])
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


async def our_cold_build(topic_slug: str, settings_url: str, now: datetime) -> bytes:
    settings = load_settings(
        {"ENV": "test", "DATABASE_URL": settings_url, "SECRET_KEY": "k" * 40}, env_file=None
    )
    source = await topic_feed(topic_slug, now)
    assert source is not None
    return calendar_bytes(await feed_calendar(source, settings, now))


async def cold(database_url: str, topic_slug: str, now: datetime) -> tuple[float, float, int, int]:
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        ours, theirs = [], []
        ours_size = theirs_size = 0
        for _ in range(5):
            began = time.perf_counter()
            ours_size = len(await our_cold_build(topic_slug, database_url, now))
            ours.append(time.perf_counter() - began)
            began = time.perf_counter()
            theirs_size = len(await straightforward_build(topic_slug))
            theirs.append(time.perf_counter() - began)
        return statistics.median(ours), statistics.median(theirs), ours_size, theirs_size
    finally:
        await Tortoise.close_connections()


async def main(args: argparse.Namespace) -> None:
    print(f"Calendar feeds on {machine()}")
    now = datetime.now(UTC).replace(microsecond=0)
    async with scratch_database("feeds") as database_url:
        await Tortoise.init(config=tortoise_config(database_url))
        try:
            await seed("warm", args.events, now)
            await seed("cold", args.cold_events, now)
        finally:
            await Tortoise.close_connections()

        data_dir = Path(tempfile.mkdtemp(prefix="bench-feeds-"))
        environment = app_environment(database_url, "", data_dir)
        path = "/calendar/topics/warm.ics"
        with served("config.asgi:app", environment) as base:
            first = httpx.get(base + path, headers=PLAIN)
            assert first.status_code == 200, first.status_code
            body, etag = first.content, first.headers["etag"]
            events = body.count(b"BEGIN:VEVENT")
            with httpx.stream("GET", base + path, headers=GZIP) as answer:
                gzipped = b"".join(answer.iter_raw())
                assert answer.headers["content-encoding"] == "gzip"

            async def fetch(client: Client, _: int) -> None:
                await client.request("feed", "GET", path, headers=PLAIN)

            async def fetch_gzipped(client: Client, _: int) -> None:
                await client.request("gzip", "GET", path, headers=GZIP)

            async def revalidate(client: Client, _: int) -> None:
                answer = await client.request(
                    "304", "GET", path, headers={**PLAIN, "If-None-Match": etag}
                )
                assert answer.status_code == 304

            warm = await closed_loop(base, fetch, clients=args.clients, seconds=args.seconds)
            compressed = await closed_loop(
                base, fetch_gzipped, clients=args.clients, seconds=args.seconds
            )
            not_modified = await closed_loop(
                base, revalidate, clients=args.clients, seconds=args.seconds
            )
        bytes_dir = Path(tempfile.mkdtemp(prefix="bench-bytes-"))
        (bytes_dir / "warm.ics").write_bytes(body)
        with served(
            "bench.baselines:app", {**environment, "BENCH_BYTES_DIR": str(bytes_dir)}
        ) as base:

            async def plain(client: Client, _: int) -> None:
                await client.request("plain", "GET", "/bytes/warm.ics", headers=PLAIN)

            baseline = await closed_loop(base, plain, clients=args.clients, seconds=args.seconds)

        ours_cold, theirs_cold, ours_size, theirs_size = await cold(database_url, "cold", now)

    ratio = warm.per_second() / baseline.per_second()
    print(
        f"\n1. Warm /calendar/topics/{{slug}}.ics, {events} events, {len(body):,} bytes, "
        f"{args.clients} clients, {args.seconds:.0f} s each"
    )
    for label, load in (
        ("app", warm),
        ("plain bytes (baseline)", baseline),
        ("app, 304", not_modified),
    ):
        latencies = load.all_latencies()
        print(
            f"   {label:<24} {load.per_second():8.0f} req/s   p50 {ms(percentile(latencies, 0.5)):>9}"
            f"   p99 {ms(percentile(latencies, 0.99)):>9}   statuses {load.statuses}"
        )
    print(f"   ratio app / baseline: {ratio:.2f} (target >= 0.90: {verdict(ratio >= 0.9)})")
    print(f"   304 / 200 throughput: {not_modified.per_second() / warm.per_second():.2f}")
    print(
        f"\n2. Compression: {len(body):,} bytes plain, {len(gzipped):,} gzipped "
        f"({len(gzipped) / len(body):.2f} of them); gzip {compressed.per_second():.0f} req/s "
        f"against {warm.per_second():.0f} plain ({compressed.per_second() / warm.per_second():.2f}; "
        "the client inflates each answer on the same cores)"
    )
    cold_ratio = ours_cold / theirs_cold
    print(f"\n3. Cold build of {args.cold_events} events (median of 5)")
    print(f"   ours (query + entries + bytes)   {ms(ours_cold):>10}   {ours_size:,} bytes")
    print(f"   straightforward icalendar build  {ms(theirs_cold):>10}   {theirs_size:,} bytes")
    print(
        f"   ratio ours / straightforward: {cold_ratio:.2f} (target <= 1.00: {verdict(cold_ratio <= 1.0)})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--cold-events", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
    asyncio.run(main(parser.parse_args()))
