"""Errors of the JSON API as `application/problem+json` (RFC 9457).

Views raise `Problem`; the app's error handlers turn any HTTP error under /api/ into the same
shape, so a 404 for an unknown path, a 405, a 413 from the body limit or a 503 from a database
that does not answer all read alike. Validation errors carry `errors`: one entry per field, with
a JSON Pointer (RFC 6901) into the request body and a message a person can act on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from starlette.responses import Response

PROBLEM_TYPE = "application/problem+json"
API_PREFIX = "/api/"

# A stable `type` URI per kind of problem, so clients can branch on it rather than on the words.
TYPES = {
    400: "bad-request",
    401: "unauthorised",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "invalid",
    429: "rate-limited",
    500: "server-error",
    503: "unavailable",
}


@dataclass(frozen=True)
class FieldError:
    pointer: str  # JSON Pointer into the request body, e.g. "/answers/0/text"
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"pointer": self.pointer, "detail": self.detail}


@dataclass(eq=False)
class Problem(Exception):
    status: int
    detail: str
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status}: {self.detail}"


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX) and not path.startswith("/api/docs")


def problem_body(
    status: int,
    detail: str | None,
    *,
    errors: list[FieldError] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {
        "type": f"/api/docs#problem-{TYPES.get(status, 'error')}",
        "title": title,
        "status": status,
    }
    if detail and detail != title:
        body["detail"] = detail
    if errors:
        body["errors"] = [error.as_json() for error in errors]
    body.update(extra or {})
    return body


def problem_response(
    status: int,
    detail: str | None,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    body = problem_body(status, detail, errors=errors, extra=extra)
    response = Response(
        json.dumps(body, ensure_ascii=False).encode(),
        status_code=status,
        media_type=PROBLEM_TYPE,
        headers=headers,
    )
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def from_problem(problem: Problem) -> Response:
    return problem_response(
        problem.status,
        problem.detail,
        errors=problem.errors,
        headers=problem.headers,
        extra=problem.extra,
    )
