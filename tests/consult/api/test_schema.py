"""The API document's schemas come from the serialisers' return types: the generator's rules, and
every serialiser's type written in the document with all of its keys."""

from __future__ import annotations

import inspect
from typing import Annotated, Any, Literal, TypedDict, get_type_hints

from consult.api import serialise
from consult.api.openapi import ANSWERS, openapi_document
from consult.api.schema import Description, Format, Maximum, Minimum, Pattern, Without, components
from consult.calls.models import CallPhase


class Place(TypedDict):
    name: str
    country: Annotated[str, Pattern("^[A-Z]{2}$"), Description("ISO 3166-1 alpha-2.")]


class Meeting(TypedDict):
    id: Annotated[int, Minimum(1)]
    starts_at: Annotated[str, Format("date-time")]
    score: Annotated[float, Minimum(0), Maximum(1)]
    online: bool
    capacity: int | None
    phase: Annotated[CallPhase, Without(CallPhase.DRAFT, CallPhase.CLOSED)]
    size: Literal["small", "large"]
    place: Place | None
    tags: list[str]
    nested: Annotated[Place, Description("Where it moved to.")]


class MeetingDetail(Meeting):
    agenda: str


def test_the_generator_writes_each_type_as_its_json_schema() -> None:
    schemas = components({"Meeting": Meeting})
    meeting = schemas["Meeting"]
    properties = meeting["properties"]

    assert list(properties) == meeting["required"] == list(get_type_hints(Meeting))
    assert meeting["type"] == "object"
    assert properties["id"] == {"type": "integer", "minimum": 1}
    assert properties["starts_at"] == {"type": "string", "format": "date-time"}
    assert properties["score"] == {"type": "number", "minimum": 0, "maximum": 1}
    assert properties["online"] == {"type": "boolean"}
    assert properties["capacity"] == {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert properties["phase"] == {"enum": ["upcoming", "open", "outcome_published"]}
    assert properties["size"] == {"enum": ["small", "large"]}
    assert properties["tags"] == {"type": "array", "items": {"type": "string"}}
    place = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "country": {
                "type": "string",
                "pattern": "^[A-Z]{2}$",
                "description": "ISO 3166-1 alpha-2.",
            },
        },
        "required": ["name", "country"],
    }
    assert properties["place"] == {"anyOf": [place, {"type": "null"}]}
    assert properties["nested"] == {**place, "description": "Where it moved to."}


def test_a_named_type_is_a_reference_and_an_extension_is_all_of_its_base_and_its_own_keys() -> None:
    schemas = components(
        {"Place": Place, "Meeting": Meeting, "MeetingDetail": MeetingDetail},
        extending={"MeetingDetail": "Meeting"},
    )
    place = {"$ref": "#/components/schemas/Place"}

    assert schemas["Meeting"]["properties"]["place"] == {"anyOf": [place, {"type": "null"}]}
    assert schemas["MeetingDetail"] == {
        "allOf": [
            {"$ref": "#/components/schemas/Meeting"},
            {
                "type": "object",
                "properties": {"agenda": {"type": "string"}},
                "required": ["agenda"],
            },
        ]
    }


def _keys(schema: dict[str, Any], schemas: dict[str, Any]) -> list[str]:
    if "$ref" in schema:
        return _keys(schemas[schema["$ref"].rsplit("/", 1)[-1]], schemas)
    if "allOf" in schema:
        return [key for part in schema["allOf"] for key in _keys(part, schemas)]
    assert schema["required"] == list(schema["properties"])
    return list(schema["properties"])


def test_every_serialisers_return_type_is_in_the_document_with_every_key_required() -> None:
    schemas = openapi_document("https://consult.example")["components"]["schemas"]
    named = {kind: name for name, kind in ANSWERS.items()}
    serialisers = [
        function
        for _, function in inspect.getmembers(serialise, inspect.isfunction)
        if function.__module__ == serialise.__name__
    ]

    assert serialise.topic in serialisers and serialise.own_response in serialisers
    for function in serialisers:
        returned = get_type_hints(function)["return"]
        assert returned in named, f"{function.__name__} returns a type the document lacks"
        assert _keys(schemas[named[returned]], schemas) == list(get_type_hints(returned))
    for name, kind in ANSWERS.items():
        assert _keys(schemas[name], schemas) == list(get_type_hints(kind))
