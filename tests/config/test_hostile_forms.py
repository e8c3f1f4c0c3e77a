"""Every form handler, sent what an attacker or a broken client sends, answers 4xx and changes
nothing — never a 5xx (SPEC §10).

Signed in as an administrator on the call's team (so requests get past permissions to the form
code), with a valid CSRF token, each POST route of the app receives: random field names and
values (control characters, right-to-left marks, markup, SQL, numbers too big for any column,
impossible dates), every field repeated, 100,000-character fields, bytes that are not UTF-8, and
files where text is expected. Whenever the answer is a 4xx the tables are compared with their
state before: rate-limit counters aside, which count refused attempts by design.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from wtforms import Form
from wtforms.fields.core import UnboundField

import consult
import core
import events
from consult.calls.models import Question
from core.clock import FixedClock
from tests.route_world import CSRF_EXEMPT, post_paths, real_objects, snapshot
from tests.support import csrf_from

# The Submit button's one-time token is renewed by every page that shows the button, refusals
# included, like a CSRF token: it is not data anybody gave.
FORM_TOKENS = {"submit_token"}
# Signing out is a success whatever the body says, and would end the session the rest needs.
LEFT_OUT = {*CSRF_EXEMPT, "account:signout"}
NASTY = [
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "2027-02-30T25:61",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "\u202e\u200b",
    "\ud7ff\ue000\uffff",
    "../../etc/passwd",
    "a" * 100_000,
]


def form_field_names() -> list[str]:
    """Every field name any form of the app declares (each feature's `forms` and `*_forms`)."""
    names: set[str] = set()
    modules = [
        info.name
        for package in (consult, core, events)
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
        if info.name.rsplit(".", 1)[-1] == "forms" or info.name.endswith("_forms")
    ]
    assert len(modules) >= 12, modules  # every feature's forms were found
    for name in modules:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Form):
                names.update(n for n in dir(value) if isinstance(getattr(value, n), UnboundField))
    return sorted(names - {"csrf_token"})


async def _world(
    client: httpx.AsyncClient, clock: FixedClock, app: Starlette
) -> tuple[dict[str, str], list[str], str]:
    samples = await real_objects(client, clock)
    questions = [q.field_name for q in await Question.all()]
    names = form_field_names() + questions + [f"{q}_sensitive" for q in questions]
    token = csrf_from(await client.get("/account/profile"))
    return post_paths(app, samples, leave_out=LEFT_OUT), names, token


async def _unchanged_unless_accepted(
    before: dict[str, Any], answered: httpx.Response, what: str
) -> None:
    assert answered.status_code < 500, f"{what}: {answered.status_code}"
    if answered.status_code >= 400:
        after = await snapshot(ignore=FORM_TOKENS)
        for table in before:
            if table != "rate_limit_counter":
                assert after[table] == before[table], (
                    f"{what}: {table} changed on {answered.status_code}"
                )


async def test_every_form_survives_repeated_huge_binary_and_file_fields(
    client: httpx.AsyncClient, clock: FixedClock, app: Starlette
) -> None:
    paths, names, token = await _world(client, clock, app)
    for name, path in paths.items():
        cases: list[tuple[str, dict[str, Any]]] = [
            (
                "every field twice",
                {"data": {"csrf_token": token, **{n: ["1", "2"] for n in names}}},
            ),
            (
                "every field huge",
                {"data": {"csrf_token": token, **dict.fromkeys(names, "x" * 100_000)}},
            ),
            (
                "not UTF-8",
                {
                    "content": f"csrf_token={token}&body=%FF%FE&name=\xff".encode("latin-1"),
                    "headers": {"Content-Type": "application/x-www-form-urlencoded"},
                },
            ),
            (
                "files for text",
                {
                    "data": {"csrf_token": token},
                    "files": {
                        n: ("x.bin", b"\x00\xff" * 10, "application/octet-stream")
                        for n in names[:20]
                    },
                },
            ),
            (
                "no body at all",
                {"content": b"", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
            ),
            ("a JSON body", {"json": {"csrf_token": token, "body": "hi"}}),
        ]
        for label, request in cases:
            before = await snapshot(ignore=FORM_TOKENS)
            answered = await client.post(path, **request)
            await _unchanged_unless_accepted(before, answered, f"{name} ({label})")


field_values = st.one_of(st.text(max_size=40), st.sampled_from(NASTY))


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
async def test_random_fields_and_values_never_make_a_form_fail_with_5xx(
    client: httpx.AsyncClient, clock: FixedClock, app: Starlette
) -> None:
    paths, names, token = await _world(client, clock, app)
    routes = sorted(paths.items())
    keys = st.one_of(st.sampled_from(names), st.text(max_size=12))

    @settings(
        max_examples=120,
        deadline=None,
        derandomize=True,  # the same examples every run: a failure can be reproduced
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        route=st.sampled_from(routes),
        fields=st.dictionaries(keys, st.lists(field_values, min_size=1, max_size=3), max_size=8),
    )
    def examples(route: tuple[str, str], fields: dict[str, list[str]]) -> None:
        drawn.append((route, fields))

    drawn: list[tuple[tuple[str, str], dict[str, list[str]]]] = []
    examples()
    for (name, path), fields in drawn:
        before = await snapshot(ignore=FORM_TOKENS)
        answered = await client.post(path, data={**fields, "csrf_token": token})
        await _unchanged_unless_accepted(before, answered, f"{name} {fields!r}"[:300])
