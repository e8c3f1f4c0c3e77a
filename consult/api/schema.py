"""JSON Schema (the OpenAPI 3.1 dialect) made from the types the serialisers return, so the API
document cannot say something other than what the serialisers write.

A TypedDict is an object of its keys, in their order; the API writes every key (null when there
is nothing), so keep TypedDicts total (Python 3.11 cannot see `NotRequired` under postponed
annotations). `X | None` may be null; an enum or a `Literal` lists its values; `Annotated` adds
JSON Schema keywords (`Annotated[str, Format("uri")]`) or leaves members out of an enum
(`Annotated[CallPhase, Without(CallPhase.DRAFT)]`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import Enum
from types import NoneType, UnionType
from typing import (
    Annotated,
    Any,
    ClassVar,
    Literal,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

Schema = dict[str, Any]

SCALARS: dict[object, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    NoneType: "null",
}


@dataclass(frozen=True)
class Keyword:
    """A JSON Schema keyword with its value, carried by a type in `Annotated[...]`."""

    keyword: ClassVar[str]
    value: str | int


class Format(Keyword):
    keyword = "format"


class Pattern(Keyword):
    keyword = "pattern"


class Minimum(Keyword):
    keyword = "minimum"


class Maximum(Keyword):
    keyword = "maximum"


class Description(Keyword):
    keyword = "description"


class Without:
    """Enum members never written in this place (a public call is never in its draft phase)."""

    def __init__(self, *members: Enum) -> None:
        self.values = [member.value for member in members]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def schema_of(kind: object, names: Mapping[object, str] = {}) -> Schema:
    """The schema of a type; a type `names` holds is referred to by its name."""
    if kind in names:
        return ref(names[kind])
    origin = get_origin(kind)
    if origin is Annotated:
        base, *marks = get_args(kind)
        schema = schema_of(base, names)
        for mark in marks:
            if isinstance(mark, Without):
                schema["enum"] = [value for value in schema["enum"] if value not in mark.values]
            else:
                schema[mark.keyword] = mark.value
        return schema
    if origin in (Union, UnionType):
        return {"anyOf": [schema_of(member, names) for member in get_args(kind)]}
    if origin is list:
        return {"type": "array", "items": schema_of(get_args(kind)[0], names)}
    if origin is Literal:
        return {"enum": [_value(member) for member in get_args(kind)]}
    if isinstance(kind, type) and issubclass(kind, Enum):
        return {"enum": [member.value for member in kind]}
    if is_typeddict(kind):
        return _object(kind, names)
    if kind in SCALARS:
        return {"type": SCALARS[kind]}
    raise TypeError(f"No JSON Schema for {kind!r}")


def _value(member: object) -> object:
    return member.value if isinstance(member, Enum) else member


def _object(kind: Any, names: Mapping[object, str], skip: Collection[str] = ()) -> Schema:
    hints = get_type_hints(kind, include_extras=True)
    properties = {key: schema_of(hint, names) for key, hint in hints.items() if key not in skip}
    return {
        "type": "object",
        "properties": properties,
        "required": [key for key in properties if key in kind.__required_keys__],
    }


def components(
    named: Mapping[str, object], *, extending: Mapping[str, str] = {}
) -> dict[str, Schema]:
    """`components/schemas` for these TypedDicts, by name; each refers to the others by name.

    `extending` names the component a TypedDict adds keys to (its base class: Python 3.11 does
    not keep a TypedDict's bases), which it is then written as: allOf that one and its own keys."""
    names = {kind: name for name, kind in named.items()}
    schemas = {}
    for name, kind in named.items():
        base = extending.get(name)
        if base is None:
            schemas[name] = _object(kind, names)
        else:
            own = _object(kind, names, skip=get_type_hints(named[base]))
            schemas[name] = {"allOf": [ref(base), own]}
    return schemas
