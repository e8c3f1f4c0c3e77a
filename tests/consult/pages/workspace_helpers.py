"""Rows and page readers the workspace tests share: submitted responses, tables without hidden text."""

from __future__ import annotations

from copy import copy
from datetime import datetime, timedelta

import httpx
from bs4 import Tag

from consult.calls.models import Call, QuestionKind
from consult.responses.models import (
    Consent,
    Publication,
    RespondentType,
    Response,
    ResponseStatus,
)
from consult.responses.tracking import new_tracking_number
from core.vocabulary import Sector
from tests.factories import make_person, make_response
from tests.support import page


async def respond(
    call: Call,
    email: str,
    *,
    submitted_at: datetime,
    name: str = "Ada Lovelace",
    consent: Consent = Consent.PUBLISH_NAMED,
    organisation: str = "",
    sector: Sector = Sector.INDUSTRY,
    country: str = "GB",
    text: str = "Interfaces for cryogenic systems need common standards.",
    sensitive: str = "",
    publication: Publication = Publication.PENDING,
    status: ResponseStatus = ResponseStatus.SUBMITTED,
    tracking: str = "",
) -> Response:
    """A response of `call` by a new person, with a long-text answer and maybe a sensitive one."""
    answers: dict[QuestionKind, dict[str, object]] = {QuestionKind.LONG_TEXT: {"text": text}}
    if sensitive:
        answers[QuestionKind.SHORT_TEXT] = {"text": sensitive, "sensitive": True}
    return await make_response(
        call,
        await make_person(email, name),
        answers,
        status=status,
        consent=consent,
        tracking_number=tracking or new_tracking_number(2026),
        respondent_type=RespondentType.ORGANISATION if organisation else RespondentType.INDIVIDUAL,
        organisation_name=organisation,
        sector=sector,
        country=country,
        publication=publication,
        submitted_at=submitted_at if status == ResponseStatus.SUBMITTED else None,
        last_submitted_at=submitted_at if status == ResponseStatus.SUBMITTED else None,
        details_confirmed=True,
        revision=0 if status == ResponseStatus.DRAFT else 1,
    )


def hours_ago(now: datetime, hours: float) -> datetime:
    return now - timedelta(hours=hours)


def visible_text(element: object) -> str:
    """An element's text as a sighted reader sees it (visually hidden words left out)."""
    assert isinstance(element, Tag)
    shown = copy(element)
    for hidden in shown.select(".visually-hidden"):
        hidden.decompose()
    return shown.get_text(" ", strip=True)


def table_rows(response: httpx.Response, selector: str = "table.table") -> list[list[str]]:
    """The body rows of the first matching table (none without one), each cell as seen."""
    table = page(response).select_one(selector)
    if table is None:
        return []
    return [
        [visible_text(cell) for cell in row.find_all(["th", "td"])]
        for row in table.select("tbody tr")
    ]


def tracking_numbers(response: httpx.Response) -> list[str]:
    """The tracking numbers of a list of responses, in the order shown."""
    return [cell.get_text(strip=True) for cell in page(response).select("tbody th[scope=row] a")]
