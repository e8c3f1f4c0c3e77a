"""The Frictionless Data Package (v1) that describes a call's open-data export. Pure: no I/O."""

from __future__ import annotations

from typing import Any

from consult.exports.formats import FORMATS
from consult.exports.tables import Column


def field_of(column: Column) -> dict[str, Any]:
    described: dict[str, Any] = {
        "name": column.name,
        "type": column.type,
        "description": column.description,
    }  # datetimes in the default format: ISO 8601 in UTC, e.g. 2026-11-24T11:00:00Z
    constraints: dict[str, Any] = {}
    if column.enum:
        constraints["enum"] = list(column.enum)
    if column.minimum is not None:
        constraints["minimum"] = column.minimum
    if column.maximum is not None:
        constraints["maximum"] = column.maximum
    if column.name == "id":
        constraints["required"] = True
        constraints["unique"] = True
    if constraints:
        described["constraints"] = constraints
    return described


def data_package(
    *,
    name: str,
    title: str,
    description: str,
    homepage: str,
    urls: dict[str, str],
    columns: list[Column],
) -> dict[str, Any]:
    """A descriptor with one resource per format; `urls` maps an extension to its address."""
    schema = {"fields": [field_of(column) for column in columns], "primaryKey": ["id"]}
    resources = []
    for extension, url in urls.items():
        resource: dict[str, Any] = {
            "name": f"{name}-responses-{extension}",
            "path": url,
            "format": extension,
            "mediatype": FORMATS[extension].media_type.split(";")[0],
            "schema": schema,
        }
        if extension == "csv":
            resource["profile"] = "tabular-data-resource"
            resource["encoding"] = "utf-8"  # with a byte-order mark, which readers drop
            resource["dialect"] = {"delimiter": ",", "lineTerminator": "\r\n", "header": True}
        elif extension == "jsonl":
            resource["encoding"] = "utf-8"
        resources.append(resource)
    return {
        "profile": "data-package",
        "name": name,
        "title": title,
        "description": description,
        "homepage": homepage,
        "resources": resources,
    }
