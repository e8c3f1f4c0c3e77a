"""iTIP (RFC 5546) calendars for mail: an invitation, update or cancellation for one attendee.

Pure: plain data in, bytes out, no I/O. The session is the same `SessionEntry` the feeds render
(`events.feeds`), written by the same code in `events.ical` (VEVENTs, RRULE/EXDATE/RECURRENCE-ID,
VTIMEZONEs with one block per change of offset), so a message and a feed agree on the UID, the
SEQUENCE, the times and the DTSTAMP (the session's `updated_at`): a client that has both sees one
event.

- `invitation`: METHOD:REQUEST. An update is the same thing sent again once the session's SEQUENCE
  has risen (any change of time, place or status raises it); clients replace what they hold.
- `cancellation`: METHOD:CANCEL, every VEVENT STATUS:CANCELLED, for the whole session or series
  (or for the one date a single-date `SessionEntry` stands for, with its own UID). Send it with
  the SEQUENCE the cancellation gave the session.
- `dates_cancellation`: METHOD:CANCEL of some dates of a series only (RFC 5546 §3.2.5): one VEVENT
  per date with the series' UID and the date's RECURRENCE-ID, no RRULE, so a client removes those
  dates and keeps the others.

`message` writes several entries under one METHOD: the grouped update one person gets when a
change touches several dates they registered for one by one (`events.invitation_mail`).

The attendee is registered, so PARTSTAT=ACCEPTED and RSVP=FALSE: clients add the event without
asking them to answer. `calendar_attachment` turns the bytes into the `text/calendar` part
`core.notifications.transport.build_message` attaches, its `method` parameter read from the body's METHOD.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from email.utils import parseaddr

from icalendar import Calendar

from core.notifications.transport import Attachment
from events.ical import Attendee, CalendarFeed, Organizer, SessionEntry, calendar_bytes

SITE = "QIST Consult"
FILENAME = "invite.ics"
METHODS = frozenset({"REQUEST", "CANCEL"})


def organizer_for(sender: str) -> Organizer:
    """The ORGANIZER of every message: the service's sender address (e.g. `MAIL_FROM`, "QIST
    Consult <no-reply@consult.example.gov>"), named "QIST Consult", as in the feeds."""
    address = parseaddr(sender)[1]
    if "@" not in address:
        raise ValueError(f"not a mail address: {sender!r}")
    return Organizer(address, SITE)


def invitation(entry: SessionEntry, organizer: Organizer, attendee: Attendee) -> bytes:
    """METHOD:REQUEST for `attendee`: a first invitation, or an update at a higher SEQUENCE."""
    return message("REQUEST", (entry,), organizer, attendee)


def cancellation(entry: SessionEntry, organizer: Organizer, attendee: Attendee) -> bytes:
    """METHOD:CANCEL for `attendee`: the session (or series) and every moved occurrence of it,
    STATUS:CANCELLED, with the same UID."""
    return message("CANCEL", (cancelled(entry),), organizer, attendee)


def cancelled(entry: SessionEntry) -> SessionEntry:
    """The entry as a CANCEL writes it: every VEVENT STATUS:CANCELLED."""
    return replace(entry, cancelled=True)


def dates_cancelled(series: SessionEntry, original_starts: Iterable[datetime]) -> SessionEntry:
    """The series entry as a CANCEL of those dates only writes it (RECURRENCE-ID each)."""
    return replace(series, instances=tuple(sorted(original_starts)))


def message(
    method: str, entries: Sequence[SessionEntry], organizer: Organizer, attendee: Attendee
) -> bytes:
    """One iTIP calendar: `entries` (each a UID, with its moved or cancelled dates) under `method`."""
    if method not in METHODS:
        raise ValueError(f"not an iTIP REQUEST or CANCEL: {method!r}")
    if not entries:
        raise ValueError("an iTIP message needs at least one event")
    feed = CalendarFeed(
        name=entries[0].title,
        description=entries[0].title,
        organizer=organizer,
        sessions=tuple(entries),
        method=method,
        attendees=(attendee,),
    )
    return calendar_bytes(feed)


def calendar_attachment(data: bytes) -> Attachment:
    """The mail part for an iTIP calendar: `text/calendar; charset=utf-8; method=...`, its method
    the body's METHOD (clients that see them differ may ignore the invitation)."""
    method = str(Calendar.from_ical(data).get("METHOD", "")).upper()
    if method not in METHODS:
        raise ValueError(f"not an iTIP REQUEST or CANCEL: METHOD {method!r}")
    return Attachment(FILENAME, "text/calendar", data, {"charset": "utf-8", "method": method})
