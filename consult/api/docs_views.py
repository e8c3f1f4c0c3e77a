"""The OpenAPI document at /api/v1/openapi.json, and the reference page /api/docs made from it
(rendered here, with no script and nothing from another site)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from consult.api.http import json_response
from consult.api.openapi import ExampleCall, openapi_document
from consult.api.problems import TYPES
from consult.calls.models import CallPhase
from consult.calls.queries import in_phase, public_calls, questions_of
from core.web import now, render, settings_of

METHODS = ("get", "post", "put", "delete")


@dataclass(frozen=True)
class Row:
    name: str
    type: str
    required: bool
    description: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    anchor: str
    secured: bool
    parameters: list[Row]
    body: str | None
    example: str | None  # the body's example, as JSON to read
    responses: list[tuple[str, str, str]]  # status, description, schema name


@dataclass
class Section:
    name: str
    description: str
    operations: list[Operation] = field(default_factory=list)


def _schema_name(schema: dict[str, Any]) -> str:
    return str(schema.get("$ref", "")).rsplit("/", 1)[-1]


def type_of(schema: dict[str, Any]) -> str:
    """A schema in a few words: "string", "integer 1–100", "one of: a, b", "list of Topic"."""
    if "$ref" in schema:
        return _schema_name(schema)
    if "anyOf" in schema:
        kinds = [type_of(s) for s in schema["anyOf"]]
        return " or ".join(dict.fromkeys(kinds))
    if "allOf" in schema:
        return " and ".join(type_of(s) for s in schema["allOf"])
    if "enum" in schema:
        return "one of: " + ", ".join(str(v) for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {type_of(schema.get('items', {}))}"
    if kind == "null":
        return "null"
    text = str(kind)
    if "format" in schema:
        text += f" ({schema['format']})"
    if "minimum" in schema or "maximum" in schema:
        text += f" {schema.get('minimum', '')}–{schema.get('maximum', '')}"
    if "pattern" in schema:
        text += " matching " + str(schema["pattern"])
    return text


def rows_of(schema: dict[str, Any], components: dict[str, Any], prefix: str = "") -> list[Row]:
    """The fields of an object schema, nested objects flattened as `outer.inner`."""
    if "$ref" in schema:
        schema = components[_schema_name(schema)]
    if "allOf" in schema:
        return [row for part in schema["allOf"] for row in rows_of(part, components, prefix)]
    rows: list[Row] = []
    required = set(schema.get("required", []))
    for name, member in schema.get("properties", {}).items():
        label = f"{prefix}{name}"
        rows.append(Row(label, type_of(member), name in required, member.get("description", "")))
        if member.get("type") == "object" and "properties" in member:
            rows.extend(rows_of(member, components, f"{label}."))
        items = member.get("items", {})
        if member.get("type") == "array" and items.get("type") == "object":
            rows.extend(rows_of(items, components, f"{label}[]."))
    return rows


def _operation(method: str, path: str, spec: dict[str, Any], document: dict[str, Any]) -> Operation:
    components = document["components"]
    parameters = [
        Row(
            f"{p['name']} ({p['in']})",
            type_of(p.get("schema", {})),
            bool(p.get("required")),
            p.get("description", ""),
        )
        for p in spec.get("parameters", [])
    ]
    body = spec.get("requestBody", {}).get("content", {}).get("application/json", {})
    responses = []
    for status, answer in spec["responses"].items():
        if "$ref" in answer:
            answer = components["responses"][_schema_name(answer)]
        content: dict[str, Any] = answer.get("content", {})
        schema = next(iter(content.values())).get("schema", {}) if content else {}
        responses.append((status, answer.get("description", ""), _schema_name(schema)))
    return Operation(
        method=method.upper(),
        path=path,
        summary=spec.get("summary", ""),
        description=spec.get("description", ""),
        anchor=spec["operationId"],
        secured=bool(spec.get("security")),
        parameters=parameters,
        body=_schema_name(body["schema"]) if body else None,
        example=json.dumps(body["example"], indent=2, ensure_ascii=False)
        if "example" in body
        else None,
        responses=responses,
    )


def sections_of(document: dict[str, Any]) -> list[Section]:
    sections = {
        tag["name"]: Section(tag["name"], tag.get("description", "")) for tag in document["tags"]
    }
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                spec = item[method]
                sections[spec["tags"][0]].operations.append(
                    _operation(method, path, spec, document)
                )
    return [section for section in sections.values() if section.operations]


async def _example_call(request: Request) -> ExampleCall | None:
    """The newest open call: the document's request examples answer its questions."""
    call = (
        await public_calls().filter(in_phase(CallPhase.OPEN, now(request))).order_by("-id").first()
    )
    return ExampleCall(call.slug, await questions_of(call)) if call else None


async def _document(request: Request) -> dict[str, Any]:
    return openapi_document(settings_of(request).base_url, await _example_call(request))


async def openapi_json(request: Request) -> Response:
    return json_response(request, await _document(request))


async def reference(request: Request) -> Response:
    document = await _document(request)
    components = document["components"]
    context = {
        "document": document,
        "server": document["servers"][0]["url"],
        "sections": sections_of(document),
        "schemas": [
            (name, schema.get("description", ""), rows_of(schema, components["schemas"]))
            for name, schema in components["schemas"].items()
        ],
        "problem_types": sorted(TYPES.items()),
    }
    return render(request, "api/reference.html", context)
