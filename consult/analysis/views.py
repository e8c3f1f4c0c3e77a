"""A call's analysis and its form-letter campaigns, in the organiser workspace.

Every page asks `may()` twice: whether the person organises at all, then whether they may read
this call's responses (or moderate it, to act). A POST's CSRF token is checked before the call is
looked up, so a forged form learns nothing. Services check the permission again and audit.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from consult.analysis import queries
from consult.analysis.charts import analysis_sections
from consult.analysis.models import Campaign
from consult.analysis.services import decide_campaign, run_campaign_detection
from consult.analysis.stats import call_analysis
from consult.calls.models import Call
from consult.calls.workspace import team_call, workspace_person
from consult.responses.models import Publication
from core.models import Person
from core.permissions import Action, may
from core.web import notify, now, page_number, read_form, redirect, render

NOT_ON_TEAM = "Only the call's team can see its analysis."


_organiser = workspace_person


async def _call(request: Request, person: Person, action: Action) -> Call:
    return await team_call(request, person, action, NOT_ON_TEAM)


async def _campaign(request: Request, call: Call) -> Campaign:
    found = await queries.campaign_on_call(call, int(request.path_params["campaign_id"]))
    if found is None:
        raise HTTPException(404)
    return found


async def analysis(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person, Action.READ_RESPONSES)
    found = await call_analysis(call)
    context = {"call": call, "analysis": found, "sections": analysis_sections(found)}
    return render(request, "analysis/overview.html", context)


async def campaigns(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person, Action.READ_RESPONSES)
    context = {
        "call": call,
        "campaigns": await queries.campaigns_of(call),
        "detected_at": await queries.last_detection(call),
        "may_moderate": await may(person, Action.MODERATE, call),
    }
    return render(request, "analysis/campaigns.html", context)


async def detect(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person, Action.MODERATE)
    summary = await run_campaign_detection(person, call, now=now(request))
    notify(request, summary.message)
    return redirect(request, "analysis:campaigns", slug=call.slug)


async def campaign(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person, Action.READ_RESPONSES)
    found = await _campaign(request, call)
    context = {
        "call": call,
        "campaign": found,
        "status": await queries.member_status(found),
        "page": await queries.campaign_members(found, page=page_number(request)),
        "may_moderate": await may(person, Action.MODERATE, call),
    }
    return render(request, "analysis/campaign.html", context)


async def campaign_publication(request: Request) -> Response:
    person = await _organiser(request)
    call = await _call(request, person, Action.MODERATE)
    found = await _campaign(request, call)
    decision = (await read_form(request)).get("decision")
    if decision not in (Publication.PUBLISHED, Publication.HELD):
        raise HTTPException(400, "Choose to publish or to hold the campaign.")
    publication = Publication(str(decision))
    result = await decide_campaign(person, found, publication, now=now(request))
    notify(request, f"Campaign {found.id}: {result.message(publication)}")
    return redirect(request, "analysis:campaign", slug=call.slug, campaign_id=found.id)
