"""Admins manage roles; every change is audited; nobody else may."""

from __future__ import annotations

import httpx

from core.models import AuditEntry, Person
from core.vocabulary import Role
from tests.support import NewAccount, field_error, page, post_form, sign_up


async def make_admin(client: httpx.AsyncClient) -> Person:
    await sign_up(client, NewAccount(email="admin@example.gov", display_name="Grace Hopper"))
    await Person.filter(email="admin@example.gov").update(role=Role.ADMIN)
    return await Person.get(email="admin@example.gov")


async def test_admin_changes_a_role_and_it_is_audited(app, client: httpx.AsyncClient) -> None:
    admin = await make_admin(client)
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    await sign_up(other)
    person = await Person.get(email="ada.lovelace@example.org")

    response = await post_form(client, f"/organise/people/{person.id}/role", {"role": "organiser"})

    assert response.status_code == 303
    assert (await Person.get(id=person.id)).role == Role.ORGANISER
    [entry] = await AuditEntry.all()
    assert (entry.actor_id, entry.action, entry.object_type, entry.object_id) == (
        admin.id,
        "person.role_changed",
        "person",
        str(person.id),
    )
    assert entry.detail == {"from": "stakeholder", "to": "organiser"}
    listing = await client.get("/organise/people")
    row = next(
        tr for tr in page(listing).select("tbody tr") if "ada.lovelace@example.org" in tr.get_text()
    )
    assert "Organiser" in row.get_text()


async def test_an_admin_cannot_remove_their_own_admin_role(client: httpx.AsyncClient) -> None:
    admin = await make_admin(client)

    response = await post_form(client, f"/organise/people/{admin.id}/role", {"role": "stakeholder"})

    assert response.status_code == 400
    assert "cannot remove your own admin role" in field_error(response, "role")
    assert (await Person.get(id=admin.id)).role == Role.ADMIN
    assert await AuditEntry.all().count() == 0


async def test_stakeholders_and_organisers_cannot_manage_people(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    person = await Person.get(email="ada.lovelace@example.org")
    for role in (Role.STAKEHOLDER, Role.ORGANISER):
        await Person.filter(id=person.id).update(role=role)

        listing = await client.get("/organise/people")
        change = await client.get(f"/organise/people/{person.id}/role")

        assert listing.status_code == 403
        assert change.status_code == 403
    assert (await Person.get(id=person.id)).role == Role.ORGANISER


async def test_people_search_finds_by_organisation(client: httpx.AsyncClient) -> None:
    await make_admin(client)

    response = await client.get("/organise/people", params={"q": "analytical"})

    assert "1 person matching" in page(response).find("main").get_text(" ", strip=True)


async def test_an_unknown_role_is_refused(client: httpx.AsyncClient) -> None:
    admin = await make_admin(client)

    response = await post_form(client, f"/organise/people/{admin.id}/role", {"role": "emperor"})

    assert response.status_code == 400
    assert (await Person.get(id=admin.id)).role == Role.ADMIN
