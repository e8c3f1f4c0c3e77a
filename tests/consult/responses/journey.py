"""Answering a call over HTTP as a stakeholder does: start, details, answers, check, submit."""

from __future__ import annotations

import httpx

from consult.calls.models import Call, QuestionKind
from tests.factories import questions_by_kind
from tests.support import csrf_from, page, post_form


async def start(client: httpx.AsyncClient, call: Call) -> httpx.Response:
    return await post_form(client, f"/calls/{call.slug}/respond", {})


async def give_details(client: httpx.AsyncClient, call: Call, **overrides: str) -> httpx.Response:
    data = {
        "respondent_type": "organisation",
        "organisation_name": "Qubit Foundry Ltd",
        "sector": "industry",
        "country": "GB",
        "consent": "publish_anonymous",
        "action": "continue",
        **overrides,
    }
    return await post_form(client, f"/calls/{call.slug}/respond/details", data)


async def give_answers(
    client: httpx.AsyncClient,
    call: Call,
    *,
    action: str = "continue",
    upload: tuple[str, bytes] | None = None,
    sensitive: tuple[QuestionKind, ...] = (),
    **changes: object,
) -> httpx.Response:
    questions = await questions_by_kind(call)
    values: dict[QuestionKind, object] = {
        QuestionKind.LONG_TEXT: "Metrology for superconducting qubits and photonic interconnects.",
        QuestionKind.SHORT_TEXT: "Principal engineer",
        QuestionKind.SINGLE_CHOICE: "Jointly",
        QuestionKind.MULTIPLE_CHOICE: ["Metrology", "Benchmarks"],
        QuestionKind.SCALE: "4",
    }
    for name, value in changes.items():
        values[QuestionKind(name)] = value
    data: dict[str, object] = {
        questions[kind].field_name: value for kind, value in values.items() if value is not None
    }
    for kind in sensitive:
        data[f"{questions[kind].field_name}_sensitive"] = "y"
    token = csrf_from(await client.get(f"/calls/{call.slug}/respond/answers"))
    files = (
        {
            questions[QuestionKind.FILE].field_name: (
                upload[0],
                upload[1],
                "application/octet-stream",
            )
        }
        if upload
        else None
    )
    return await client.post(
        f"/calls/{call.slug}/respond/answers",
        data={"csrf_token": token, "action": action, **data},
        files=files,
    )


async def submit_form(client: httpx.AsyncClient, call: Call) -> dict[str, str]:
    check = await client.get(f"/calls/{call.slug}/respond/check")
    token = page(check).find("input", attrs={"name": "submit_token"})
    assert token is not None, check.text
    return {"csrf_token": csrf_from(check), "submit_token": str(token["value"])}


async def submit(
    client: httpx.AsyncClient, call: Call, form: dict[str, str] | None = None
) -> httpx.Response:
    return await client.post(
        f"/calls/{call.slug}/respond/submit", data=form or await submit_form(client, call)
    )


async def complete_response(
    client: httpx.AsyncClient, call: Call, **answers: object
) -> httpx.Response:
    await start(client, call)
    await give_details(client, call)
    await give_answers(client, call, **answers)
    return await submit(client, call)
