"""Exports of responses: the public open data (CSV, JSON Lines, XLSX, data package) and the
organisers' export, parsed back with csv, json and openpyxl."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
from openpyxl import load_workbook
from starlette.applications import Starlette

from consult.calls.models import CallState
from consult.exports.formats import neutralise
from consult.exports.tables import public_table
from core.clock import FixedClock
from core.models import AuditEntry
from core.vocabulary import Role
from tests.consult.moderation.published_data import (
    ADA_TEXT,
    FORMULA,
    PHONE,
    SECRETS,
    SENSITIVE,
    Record,
    closed_call_with_a_record,
    publish,
    respond,
)
from tests.factories import make_call, organiser, person_with_role, second_browser
from tests.support import page

EXPORT = "/calls/quantum-standards/responses/export"
ORGANISER_EXPORT = "/organise/calls/quantum-standards/responses/export"
PUBLIC_HEADER = [
    "id",
    "author",
    "respondent_type",
    "sector",
    "country",
    "submitted_at",
    "Q1. Which standards are most needed?",
    "Q2. Your job title",
    "Q3. Who should lead?",
    "Q4. Which areas matter?",
    "Q5. How urgent is this?",
]
SUBMITTED_AT = "2026-11-21T12:00:00Z"


@pytest.fixture
async def record(app: Starlette, clock: FixedClock) -> Record:
    return await closed_call_with_a_record(clock.now())


def public_rows(record: Record) -> list[list[object]]:
    """What the published page shows, as rows: the expected content of every public export."""
    return [
        [
            record.ada.id,
            "Ada Lovelace",
            "individual",
            "academia",
            "GB",
            SUBMITTED_AT,
            ADA_TEXT.replace(PHONE, "[redacted]"),
            "Professor of metrology",
            "NPL",
            "Metrology; Interfaces",
            4,
        ],
        [
            record.qubit.id,
            "Qubit Works Ltd",
            "organisation",
            "industry",
            "US",
            SUBMITTED_AT,
            FORMULA,
            None,  # the sensitive answer
            "NIST",
            "\tInterfaces",
            5,
        ],
        [
            record.anonymous.id,
            "Anonymous respondent",
            "individual",
            "civil_society",
            "CA",
            SUBMITTED_AT,
            "+44 shows that interoperable control stacks matter",
            "-1 for proprietary formats",
            "Jointly",
            "@Benchmarks",
            None,
        ],
    ]


def as_csv_cells(rows: list[list[object]]) -> list[list[str]]:
    def cell(value: object) -> str:
        if value is None:
            return ""
        return neutralise(value) if isinstance(value, str) else str(value)

    return [[cell(value) for value in row] for row in rows]


def assert_no_secrets(body: bytes | str) -> None:
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    for secret in SECRETS:
        assert secret not in text, secret


async def test_the_csv_export_holds_what_the_published_page_shows_with_formulas_neutralised(
    client: httpx.AsyncClient, record: Record
) -> None:
    response = await client.get(f"{EXPORT}.csv")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    assert response.headers["content-disposition"] == (
        'attachment; filename="quantum-standards-responses.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark, for Excel
    assert b"\r\n" in response.content
    [header, *rows] = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == PUBLIC_HEADER
    assert rows == as_csv_cells(public_rows(record))
    assert rows[1][6] == "'" + FORMULA
    assert rows[1][9] == "'\tInterfaces"
    assert (rows[2][6], rows[2][7], rows[2][9]) == (
        "'+44 shows that interoperable control stacks matter",
        "'-1 for proprietary formats",
        "'@Benchmarks",
    )
    assert_no_secrets(response.content)


def test_neutralise_prefixes_every_formula_start_and_nothing_else() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    for text in ("1+1", "a=b", " =1", "", "'=1"):
        assert neutralise(text) == text


async def test_the_json_lines_export_has_one_object_per_public_response(
    client: httpx.AsyncClient, record: Record
) -> None:
    response = await client.get(f"{EXPORT}.jsonl")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/jsonl; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="quantum-standards-responses.jsonl"'
    )
    lines = response.text.splitlines()
    assert [json.loads(line) for line in lines] == [
        dict(zip(PUBLIC_HEADER, row, strict=True)) for row in public_rows(record)
    ]
    assert_no_secrets(response.content)


async def test_the_xlsx_export_holds_the_same_rows_with_formulas_stored_as_text(
    client: httpx.AsyncClient, record: Record
) -> None:
    response = await client.get(f"{EXPORT}.xlsx")

    assert response.status_code == 200
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["content-disposition"] == (
        'attachment; filename="quantum-standards-responses.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Responses"]
    sheet = workbook["Responses"]
    [header, *rows] = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header == PUBLIC_HEADER
    assert rows == public_rows(record)
    formula = sheet.cell(row=3, column=7)
    assert (formula.value, formula.data_type) == (FORMULA, "s")  # text, not a formula
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    assert_no_secrets(
        " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
    )


async def test_the_data_package_describes_the_columns_of_the_public_export(
    client: httpx.AsyncClient, record: Record
) -> None:
    response = await client.get("/calls/quantum-standards/responses/datapackage.json")

    assert response.status_code == 200
    package = response.json()
    assert package["name"] == "quantum-standards"
    assert package["homepage"] == "http://testserver/calls/quantum-standards/responses/"
    assert [(r["format"], r["path"]) for r in package["resources"]] == [
        ("csv", f"http://testserver{EXPORT}.csv"),
        ("jsonl", f"http://testserver{EXPORT}.jsonl"),
        ("xlsx", f"http://testserver{EXPORT}.xlsx"),
    ]
    fields = package["resources"][0]["schema"]["fields"]
    assert [f["name"] for f in fields] == PUBLIC_HEADER
    assert [f["type"] for f in fields] == ["integer", "string", "string", "string", "string"] + [
        "datetime"
    ] + ["string"] * 4 + ["integer"]
    assert fields[3]["constraints"]["enum"] == [
        "government",
        "academia",
        "industry",
        "civil_society",
        "other",
    ]
    assert fields[10]["constraints"] == {"minimum": 1, "maximum": 5}


async def test_public_exports_of_draft_or_unknown_calls_or_formats_are_404(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await make_call(clock.now(), slug="a-draft", state=CallState.DRAFT)
    await make_call(clock.now(), slug="quantum-standards")

    for path in (
        "/calls/a-draft/responses/export.csv",
        "/calls/a-draft/responses/datapackage.json",
        "/calls/no-such-call/responses/export.csv",
        "/calls/quantum-standards/responses/export.pdf",
        "/calls/quantum-standards/responses/export.",
    ):
        assert (await client.get(path)).status_code == 404, path
    empty = await client.get(f"{EXPORT}.csv")
    assert empty.status_code == 200
    assert list(csv.reader(io.StringIO(empty.content.decode("utf-8-sig")))) == [PUBLIC_HEADER]
    assert (await client.get(f"{EXPORT}.jsonl")).content == b""
    workbook = load_workbook(io.BytesIO((await client.get(f"{EXPORT}.xlsx")).content))
    assert [list(r) for r in workbook.active.iter_rows(values_only=True)] == [PUBLIC_HEADER]


async def test_the_public_table_is_read_in_batches_and_holds_every_public_response(
    app: Starlette, clock: FixedClock
) -> None:
    record = await closed_call_with_a_record(clock.now())
    extras = []
    for number in range(6):
        extra = await respond(record.call, f"r{number}@example.org", "R", now=clock.now())
        await publish(record.moderator, extra, clock.now())
        extras.append(extra.id)

    table = await public_table(record.call, chunk=4)
    batches = [batch async for batch in table.batches]

    assert [len(batch) for batch in batches] == [4, 4, 1]  # 9 public; held, private, draft not
    assert [row[0] for batch in batches for row in batch] == [
        *(r.id for r in record.public),
        *extras,
    ]


# The organisers' export


ORGANISER_HEADER_START = [
    "id",
    "tracking_number",
    "submitted_at",
    "last_submitted_at",
    "revision",
    "respondent_name",
    "respondent_email",
    "respondent_type",
    "organisation_name",
    "sector",
    "country",
    "consent",
    "publication",
    "publication_decided_at",
    "anonymised_at",
    "campaign_id",
    "campaign_extra",
    "sensitive_answers",
    "redactions",
    "Q1. Which standards are most needed?",
    "Q2. Your job title",
    "Q3. Who should lead?",
    "Q4. Which areas matter?",
    "Q5. How urgent is this?",
    "Q6. Supporting evidence",
]


async def test_the_organisers_export_holds_everything_and_is_audited(
    client: httpx.AsyncClient, record: Record
) -> None:
    person = await organiser(client)
    await record.call.team.add(person)

    response = await client.get(f"{ORGANISER_EXPORT}.jsonl")

    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="quantum-standards-responses-all.jsonl"'
    )
    assert response.headers["cache-control"] == "no-store"
    rows = [json.loads(line) for line in response.text.splitlines()]
    assert list(rows[0]) == ORGANISER_HEADER_START
    by_id = {row["id"]: row for row in rows}
    assert list(by_id) == [
        record.ada.id,
        record.qubit.id,
        record.anonymous.id,
        record.held.id,
        record.private.id,
    ]  # every submitted response, and no draft
    ada = by_id[record.ada.id]
    assert ada["Q1. Which standards are most needed?"] == ADA_TEXT  # the original, unredacted
    start = ADA_TEXT.index(PHONE)
    assert ada["redactions"] == (f"Q1 [{start}:{start + len(PHONE)}] “{PHONE}” (phone number)")
    assert (ada["respondent_name"], ada["respondent_email"], ada["publication"]) == (
        "Ada Lovelace",
        "ada-quantum-standards@example.org",
        "published",
    )
    qubit = by_id[record.qubit.id]
    assert (qubit["Q2. Your job title"], qubit["sensitive_answers"]) == (SENSITIVE, "Q2")
    assert (qubit["organisation_name"], qubit["consent"]) == ("Qubit Works Ltd", "publish_named")
    held = by_id[record.held.id]
    assert (held["publication"], held["campaign_id"], held["campaign_extra"]) == (
        "held",
        record.campaign.id,
        "And fund the test beds.",
    )
    assert by_id[record.private.id]["consent"] == "do_not_publish"
    assert by_id[record.ada.id]["tracking_number"] == record.ada.tracking_number
    [entry] = await AuditEntry.filter(action="responses.exported")
    assert (entry.actor_id, entry.object_type, entry.object_id, entry.detail) == (
        person.id,
        "call",
        str(record.call.id),
        {"format": "jsonl"},
    )


async def test_the_organisers_csv_and_xlsx_parse_back_with_every_submitted_response(
    client: httpx.AsyncClient, record: Record
) -> None:
    person = await organiser(client)
    await record.call.team.add(person)

    as_csv = await client.get(f"{ORGANISER_EXPORT}.csv")
    as_xlsx = await client.get(f"{ORGANISER_EXPORT}.xlsx")

    [header, *rows] = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert header == ORGANISER_HEADER_START
    assert [int(row[0]) for row in rows] == [
        r.id for r in (record.ada, record.qubit, record.anonymous, record.held, record.private)
    ]
    assert rows[1][19] == "'" + FORMULA
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    [xlsx_header, *xlsx_rows] = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert xlsx_header == ORGANISER_HEADER_START
    assert [row[0] for row in xlsx_rows] == [int(row[0]) for row in rows]
    assert xlsx_rows[3][15] == record.campaign.id
    formats = (
        await AuditEntry.filter(action="responses.exported")
        .order_by("id")
        .values_list("detail", flat=True)
    )
    assert formats == [{"format": "csv"}, {"format": "xlsx"}]


async def test_the_organisers_export_is_refused_to_everyone_but_the_team_and_admins(
    app: Starlette, client: httpx.AsyncClient, record: Record
) -> None:
    visitor = await client.get(f"{ORGANISER_EXPORT}.csv")
    assert visitor.status_code == 303
    assert visitor.headers["location"] == f"/account/signin?next={ORGANISER_EXPORT}.csv"

    async with second_browser(app) as other:
        await person_with_role(other, "stakeholder@example.org", Role.STAKEHOLDER)
        assert (await other.get(f"{ORGANISER_EXPORT}.csv")).status_code == 403
    async with second_browser(app) as other:
        await organiser(other, "another-organiser@example.gov")
        refused = await other.get(f"{ORGANISER_EXPORT}.xlsx")
        assert refused.status_code == 403
        assert "Only the call's team can export its responses." in page(refused).get_text()
        assert (
            await other.get("/organise/calls/no-such-call/responses/export.csv")
        ).status_code == 404
    assert await AuditEntry.filter(action="responses.exported").count() == 0

    async with second_browser(app) as other:
        await person_with_role(other, "admin@example.gov", Role.ADMIN)
        allowed = await other.get(f"{ORGANISER_EXPORT}.csv")
        assert allowed.status_code == 200
        assert (await other.get(f"{ORGANISER_EXPORT}.pdf")).status_code == 404
        checked = await other.head(f"{ORGANISER_EXPORT}.csv")  # a link checker: nothing exported
        assert checked.status_code == 200 and checked.content == b""
    assert await AuditEntry.filter(action="responses.exported").count() == 1
