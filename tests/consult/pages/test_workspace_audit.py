"""The audit log at /organise/audit: admins only, newest first, filterable, in pages of fifty."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from starlette.applications import Starlette

from core.models import AuditEntry, Person
from core.vocabulary import Role
from tests.consult.pages.workspace_helpers import table_rows
from tests.factories import make_person, organiser, person_with_role, second_browser
from tests.support import error_summary, page

AUDIT = "/organise/audit"


async def entry(
    actor: Person | None, action: str, object_type: str, object_id: str, at: datetime
) -> AuditEntry:
    created = await AuditEntry.create(
        actor=actor, action=action, object_type=object_type, object_id=object_id
    )
    # created_at is set by the database on insert; the log's own clock is not the test's.
    await AuditEntry.filter(id=created.id).update(created_at=at)
    return created


async def some_history() -> None:
    rosalind = await make_person("rosalind@example.gov", "Rosalind Franklin", role=Role.ORGANISER)
    grace = await make_person("grace@example.gov", "Grace Hopper", role=Role.ORGANISER)
    await entry(rosalind, "call.created", "call", "1", datetime(2026, 11, 1, 9, 0, tzinfo=UTC))
    await entry(
        rosalind, "response.published", "response", "7", datetime(2026, 11, 2, 23, 59, tzinfo=UTC)
    )
    await entry(grace, "response.held", "response", "7", datetime(2026, 11, 3, 0, 0, tzinfo=UTC))
    await entry(grace, "answer.redacted", "answer", "12", datetime(2026, 11, 4, 10, 30, tzinfo=UTC))
    await entry(None, "call.phase_recorded", "call", "1", datetime(2026, 11, 5, 6, 0, tzinfo=UTC))


def shown(response: httpx.Response) -> list[tuple[str, str, str]]:
    """(who, action, object) of each row, newest first."""
    assert response.status_code == 200, error_summary(response)
    return [(row[1], row[2], row[3]) for row in table_rows(response)]


async def test_admins_read_the_log_newest_first_and_filter_it(
    client: httpx.AsyncClient,
) -> None:
    await person_with_role(client, "admin@example.gov", Role.ADMIN)
    await some_history()

    everything = await client.get(AUDIT)

    assert shown(everything) == [
        ("The system", "call.phase_recorded", "call 1"),
        ("Grace Hopper grace@example.gov", "answer.redacted", "answer 12"),
        ("Grace Hopper grace@example.gov", "response.held", "response 7"),
        ("Rosalind Franklin rosalind@example.gov", "response.published", "response 7"),
        ("Rosalind Franklin rosalind@example.gov", "call.created", "call 1"),
    ]
    assert table_rows(everything)[0][0] == "5 November 2026, 06:00 UTC"
    options = [o.get_text() for o in page(everything).select("#action option")]
    assert options == [
        "Any action",
        "answer.redacted",
        "call.created",
        "call.phase_recorded",
        "response.held",
        "response.published",
    ]

    async def actions(query: str) -> list[str]:
        return [action for _, action, _ in shown(await client.get(f"{AUDIT}?{query}"))]

    assert await actions("action=response.held") == ["response.held"]
    assert await actions("actor=ROSALIND") == ["response.published", "call.created"]
    assert await actions("object_type=response") == ["response.held", "response.published"]
    assert await actions("object_type=response&object_id=7&actor=grace") == ["response.held"]
    assert await actions("object_id=1") == ["call.phase_recorded", "call.created"]
    # Whole days in UTC, both ends included.
    assert await actions("since=2026-11-02&until=2026-11-03") == [
        "response.held",
        "response.published",
    ]
    assert await actions("since=2026-11-04") == ["call.phase_recorded", "answer.redacted"]
    assert await actions("until=2026-11-01") == ["call.created"]
    assert await actions("since=2026-12-01") == []


async def test_bad_filters_are_refused_with_an_error_summary(client: httpx.AsyncClient) -> None:
    await person_with_role(client, "admin@example.gov", Role.ADMIN)
    await some_history()

    refused = await client.get(
        f"{AUDIT}?action=call.deleted&since=2026-02-30&until=2026-01-01&object_type=x"
    )
    backwards = await client.get(f"{AUDIT}?since=2026-11-05&until=2026-11-01")

    assert refused.status_code == 400
    assert error_summary(refused) == [
        "Choose an action from the list",
        "Choose a kind of object from the list",
        "Enter the first date as a real date, like 2026-11-24",
    ]
    assert backwards.status_code == 400
    assert error_summary(backwards) == ["The last date must be on or after the first date"]


async def test_the_log_comes_in_pages_of_fifty(client: httpx.AsyncClient) -> None:
    await person_with_role(client, "admin@example.gov", Role.ADMIN)
    await AuditEntry.bulk_create(
        [AuditEntry(action="call.updated", object_type="call", object_id=str(n)) for n in range(53)]
    )

    first = await client.get(f"{AUDIT}?action=call.updated")
    second = await client.get(f"{AUDIT}?action=call.updated&page=2")

    assert len(table_rows(first)) == 50
    assert [row[3] for row in table_rows(second)] == ["call 2", "call 1", "call 0"]
    nav = page(first).select_one("nav.pagination a[rel=next]")
    assert nav is not None and nav["href"] == "?action=call.updated&page=2"


async def test_only_admins_may_read_the_log(app: Starlette, client: httpx.AsyncClient) -> None:
    await organiser(client)

    refused = await client.get(AUDIT)

    assert refused.status_code == 403
    assert "Only administrators can read the audit log." in refused.text
    async with second_browser(app) as visitor:
        sent = await visitor.get(AUDIT)
    assert (sent.status_code, sent.headers["location"]) == (303, f"/account/signin?next={AUDIT}")
