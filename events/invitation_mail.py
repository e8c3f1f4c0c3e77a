"""The calendar invitations and waitlist messages a registration holds, written to the outbox.

Each registered place holds the invitation for the session's current SEQUENCE (a REQUEST), and a
cancelled place or session one CANCEL; a promotion off the waitlist holds one "you have a place"
message. The keys name exactly that, so writing them from the change itself (inside its
transaction: `write_for_session`, `write_for_places`) and from the scheduler's jobs (which derive
them afresh on every run, a safety net) never writes one twice.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime

from events.feeds import invitation_entry
from events.ical import Attendee
from events.itip import calendar_attachment, cancellation, invitation, organizer_for
from events.messages import Site, compose
from events.models import Notification, Registration, RegistrationStatus, Session
from events.notify import enqueue
from events.preferences import wants


def invitation_key(place: Registration) -> str:
    """The outbox key of the invitation (or cancellation) `place` should hold now."""
    if place.session.is_cancelled or place.status == RegistrationStatus.CANCELLED:
        return f"cancellation:registration-{place.id}"
    return f"invitation:registration-{place.id}:seq{place.session.sequence}"


def promotion_key(place: Registration) -> str:
    assert place.promoted_at is not None
    return f"promoted:registration-{place.id}:{place.promoted_at.isoformat()}"


async def write_invitations(
    site: Site, places: Sequence[Registration], sessions: dict[int, Session], *, now: datetime
) -> int:
    """The invitation or cancellation each place should hold now and does not yet; how many.

    `places` come with `person` and `session` loaded; `sessions` have `overrides` and `topics`.
    """
    if not places:
        return 0
    organizer = organizer_for(site.settings.mail_from)
    keys = {p.id: invitation_key(p) for p in places}
    existing = set(
        await Notification.filter(key__in=list(keys.values())).values_list("key", flat=True)
    )
    written = 0
    for place in places:
        if keys[place.id] in existing:
            continue
        session = sessions[place.session_id]
        entry = invitation_entry(session, site.settings, place.occurrence_key)
        attendee = Attendee(place.person.email, place.person.display_name)
        cancelled = session.is_cancelled or place.status == RegistrationStatus.CANCELLED
        body = (
            cancellation(entry, organizer, attendee)
            if cancelled
            else invitation(entry, organizer, attendee)
        )
        kind = "session_cancelled" if cancelled else "session_invitation"
        if not wants(place.person.mail_opt_outs, kind):
            continue
        subject = (
            f"Cancelled: {session.title}"
            if cancelled
            else f"{'Updated: ' if session.sequence else ''}Invitation: {session.title}"
        )
        mail = compose(
            site,
            "session_invitation",
            place.person,
            subject,
            kind=kind,
            session=session,
            cancelled=cancelled,
            place_cancelled=place.status == RegistrationStatus.CANCELLED,
            link=site.url(f"/sessions/{session.slug}"),
        )
        mail = replace(mail, attachments=(calendar_attachment(body),))
        written += (
            await enqueue(keys[place.id], kind, mail, due_at=now, person_id=place.person_id)
            is not None
        )
    return written


async def write_promotions(site: Site, places: Sequence[Registration], *, now: datetime) -> int:
    """A "you have a place" message for each place promoted off the waitlist; how many."""
    written = 0
    for place in places:
        mail = compose(
            site,
            "waitlist_promoted",
            place.person,
            f"You have a place: {place.session.title}",
            kind="waitlist_promoted",
            session=place.session,
            link=site.url(f"/sessions/{place.session.slug}"),
        )
        written += (
            await enqueue(
                promotion_key(place),
                "waitlist_promoted",
                mail,
                due_at=now,
                person_id=place.person_id,
            )
            is not None
        )
    return written


async def write_for_places(
    site: Site | None, session_id: int, place_ids: Collection[int], *, now: datetime
) -> int:
    """Inside the transaction that changed these places: their invitations, cancellations and
    promotion messages. `site` None (a caller without mail, such as demo data) writes nothing:
    the scheduler's jobs write them on their next run."""
    if site is None or not place_ids:
        return 0
    places = await Registration.filter(
        id__in=list(place_ids),
        status__in=(RegistrationStatus.REGISTERED, RegistrationStatus.CANCELLED),
    ).select_related("session", "person")
    return await _write(site, session_id, places, now=now)


async def write_for_session(site: Site | None, session_id: int, *, now: datetime) -> int:
    """Inside the transaction that changed a session's time, place or status: what every place
    of it should now hold."""
    if site is None:
        return 0
    places = await Registration.filter(
        session_id=session_id,
        status__in=(RegistrationStatus.REGISTERED, RegistrationStatus.CANCELLED),
    ).select_related("session", "person")
    return await _write(site, session_id, places, now=now)


async def _write(
    site: Site, session_id: int, places: Sequence[Registration], *, now: datetime
) -> int:
    if not places:
        return 0
    sessions = {
        s.id: s for s in await Session.filter(id=session_id).prefetch_related("overrides", "topics")
    }
    written = await write_invitations(site, places, sessions, now=now)
    promoted = [
        p for p in places if p.promoted_at == now and p.status == RegistrationStatus.REGISTERED
    ]
    return written + await write_promotions(site, promoted, now=now)
