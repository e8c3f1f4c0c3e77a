"""The organiser workspace for sessions: list, schedule, edit and cancel sessions; cancel or move
one occurrence; see who is coming; find a slot inside working hours in two zones.

Every page asks `may()` twice: whether the person organises at all, then whether they may act on
this session. A POST's CSRF token is checked before the session is looked up, so a forged form
learns nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from starlette.datastructures import ImmutableMultiDict
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from core.errors import FieldProblem
from core.models import Person
from core.notifications.compose import Site
from core.permissions import Action, may
from core.queries import topics_in_order
from core.timezones import daylight_saving_disagrees, zone_label
from core.web import bind_form, notify, now, read_form, redirect, render, signed_in_person
from events import sessions as services
from events.attendees import attendees_csv, attendees_of
from events.forms import MoveForm, SessionForm, SlotFinderForm, session_form_data, session_prefill
from events.models import Session, occurrence_key
from events.queries import session_occurrences
from events.recurrence import Occurrence
from events.registrations import registered_for_date
from events.sessions import NoSuchOccurrence, SessionIsCancelled, dates_disagree
from events.slots import slots_by_day, working_slots

CANCELLED = "This session has been cancelled, so it can no longer change."


async def _organiser(request: Request) -> Person:
    person = signed_in_person(request)
    if not await may(person, Action.CREATE_SESSION):
        raise HTTPException(403, "Only organisers and admins can use the workspace.")
    return person


async def _session(
    request: Request, person: Person, action: Action = Action.EDIT_SESSION
) -> Session:
    """The session named in the path, if `person` may act on it (a POST's token checked first)."""
    if request.method == "POST":
        await read_form(request)
    session = await Session.get_or_none(slug=request.path_params["slug"])
    if session is None:
        raise HTTPException(404)
    if not await may(person, action, session):
        raise HTTPException(403, "Only the session's team can do that.")
    return session


async def _occurrence(request: Request, session: Session) -> Occurrence:
    occurrence = await services.occurrence_by_key(session, request.path_params["key"])
    if occurrence is None:
        raise HTTPException(404)
    return occurrence


def _changeable(session: Session) -> None:
    if session.is_cancelled:
        raise HTTPException(400, CANCELLED)


@contextmanager
def _refusals() -> Iterator[None]:
    """A session cancelled, or an occurrence gone, between showing the page and the click."""
    try:
        yield
    except SessionIsCancelled:
        raise HTTPException(400, CANCELLED) from None
    except NoSuchOccurrence:
        raise HTTPException(404) from None


def _status(request: Request) -> int:
    return 400 if request.method == "POST" else 200


async def _overview(
    request: Request, session: Session, *, problems: list[tuple[str, str]] | None = None
) -> Response:
    """The session's overview page; with a refused action's problems it answers 400."""
    await session.fetch_related("topics", "call")
    found = await session_occurrences(session)
    # Each date in a week when Washington and London are 4 hours apart is marked on its own row.
    four_hours = {
        occurrence_key(o.original_start)
        for o in found
        if not o.cancelled and dates_disagree([o.starts_at], session.timezone)
    }
    context = {
        "session": session,
        "occurrences": [(o, occurrence_key(o.original_start)) for o in found],
        "gap_is_unusual": bool(four_hours),
        "four_hours": four_hours,
        "problems": problems or [],
    }
    status = 400 if problems else 200
    return render(request, "organise/sessions/overview.html", context, status=status)


async def _session_form(request: Request, session: Session | None) -> SessionForm:
    defaults = (
        session_form_data(session, [topic.id for topic in await session.topics.all()])
        if session
        else session_prefill(request.query_params)
    )
    return await bind_form(
        request,
        SessionForm,
        available_topics=await topics_in_order(),
        available_calls=await services.linkable_calls(),
        editing=session is not None,
        **defaults,
    )


async def sessions_list(request: Request) -> Response:
    person = await _organiser(request)
    rows = await services.sessions_editable_by(person, now=now(request))
    return render(request, "organise/sessions/list.html", {"rows": rows, "person": person})


async def session_new(request: Request) -> Response:
    person = await _organiser(request)
    form = await _session_form(request, None)
    if await _saving(request) and form.validate():
        try:
            session = await services.create_session(person, form.details(), now=now(request))
        except FieldProblem as problem:
            form.add_field_error(problem.field, problem.message)
        else:
            notify(request, f"Session “{session.title}” scheduled.")
            return redirect(request, "organise_sessions:overview", slug=session.slug)
    return _form_page(request, form, None)


async def session_edit(request: Request) -> Response:
    person = await _organiser(request)
    session = await _session(request, person)
    _changeable(session)
    form = await _session_form(request, session)
    if await _saving(request) and form.validate():
        try:
            with _refusals():
                await services.update_session(
                    person,
                    session,
                    form.details(slug=session.slug),
                    now=now(request),
                    site=Site.of(request),
                )
        except FieldProblem as problem:
            form.add_field_error(problem.field, problem.message)
        else:
            notify(request, "The session's details have been saved.")
            return redirect(request, "organise_sessions:overview", slug=session.slug)
    return _form_page(request, form, session)


async def _saving(request: Request) -> bool:
    """A POST from the Save button; "Check the times" shows the times and saves nothing."""
    return request.method == "POST" and (await read_form(request)).get("action") != "check"


def _form_page(request: Request, form: SessionForm, session: Session | None) -> Response:
    # "Check the times" never validates, so it has no errors and answers 200.
    status = 400 if form.errors else 200
    context = {"form": form, "session": session}
    return render(request, "organise/sessions/session_form.html", context, status=status)


async def session_overview(request: Request) -> Response:
    session = await _session(request, await _organiser(request))
    return await _overview(request, session)


async def session_cancel(request: Request) -> Response:
    person = await _organiser(request)
    session = await _session(request, person)
    if request.method == "GET":
        _changeable(session)
        return render(request, "organise/sessions/cancel.html", {"session": session})
    if await services.cancel_session(person, session, now=now(request), site=Site.of(request)):
        notify(request, f"“{session.title}” is cancelled.")
    return redirect(request, "organise_sessions:overview", slug=session.slug)


async def occurrence_cancel(request: Request) -> Response:
    """GET asks first, naming the date and how many people will be told; POST cancels it."""
    person = await _organiser(request)
    session = await _session(request, person)
    occurrence = await _occurrence(request, session)
    if request.method == "GET":
        _changeable(session)
        if occurrence.cancelled:
            return redirect(request, "organise_sessions:overview", slug=session.slug)
        key = request.path_params["key"]
        context = {
            "session": session,
            "occurrence": occurrence,
            "key": key,
            "told": await registered_for_date(session, key),
        }
        return render(request, "organise/sessions/cancel_occurrence.html", context)
    try:
        with _refusals():
            cancelled = await services.cancel_occurrence(
                person, session, occurrence.original_start, now=now(request), site=Site.of(request)
            )
    except FieldProblem as problem:
        return await _overview(request, session, problems=[(problem.field, problem.message)])
    if cancelled:
        notify(request, "The occurrence is cancelled.")
    return redirect(request, "organise_sessions:overview", slug=session.slug)


async def occurrence_move(request: Request) -> Response:
    person = await _organiser(request)
    session = await _session(request, person)
    occurrence = await _occurrence(request, session)
    _changeable(session)
    local = occurrence.starts_at.astimezone(ZoneInfo(session.timezone))
    form = await bind_form(
        request, MoveForm, zone=session.timezone, date=local.date(), start=local.time()
    )
    if request.method == "POST" and form.validate():
        try:
            with _refusals():
                await services.move_occurrence(
                    person,
                    session,
                    occurrence.original_start,
                    form.new_start(),
                    now=now(request),
                    site=Site.of(request),
                )
        except FieldProblem as problem:
            form.add_field_error(
                "date" if problem.field not in form else problem.field, problem.message
            )
        else:
            notify(request, "The occurrence has been moved.")
            return redirect(request, "organise_sessions:overview", slug=session.slug)
    context = {"form": form, "session": session, "occurrence": occurrence}
    return render(request, "organise/sessions/move.html", context, status=_status(request))


async def attendees(request: Request) -> Response:
    session = await _session(request, await _organiser(request), Action.SEE_ATTENDEES)
    context = {"session": session, "attendees": await attendees_of(session)}
    return render(request, "organise/sessions/attendees.html", context)


async def attendees_download(request: Request) -> Response:
    session = await _session(request, await _organiser(request), Action.SEE_ATTENDEES)
    # A byte-order mark, so spreadsheet programs read the names as UTF-8.
    body = "\ufeff" + attendees_csv(await attendees_of(session))
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{session.slug}-attendees.csv"'},
    )


async def slot_finder(request: Request) -> Response:
    await _organiser(request)
    asked = "date_from" in request.query_params
    defaults = SlotFinderForm.defaults(now(request).date())
    form = SlotFinderForm(ImmutableMultiDict({**defaults, **request.query_params}))
    days = []
    if asked and form.validate():
        slots = working_slots(
            form.date_from.data,
            form.date_to.data,
            form.length,
            form.zones,
            form.day_start.data,
            form.day_end.data,
        )
        days = [
            (day, daylight_saving_disagrees(day), found)
            for day, found in slots_by_day(slots, form.zones[0])
        ]
    zones = [(zone, zone_label(zone)) for zone in form.zones]
    context = {"form": form, "asked": asked, "days": days, "zones": zones}
    status = 400 if asked and form.errors else 200
    return render(request, "organise/slots.html", context, status=status)
