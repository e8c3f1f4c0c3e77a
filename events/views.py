"""Public session pages, registering and cancelling, and one's own sessions and calendar address."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from core.forms import CSRFForm
from core.models import Person, Topic
from core.notifications.compose import Site
from core.queries import topic_by_slug, topics_in_order
from core.templating import SERVICE_NAME
from core.web import (
    RedirectTo,
    bind_form,
    current_person,
    notify,
    now,
    redirect,
    render,
    settings_of,
    signed_in_person,
)
from events import registrations
from events.links import (
    EventDetails,
    EventLinks,
    SubscribeLinks,
    event_links,
    short_details,
    subscribe_links,
)
from events.models import WHOLE_SERIES, Registration, RegistrationStatus, Session
from events.registration_forms import RegistrationForm
from events.registrations import AlreadyRegistered, RegistrationRefused, SessionView
from events.tokens import calendar_token_for, rotate_calendar_token

LISTED_DAYS = 90
HOME_LISTED = 5


def _absolute(request: Request, route: str, **params: str) -> str:
    """The public address (BASE_URL) of a named route, as calendars and other sites need it."""
    return settings_of(request).url_for_path(request.url_for(route, **params).path)


def _topic_subscription(request: Request, topic: Topic) -> SubscribeLinks:
    feed = _absolute(request, "calendar:topic", slug=topic.slug)
    return subscribe_links(feed, f"{SERVICE_NAME}: {topic.name}")


def _all_subscription(request: Request) -> SubscribeLinks:
    return subscribe_links(_absolute(request, "calendar:all"), SERVICE_NAME)


async def topic_sessions(request: Request, topic: Topic) -> dict[str, object]:
    """What a topic's page shows of sessions: its upcoming dates and the topic feed's links."""
    moment = now(request)
    dates = await registrations.upcoming_dates(
        moment, until=moment + timedelta(days=LISTED_DAYS), topic_id=topic.id
    )
    return {"session_dates": dates, "subscribe": _topic_subscription(request, topic)}


async def home_sessions(request: Request) -> dict[str, object]:
    """The next few session dates, for the home page."""
    moment = now(request)
    dates = await registrations.upcoming_dates(
        moment, until=moment + timedelta(days=LISTED_DAYS), limit=HOME_LISTED
    )
    return {"session_dates": dates}


async def session_list(request: Request) -> Response:
    moment = now(request)
    topic_slug = request.query_params.get("topic", "")
    topic = await topic_by_slug(topic_slug) if topic_slug else None
    dates = await registrations.upcoming_dates(
        moment, until=moment + timedelta(days=LISTED_DAYS), topic_id=topic.id if topic else None
    )
    context = {
        "session_dates": dates,
        "topic": topic,
        "topics": await topics_in_order(),
        "days": LISTED_DAYS,
        "subscribe": _topic_subscription(request, topic) if topic else _all_subscription(request),
    }
    return render(request, "events/list.html", context)


async def _session(request: Request) -> Session:
    session = await registrations.visible_session(
        request.path_params["slug"], current_person(request)
    )
    if session is None:
        raise HTTPException(404)
    return session


def _length(session: Session) -> str:
    minutes = int((session.ends_at - session.starts_at).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    parts += [f"{minutes} minute{'s' if minutes != 1 else ''}"] if minutes or not hours else []
    return " ".join(parts)


def _event_links(view: SessionView, page_url: str) -> EventLinks | None:
    """Google and Outlook links for the next date (they hold one event; the .ics file holds all)."""
    date = view.next_date
    if date is None:
        return None
    session = view.session
    details = short_details(session.description, page_url)
    return event_links(
        EventDetails(session.title, date.starts_at, date.ends_at, details, view.place)
    )


async def _detail(
    request: Request, session: Session, *, problem: str | None = None, status: int = 200
) -> Response:
    person = current_person(request)
    view = await registrations.session_view(session, person, now=now(request))
    page_url = _absolute(request, "sessions:detail", slug=session.slug)
    context = {
        "session": session,
        "view": view,
        "length": _length(session),
        "ics_url": _absolute(request, "calendar:session", slug=session.slug),
        "add": _event_links(view, page_url),
        "problem": problem,
    }
    response = render(request, "events/detail.html", context, status=status)
    if person is not None:  # the page shows this person's place, perhaps the online link
        response.headers["Cache-Control"] = "private, no-store"
    return response


async def session_detail(request: Request) -> Response:
    return await _detail(request, await _session(request))


async def _registrant(request: Request) -> tuple[RegistrationForm, Session, Person]:
    """The checked form (CSRF first, whatever the URL), the session and the signed-in person."""
    form = await bind_form(request, RegistrationForm)
    session = await _session(request)
    person = current_person(request)
    if person is None:
        signin = request.url_for("account:signin").path
        target = request.url_for("sessions:detail", slug=session.slug).path
        raise RedirectTo(f"{signin}?next={target}")
    if not form.validate():
        raise HTTPException(400, " ".join(message for _, message in form.error_summary))
    return form, session, person


def _back(request: Request, form: RegistrationForm, session: Session) -> Response:
    if form.back.data == "account":
        return redirect(request, "account:sessions")
    return redirect(request, "sessions:detail", slug=session.slug)


def _registered_notice(session: Session, entry: Registration) -> str:
    what = (
        "one date of" if entry.occurrence_key else ("every date of" if session.is_recurring else "")
    )
    title = f"{what} “{session.title}”".strip()
    if entry.status == RegistrationStatus.WAITLISTED:
        return (
            f"There are no places left, so you are on the waitlist for {title}. "
            "Places that become free go to the waitlist in order."
        )
    return f"You are registered for {title}."


async def register(request: Request) -> Response:
    form, session, person = await _registrant(request)
    try:
        entry = await registrations.register(
            session,
            person,
            form.occurrence.data or WHOLE_SERIES,
            now=now(request),
            site=Site.of(request),
        )
    except AlreadyRegistered as refusal:
        notify(request, refusal.message)
    except RegistrationRefused as refusal:
        return await _detail(request, session, problem=refusal.message, status=403)
    else:
        notify(request, _registered_notice(session, entry))
    return _back(request, form, session)


async def cancel(request: Request) -> Response:
    form, session, person = await _registrant(request)
    outcome = await registrations.cancel_registration(
        session,
        person,
        form.occurrence.data or WHOLE_SERIES,
        now=now(request),
        site=Site.of(request),
    )
    if outcome.registration is None:
        notify(request, "You had no registration to cancel.")
    elif outcome.freed_place:
        notify(request, f"Your registration for “{session.title}” has been cancelled.")
    else:
        notify(request, f"You have left the waitlist for “{session.title}”.")
    return _back(request, form, session)


async def my_sessions(request: Request) -> Response:
    person = signed_in_person(request)
    mine = await registrations.registrations_of(person, now=now(request))
    return render(request, "events/my_sessions.html", {"mine": mine})


async def my_calendar(request: Request) -> Response:
    """The personal feed's address (GET); a new address that kills the old one (POST)."""
    person = signed_in_person(request)
    secret = str(settings_of(request).secret_key)
    if request.method == "POST":
        await bind_form(request, CSRFForm)
        await rotate_calendar_token(secret, person, now=now(request))
        notify(request, "Your old calendar address no longer works. Use the new one below.")
        return redirect(request, "account:calendar")
    token = await calendar_token_for(secret, person)
    feed = _absolute(request, "calendar:personal", token=token)
    context: dict[str, Any] = {
        "feed": feed,
        "subscribe": subscribe_links(feed, f"{SERVICE_NAME}: my sessions"),
        "form": CSRFForm(meta={"csrf_context": request.session}),
    }
    return render(request, "events/my_calendar.html", context)
