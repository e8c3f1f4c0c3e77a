"""A call's analysis: counts by sector, country and type, choices and scales, words per answer;
SVG charts with the same numbers in tables; who may see it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from consult.analysis.charts import NUMBER_ROOM, WIDTH, bar_chart
from consult.analysis.stats import Breakdown, call_analysis, histogram
from consult.calls.models import Call, QuestionKind
from consult.responses.models import Answer, RespondentType, Response, ResponseStatus
from consult.responses.tracking import new_tracking_number
from core.clock import FixedClock
from core.vocabulary import Sector
from tests.factories import (
    make_call,
    organiser_of,
    questions_by_kind,
    second_browser,
    verified_stakeholder,
)
from tests.support import page

ANALYSIS = "/organise/calls/quantum-standards/analysis"
SVG = "{http://www.w3.org/2000/svg}"


def words(count: int) -> str:
    return " ".join(f"word{n}" for n in range(count))


# sector, country, type, long answer (None: not answered), single, multiple, scale
SUBMITTED = [
    (Sector.INDUSTRY, "GB", "individual", words(5), "NIST", ["Metrology", "Interfaces"], 5),
    (Sector.ACADEMIA, "US", "organisation", words(12), "NPL", ["Interfaces"], 4),
    (Sector.ACADEMIA, "US", "individual", words(30), "NIST", ["Metrology", "Benchmarks"], 4),
    (Sector.GOVERNMENT, "", "organisation", "", "Jointly", [], None),
    (Sector.INDUSTRY, "GB", "individual", words(8), "NIST", ["Interfaces", "Metrology"], 1),
]
NOT_COUNTED = [  # a draft and a withdrawn response
    (Sector.OTHER, "FR", "individual", words(100), "NPL", ["Benchmarks"], 3),
    (Sector.OTHER, "FR", "individual", words(100), "NPL", ["Benchmarks"], 3),
]


async def hand_made_call(now: datetime) -> Call:
    call = await make_call(now)
    questions = await questions_by_kind(call)
    rows = [(row, ResponseStatus.SUBMITTED) for row in SUBMITTED] + [
        (NOT_COUNTED[0], ResponseStatus.DRAFT),
        (NOT_COUNTED[1], ResponseStatus.WITHDRAWN),
    ]
    for (sector, country, kind, text, single, multiple, scale), status in rows:
        response = await Response.create(
            call=call,
            status=status,
            tracking_number=new_tracking_number(2026),
            respondent_type=RespondentType(kind),
            sector=sector,
            country=country,
            submitted_at=now - timedelta(days=1),
        )
        await Answer.bulk_create(
            [
                Answer(response=response, question=questions[QuestionKind.LONG_TEXT], text=text),
                Answer(
                    response=response,
                    question=questions[QuestionKind.SINGLE_CHOICE],
                    choices=[single],
                ),
                Answer(
                    response=response,
                    question=questions[QuestionKind.MULTIPLE_CHOICE],
                    choices=multiple,
                    sensitive=True,  # organisers count sensitive answers too
                ),
                Answer(response=response, question=questions[QuestionKind.SCALE], scale=scale),
            ]
        )
    return call


EXPECTED_CHARTS = {
    "sector": [
        ("Government", 1),
        ("Academia", 2),
        ("Industry", 2),
        ("Civil society", 0),
        ("Other", 0),
    ],
    "country": [("United Kingdom", 2), ("United States", 2), ("Not given", 1)],
    "type": [("As an individual", 3), ("On behalf of an organisation", 2)],
    "single": [("NIST", 3), ("NPL", 1), ("Jointly", 1)],
    "multiple": [("Metrology", 3), ("Interfaces", 3), ("Benchmarks", 1)],
    "scale": [("1", 1), ("2", 0), ("3", 0), ("4", 2), ("5", 1)],
    "words": [
        ("0–4", 0),
        ("5–9", 2),
        ("10–14", 1),
        ("15–19", 0),
        ("20–24", 0),
        ("25–29", 0),
        ("30–34", 1),
    ],
}


async def test_the_analysis_counts_a_hand_made_call_exactly(db: None, clock: FixedClock) -> None:
    call = await hand_made_call(clock.now())

    found = await call_analysis(call)

    assert found.submitted == 5
    assert list(found.by_sector.rows) == EXPECTED_CHARTS["sector"]
    assert list(found.by_country.rows) == EXPECTED_CHARTS["country"]
    assert list(found.by_type.rows) == EXPECTED_CHARTS["type"]
    assert [(q.number, q.kind, list(q.counts.rows), q.answered) for q in found.questions] == [
        (3, QuestionKind.SINGLE_CHOICE, EXPECTED_CHARTS["single"], 5),
        (4, QuestionKind.MULTIPLE_CHOICE, EXPECTED_CHARTS["multiple"], 7),
        (5, QuestionKind.SCALE, EXPECTED_CHARTS["scale"], 4),
    ]
    [long] = found.word_counts
    assert (long.number, long.answers, long.minimum, long.median, long.mean, long.maximum) == (
        1,
        4,
        5,
        10.0,
        13.75,
        30,
    )
    assert list(long.histogram.rows) == EXPECTED_CHARTS["words"]


def svg_charts(html: str) -> dict[str, ET.Element]:
    """Every chart on the page, parsed as XML from the markup as served."""
    charts = {}
    for markup in re.findall(r"<svg\b[^>]*data-chart=.*?</svg>", html, flags=re.DOTALL):
        root = ET.fromstring(markup)  # noqa: S314 (the page under test, not untrusted input)
        charts[root.attrib["data-chart"]] = root
    return charts


def bars_of(svg: ET.Element) -> list[tuple[str, int]]:
    return [(g.attrib["data-label"], int(g.attrib["data-value"])) for g in svg.iter(SVG + "g")]


async def test_the_analysis_page_draws_each_chart_as_svg_with_a_table_of_its_numbers(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await hand_made_call(clock.now())
    await organiser_of(call, client)
    questions = await questions_by_kind(call)

    response = await client.get(ANALYSIS)

    assert response.status_code == 200
    charts = svg_charts(response.text)
    ids = {
        "sector": "sector",
        "country": "country",
        "type": "type",
        "single": f"question-{questions[QuestionKind.SINGLE_CHOICE].id}",
        "multiple": f"question-{questions[QuestionKind.MULTIPLE_CHOICE].id}",
        "scale": f"question-{questions[QuestionKind.SCALE].id}",
        "words": f"words-{questions[QuestionKind.LONG_TEXT].id}",
    }
    assert set(charts) == set(ids.values())
    html = page(response)
    for name, chart_id in ids.items():
        svg = charts[chart_id]
        assert svg.tag == SVG + "svg"
        assert svg.attrib["role"] == "img"
        title, desc = svg.find(SVG + "title"), svg.find(SVG + "desc")
        assert title is not None and desc is not None
        assert svg.attrib["aria-labelledby"] == f"{title.attrib['id']} {desc.attrib['id']}"
        assert bars_of(svg) == EXPECTED_CHARTS[name], name
        # The number drawn at each bar's end, and the bars' lengths, tell the same story.
        drawn = [int(g.findall(SVG + "text")[1].text or "") for g in svg.iter(SVG + "g")]
        assert drawn == [value for _, value in EXPECTED_CHARTS[name]]
        lengths = [float(rect.attrib["width"]) for rect in svg.iter(SVG + "rect")]
        assert max(lengths) == WIDTH - NUMBER_ROOM
        table = html.select_one(f'table[data-chart="{chart_id}"]')
        assert table is not None
        caption = table.find("caption")
        assert caption is not None and caption.get_text().startswith(title.text or "")
        assert [th["scope"] for th in table.select("thead th")] == ["col", "col"]
        rows = [
            (row.th.get_text(strip=True), int(row.td.get_text(strip=True)))
            for row in table.select("tbody tr")
            if row.th and row.td and row.th.get("scope") == "row"
        ]
        assert rows == EXPECTED_CHARTS[name], name
    words_table = html.select_one("#word-counts tbody tr")
    assert words_table is not None
    cells = [cell.get_text(" ", strip=True) for cell in words_table.find_all(["th", "td"])]
    assert cells == ["1. Which standards are most needed?", "4", "5", "10", "13.8", "30"]


async def test_a_call_without_responses_has_an_analysis_page_without_bars(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    call = await make_call(clock.now())
    await organiser_of(call, client)

    response = await client.get(ANALYSIS)

    assert response.status_code == 200
    text = page(response).get_text(" ", strip=True)
    assert "0 submitted responses." in text
    charts = svg_charts(response.text)
    assert [value for _, value in bars_of(charts["sector"])] == [0, 0, 0, 0, 0]
    assert "country" not in charts  # no countries at all: "No answers yet." instead
    assert "No answers yet." in text


@pytest.mark.parametrize("who", ["stakeholder", "organiser of another call"])
async def test_the_analysis_is_refused_to_people_outside_the_team(
    app: Starlette, client: httpx.AsyncClient, clock: FixedClock, who: str
) -> None:
    await hand_made_call(clock.now())
    async with second_browser(app) as other:
        if who == "stakeholder":
            await verified_stakeholder(other, "someone@example.org")
        else:
            elsewhere = await make_call(clock.now(), slug="another-call")
            await organiser_of(elsewhere, other, "elsewhere@example.gov")

        refused = await other.get(ANALYSIS)
        unknown = await other.get("/organise/calls/no-such-call/analysis")

    assert refused.status_code == 403
    assert "word0" not in refused.text
    assert unknown.status_code == (403 if who == "stakeholder" else 404)


async def test_a_visitor_is_sent_to_sign_in(client: httpx.AsyncClient, clock: FixedClock) -> None:
    await make_call(clock.now())

    response = await client.get(ANALYSIS)

    assert response.status_code == 303
    assert response.headers["location"] == f"/account/signin?next={ANALYSIS}"


def test_bars_are_scaled_to_the_largest_and_described_for_those_who_cannot_see_them() -> None:
    chart = bar_chart(
        "example", "Responses by sector", [("A", 2), ("B", 4), ("C", 0)], label_heading="Sector"
    )

    assert [(bar.label, bar.value, bar.length) for bar in chart.bars] == [
        ("A", 2, (WIDTH - NUMBER_ROOM) / 2),
        ("B", 4, WIDTH - NUMBER_ROOM),
        ("C", 0, 0.0),
    ]
    assert [bar.bar_y for bar in chart.bars] == [20, 72, 124]
    assert chart.height == 144
    assert (
        chart.description == "Bar chart of 3 bars, one per sector. The largest is B: 4 responses."
    )
    long = bar_chart("x", "t", [("x" * 200, 1)], label_heading="Option")
    assert len(long.bars[0].short_label) == 80 and long.bars[0].short_label.endswith("…")
    assert bar_chart("y", "t", [], label_heading="Option").description == "No answers yet."


def test_word_count_bins_are_the_narrowest_that_need_at_most_ten() -> None:
    assert histogram([], "t") == Breakdown("t", ())
    assert list(histogram([0, 4, 49], "t").rows) == [
        ("0–4", 2),
        *[(f"{n}–{n + 4}", 0) for n in range(5, 45, 5)],
        ("45–49", 1),
    ]
    assert list(histogram([50, 120, 499], "t").rows)[:3] == [
        ("0–49", 0),
        ("50–99", 1),
        ("100–149", 1),
    ]
