"""Who is coming to a session: registered people, the waitlist in order, the balance of the room,
and the same rows as CSV for organisers.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from core.vocabulary import Sector, country_name
from events.models import WHOLE_SERIES, Registration, RegistrationStatus, Session
from events.queries import session_occurrences
from events.sessions import KEY_FORMAT, parse_occurrence_key

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NO_COUNTRY = "Not given"
CSV_HEADER = (
    "Status",
    "Waitlist position",
    "Name",
    "Email",
    "Organisation",
    "Sector",
    "Country",
    "Occurrence",
    "Registered at (UTC)",
)


@dataclass(frozen=True)
class Attendee:
    """One registration as the organiser sees it."""

    person_id: int
    name: str
    email: str
    organisation: str
    sector: Sector
    country: str  # the country's name, or "" when not given
    status: RegistrationStatus
    occurrence_start: datetime | None  # None: the whole session or series; else its current start
    registered_at: datetime
    waitlist_position: int | None = None


@dataclass(frozen=True)
class Attendees:
    registered: list[Attendee]
    waitlist: list[Attendee]
    by_sector: list[tuple[str, int]]  # every sector, in the usual order, zeros included
    by_country: list[tuple[str, int]]  # most first, then by name

    @property
    def people_registered(self) -> int:
        return sum(count for _, count in self.by_sector)


async def attendees_of(session: Session) -> Attendees:
    """The session's registered people and waitlist in the order they registered, and the balance
    of the registered people (each person counted once, however many occurrences they chose).
    """
    registrations = (
        await Registration.filter(
            session_id=session.id,
            status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED],
        )
        .select_related("person")
        .order_by("created_at", "id")
    )
    # A moved occurrence is shown at its new time; registrations name it by its original start.
    current = {o.original_start: o.starts_at for o in await session_occurrences(session)}
    registered: list[Attendee] = []
    waitlist: list[Attendee] = []
    for registration in registrations:
        if registration.status == RegistrationStatus.REGISTERED:
            registered.append(_attendee(registration, current))
        else:
            waitlist.append(_attendee(registration, current, position=len(waitlist) + 1))
    people = {a.person_id: a for a in registered}.values()
    sectors = Counter(a.sector for a in people)
    countries = Counter(a.country or NO_COUNTRY for a in people)
    return Attendees(
        registered=registered,
        waitlist=waitlist,
        by_sector=[(sector.label, sectors[sector]) for sector in Sector],
        by_country=sorted(countries.items(), key=lambda item: (-item[1], item[0])),
    )


def _attendee(
    registration: Registration, current: dict[datetime, datetime], position: int | None = None
) -> Attendee:
    person = registration.person
    original = (
        None
        if registration.occurrence_key == WHOLE_SERIES
        else parse_occurrence_key(registration.occurrence_key)
    )
    return Attendee(
        person_id=person.id,
        name=person.display_name,
        email=person.email,
        organisation=person.organisation,
        sector=Sector(person.sector),
        country=country_name(person.country),
        status=RegistrationStatus(registration.status),
        occurrence_start=current.get(original, original) if original else None,
        registered_at=registration.created_at,
        waitlist_position=position,
    )


def csv_cell(value: object) -> str:
    """The value as CSV text that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def attendees_csv(attendees: Attendees) -> str:
    """Registered people then the waitlist, one row each, under a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for attendee in [*attendees.registered, *attendees.waitlist]:
        writer.writerow(
            [
                csv_cell(value)
                for value in (
                    attendee.status.value.capitalize(),
                    attendee.waitlist_position or "",
                    attendee.name,
                    attendee.email,
                    attendee.organisation,
                    attendee.sector.label,
                    attendee.country,
                    _utc(attendee.occurrence_start) if attendee.occurrence_start else "all",
                    _utc(attendee.registered_at),
                )
            ]
        )
    return buffer.getvalue()


def _utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime(KEY_FORMAT)
