"""The scheduler moves each call's recorded phase (upcoming → open → closed) at its times.

Whether a call accepts a response is still decided at request time from `opens_at`/`closes_at`;
this job keeps the record that organisers and reports read, writes the audit entry of each move,
and tells the call's team when it opened and when it closed (with the number of responses).
Each move is a compare-and-set on the phase it moves from, so two schedulers record it once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tortoise.expressions import Q

from consult.calls.models import Call, CallPhase, CallState
from core.audit import record_action
from core.notifications.compose import Site, write
from core.notifications.preferences import wants

log = logging.getLogger("consult.scheduler")

# A move found later than this (a scheduler down for days, or a database loaded with old calls)
# is recorded without telling the team: news of a call that closed last month is noise.
NEWS_WINDOW = timedelta(days=1)


def _out_of_date(now: datetime) -> Q:
    """Calls whose recorded phase is not the phase they are in at `now`."""
    published = Q(state=CallState.PUBLISHED)
    return (
        (published & Q(opens_at__gt=now) & ~Q(recorded_phase=CallPhase.UPCOMING))
        | (published & Q(opens_at__lte=now, closes_at__gt=now) & ~Q(recorded_phase=CallPhase.OPEN))
        | (published & Q(closes_at__lte=now) & ~Q(recorded_phase=CallPhase.CLOSED))
        | (Q(state=CallState.OUTCOME_PUBLISHED) & ~Q(recorded_phase=CallPhase.OUTCOME_PUBLISHED))
        | (Q(state=CallState.DRAFT) & ~Q(recorded_phase=CallPhase.DRAFT))
    )


async def record_call_phases(site: Site, *, now: datetime) -> int:
    """Record every call's phase move due by `now`; the number of team messages written."""
    written = 0
    for call in await Call.filter(_out_of_date(now)):
        before, after = call.recorded_phase, call.phase(now)
        moved = await Call.filter(id=call.id, recorded_phase=before).update(recorded_phase=after)
        if not moved:
            continue  # another scheduler recorded it first
        call.recorded_phase = after
        await record_action(None, f"call.{after.value}", call, {"from": before.value})
        log.info("call %s moved from %s to %s", call.slug, before.value, after.value)
        written += await _tell_team(site, call, after, now=now)
    return written


async def _tell_team(site: Site, call: Call, phase: CallPhase, *, now: datetime) -> int:
    if phase == CallPhase.OPEN:
        kind, moment = "call_opened", call.opens_at
    elif phase == CallPhase.CLOSED:
        kind, moment = "call_closed", call.closes_at
    else:
        return 0
    if now - moment > NEWS_WINDOW:
        return 0
    # Responses live in a feature above this one: read through the call's relation, by the stored
    # value of `ResponseStatus.SUBMITTED`.
    submitted = await Call.filter(id=call.id, responses__status="submitted").count()
    written = 0
    for member in await call.team.all():
        if not member.is_active or not wants(member.mail_opt_outs, kind):
            continue
        key = f"{kind}:call-{call.id}:person-{member.id}:{moment.isoformat()}"
        written += (
            await write(
                site,
                kind,
                member,
                key=key,
                due_at=now,
                call=call,
                opened=phase == CallPhase.OPEN,
                submitted=submitted,
                link=site.link("organise:call", slug=call.slug),
            )
            is not None
        )
    return written
