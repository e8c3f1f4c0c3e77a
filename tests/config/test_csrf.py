"""Every form rejects a missing or forged CSRF token with 403 and changes nothing."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from tortoise import connections

from consult.models import Person
from consult.vocabulary import Role
from tests.support import sign_up

TABLES = ("person", "topic", "audit_entry", "rate_limit_hit")


async def snapshot() -> dict[str, list[tuple]]:
    connection = connections.get("default")
    return {
        table: sorted(
            tuple(row.values())
            for row in await connection.execute_query_dict(f"SELECT * FROM {table}")
        )
        for table in TABLES
    }


def post_paths(app: Starlette) -> list[str]:
    samples = {"token": "not-a-real-token", "person_id": "1", "slug": "standards"}
    paths = []
    for route in app.routes:
        if isinstance(route, Route) and route.methods and "POST" in route.methods:
            paths.append(re.sub(r"{(\w+)(:\w+)?}", lambda m: samples[m.group(1)], route.path))
    return paths


@pytest.mark.parametrize("token", [None, "forged-token-value"])
async def test_every_post_route_refuses_a_missing_or_forged_csrf_token(
    app: Starlette, client: httpx.AsyncClient, token: str | None
) -> None:
    await sign_up(client)
    await Person.filter(email="ada.lovelace@example.org").update(role=Role.ADMIN)
    before = await snapshot()
    paths = post_paths(app)
    assert len(paths) >= 10

    for path in paths:
        data = {"email": "ada.lovelace@example.org", "password": "x" * 20, "role": "stakeholder"}
        if token:
            data["csrf_token"] = token
        response = await client.post(path, data=data)
        assert response.status_code == 403, path
        assert "You cannot do that" in response.text, path

    assert await snapshot() == before
    assert (await client.get("/account/")).status_code == 200  # sign-out was refused too
