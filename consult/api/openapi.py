"""The OpenAPI 3.1 description of /api/v1, built from the same enums the code uses; the schemas
of what it answers are made from the serialisers' return types (`consult.api.schema`).

It must say what the API really does: the test suite runs schemathesis against it (every
operation, the write ones with a real token) and fails on any response the document does not
allow. Change a view, change this document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from consult.api import serialise
from consult.api.http import CURSOR_DIGITS, DATE_TIME, DEFAULT_LIMIT, MAX_LIMIT
from consult.api.http import DATE as DATE_PATTERN
from consult.api.idempotency import KEY_MAX
from consult.api.schema import Schema, components, ref, schema_of
from consult.calls.models import CallPhase, Question
from consult.calls.question_kinds import KINDS, SCALE_VALUES, AnswerPart
from consult.responses.models import Consent, RespondentType
from core.vocabulary import Sector, countries

# The patterns consult.api.http accepts for `from` and `to`, anchored for JSON Schema.
RFC3339 = f"^{DATE_TIME.pattern}$"
DATE = f"^{DATE_PATTERN.pattern}$"


def _values(enum: type[Enum], *, skip: tuple[Enum, ...] = ()) -> list[str]:
    return [member.value for member in enum if member not in skip]


STRING: Schema = {"type": "string"}
# What a query or path value may hold: anything but NUL, which no stored value can hold (400).
# (Lone surrogates cannot arrive there: percent-escapes are decoded as UTF-8.)
NO_NUL = "^[^\\u0000]*$"
WORDS: Schema = {"type": "string", "pattern": NO_NUL}
# What a string in a JSON body may hold: no NUL and no unpaired surrogate (JSON's escapes can write
# both; no database column can hold them), else 422 naming the member.
STORABLE = "^[^\\u0000\\uD800-\\uDFFF]*$"
TEXT: Schema = {"type": "string", "pattern": STORABLE}


COUNTRY_CODES = [code for code, _ in countries()]

# What the API answers, each the return type of a serialiser or of a view's envelope around them.
ANSWERS: dict[str, object] = {
    "Topic": serialise.TopicOut,
    "TopicList": serialise.TopicListOut,
    "Call": serialise.CallOut,
    "CallList": serialise.CallListOut,
    "Question": serialise.QuestionOut,
    "Document": serialise.DocumentOut,
    "CallDetail": serialise.CallDetailOut,
    "PublishedAnswer": serialise.PublishedAnswerOut,
    "PublishedResponse": serialise.PublishedResponseOut,
    "PublishedResponseList": serialise.PublishedResponseListOut,
    "Comment": serialise.CommentOut,
    "CommentList": serialise.CommentListOut,
    "Occurrence": serialise.OccurrenceOut,
    "Session": serialise.SessionOut,
    "SessionList": serialise.SessionListOut,
    "SessionDetail": serialise.SessionDetailOut,
    "OwnResponse": serialise.OwnResponseOut,
}
EXTENDING = {"CallDetail": "Call", "SessionDetail": "Session"}

PROBLEM: Schema = {
    "type": "object",
    "description": "An error, as RFC 9457 problem details.",
    "properties": {
        "type": STRING,
        "title": STRING,
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": STRING,
        "errors": {
            "type": "array",
            "description": "For validation errors: one entry per field at fault.",
            "items": {
                "type": "object",
                "properties": {
                    "pointer": {
                        "type": "string",
                        "description": "JSON Pointer (RFC 6901) into the request body.",
                    },
                    "detail": STRING,
                },
                "required": ["pointer", "detail"],
            },
        },
        "tracking_number": {
            "type": "string",
            "description": "With 409 on a second submission: the response that exists.",
        },
    },
    "required": ["type", "title", "status"],
}


def _closed(properties: dict[str, Schema], *required: str, **keywords: Any) -> Schema:
    """An object of a request body: a member it does not name is refused (422)."""
    return {
        "type": "object",
        **keywords,
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


SUBMISSION = _closed(
    {
        "respondent": _closed(
            {
                "sector": {"enum": _values(Sector)},
                "country": {
                    "enum": COUNTRY_CODES,
                    "description": "ISO 3166-1 alpha-2, e.g. GB or US.",
                },
                "consent": {"enum": _values(Consent)},
            },
            "sector",
            "country",
            "consent",
        ),
        "answers": {
            "type": "array",
            "items": _closed(
                {
                    "question_id": schema_of(serialise.Id),
                    "text": TEXT,
                    "choices": {"type": "array", "items": TEXT},
                    "scale": {
                        "type": "integer",
                        "minimum": SCALE_VALUES[0],
                        "maximum": SCALE_VALUES[-1],
                    },
                    "sensitive": {
                        "type": "boolean",
                        "description": "Commercially sensitive: never published.",
                    },
                    "file": _closed(
                        {
                            "file_name": {"type": "string", "minLength": 1, "maxLength": 255},
                            "content_base64": {"type": "string", "contentEncoding": "base64"},
                        },
                        "file_name",
                        "content_base64",
                    ),
                },
                "question_id",
                description=(
                    "One question's answer, in the member its kind takes: `text` (long and short "
                    "text), `choices` (single: one item; multiple), "
                    f"`scale` ({SCALE_VALUES[0]}–{SCALE_VALUES[-1]}) or `file`."
                ),
            ),
        },
    },
    "respondent",
    "answers",
    description=(
        "A whole response: it replaces any earlier answers. The organisation is the one the "
        "token's account names; the response is submitted at once. No string may hold a NUL "
        "character or an unpaired surrogate (422, naming the member)."
    ),
)


def _schemas() -> dict[str, Schema]:
    return {
        "Problem": PROBLEM,
        **components(ANSWERS, extending=EXTENDING),
        "ResponseSubmission": SUBMISSION,
    }


@dataclass(frozen=True)
class ExampleCall:
    """An open call, whose questions the request examples answer: a question id belongs to one
    call, so an example body is only valid for the call it is shown with."""

    slug: str
    questions: Sequence[Question]


# The smallest file the upload check accepts as a PDF.
EXAMPLE_FILE = {"file_name": "evidence.pdf", "content_base64": "JVBERi0xLjcKJSVFT0YK"}


def _example_answer(question: Question) -> dict[str, Any]:
    rules = KINDS[question.kind]
    values: dict[AnswerPart, dict[str, Any]] = {
        AnswerPart.TEXT: {
            "text": "Shared cryogenic test beds, measured the same way."
            if rules.prose
            else "Head of standards"
        },
        AnswerPart.CHOICES: {"choices": list(question.options or [])[:1]},
        AnswerPart.SCALE: {"scale": 4, "sensitive": False},
        AnswerPart.FILE: {"file": EXAMPLE_FILE},
    }
    return {"question_id": question.id, **values[rules.part]}


def submission_example(call: ExampleCall) -> dict[str, Any]:
    """A body that POST /calls/{slug}/responses accepts for this call: every question answered."""
    return {
        "respondent": {"sector": "industry", "country": "GB", "consent": "publish_named"},
        "answers": [_example_answer(question) for question in call.questions],
    }


INVALID_EXAMPLE = {
    "type": "/api/docs#problem-invalid",
    "title": "Unprocessable Entity",
    "status": 422,
    "detail": "The response has problems: see `errors`.",
    "errors": [
        {
            "pointer": "/answers/0/text",
            "detail": "Your answer has 512 words; use 500 words or fewer",
        }
    ],
}


def _problem(
    description: str,
    *,
    headers: dict[str, Schema] | None = None,
    example: dict[str, Any] | None = None,
) -> Schema:
    media: Schema = {"schema": ref("Problem")}
    if example:
        media["example"] = example
    answer: Schema = {"description": description, "content": {"application/problem+json": media}}
    if headers:
        answer["headers"] = headers
    return answer


RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}
ETAG = {
    "ETag": {
        "description": "Send it back in If-None-Match to get 304 when unchanged.",
        "schema": STRING,
    }
}


def _responses() -> dict[str, Schema]:
    return {
        "BadRequest": _problem("A query value, header or body that cannot be read."),
        "NotFound": _problem("No such thing (or not one you may see)."),
        "BadRange": _problem(
            "`from` and `to` are well formed but make no range: a date that does not exist, "
            "`to` not after `from`, or more than 366 days."
        ),
        "NotModified": {"description": "Unchanged since the ETag you sent.", "headers": ETAG},
        "ReadLimited": _problem("Too many requests from your address.", headers=RETRY_AFTER),
        "Unauthorised": _problem(
            "No token, or one that is not valid (revoked, mistyped).",
            headers={"WWW-Authenticate": {"schema": STRING}},
        ),
        "Forbidden": _problem(
            "The token's account may not respond (email not confirmed, or it names no organisation)."
        ),
        "Conflict": _problem(
            "The call does not accept responses now; your organisation already responded (use "
            "PUT); or a request with the same Idempotency-Key is still running.",
        ),
        "TooLarge": _problem("The body is over the size limit."),
        "UnsupportedMediaType": _problem("The body is not sent as application/json."),
        "Invalid": _problem(
            "The response breaks a rule (each listed in `errors`), or the Idempotency-Key was "
            "used for a different request.",
            example=INVALID_EXAMPLE,
        ),
        "WriteLimited": _problem("Too many writes for this token or address.", headers=RETRY_AFTER),
    }


def _shared(answers: dict[str, str]) -> dict[str, Schema]:
    """Answers under `components/responses`, by status: {"404": "NotFound"}."""
    return {status: {"$ref": f"#/components/responses/{name}"} for status, name in answers.items()}


READ_ERRORS = {"304": "NotModified", "400": "BadRequest", "404": "NotFound", "429": "ReadLimited"}


def _read(
    summary: str,
    description: str,
    schema: str,
    parameters: list[Schema],
    tag: str,
    *,
    op: str,
    errors: dict[str, str] = READ_ERRORS,
    secured: bool = False,
) -> Schema:
    return {
        "operationId": op,
        "summary": summary,
        "description": description,
        "tags": [tag],
        **({"security": [{"apiToken": []}]} if secured else {}),
        "parameters": parameters,
        "responses": {
            "200": {
                "description": "OK",
                "headers": ETAG,
                "content": {"application/json": {"schema": ref(schema)}},
            },
            **_shared(errors),
        },
    }


def _path_param(name: str, description: str, example: str | None = None) -> Schema:
    parameter = {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": WORDS,
    }
    if example is not None:
        parameter["example"] = example
    return parameter


def _query(name: str, description: str, schema: Schema) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _page_params() -> list[Schema]:
    return [
        _query(
            "cursor",
            "From the previous page's `links.next`; absent for the first page.",
            {"type": "string", "pattern": f"^[0-9]{{1,{CURSOR_DIGITS}}}$"},
        ),
        _query(
            "limit",
            f"How many per page (default {DEFAULT_LIMIT}).",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        ),
    ]


def _range_params() -> list[Schema]:
    when = {"anyOf": [{"type": "string", "pattern": DATE}, {"type": "string", "pattern": RFC3339}]}
    return [
        _query("from", "Start of the range (a date is its midnight UTC); default now.", when),
        _query(
            "to",
            "End of the range, at most 366 days after `from`; default 90 days after it.",
            when,
        ),
    ]


WRITE_ERRORS = {
    "400": "BadRequest",
    "401": "Unauthorised",
    "403": "Forbidden",
    "404": "NotFound",
    "409": "Conflict",
    "413": "TooLarge",
    "415": "UnsupportedMediaType",
    "422": "Invalid",
    "429": "WriteLimited",
}


def _write(
    op: str,
    summary: str,
    description: str,
    status: str,
    parameters: list[Schema],
    example: dict[str, Any] | None,
) -> Schema:
    body: Schema = {"schema": ref("ResponseSubmission")}
    if example is not None:
        body["example"] = example
    return {
        "operationId": op,
        "summary": summary,
        "description": description,
        "tags": ["Responding"],
        "security": [{"apiToken": []}],
        "parameters": [
            *parameters,
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": True,
                "description": (
                    "A new unique value (such as a UUID) per response you mean to send. Sent again "
                    "with the same body it returns the first answer; with another body, 422."
                ),
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": KEY_MAX,
                    "pattern": r"^[A-Za-z0-9._:+/=~-]+$",
                },
            },
        ],
        "requestBody": {
            "required": True,
            "content": {"application/json": body},
        },
        "responses": {
            status: {
                "description": "Submitted: the response is stored, and a copy is emailed to the account.",
                "headers": {"Location": {"schema": STRING}},
                "content": {"application/json": {"schema": ref("OwnResponse")}},
            },
            **_shared(WRITE_ERRORS),
        },
    }


def openapi_document(server_url: str, example: ExampleCall | None = None) -> Schema:
    """The document; with `example`, an open call, the write operations show a body valid for
    it (and the call paths its slug). Without one they show none rather than a wrong one."""
    slug = _path_param("slug", "The slug in the item's web address.")
    call_slug = _path_param(
        "slug", "The slug in the call's web address.", example.slug if example else None
    )
    body = submission_example(example) if example else None
    tracking = _path_param(
        "tracking", "The tracking number on the receipt, e.g. QC-2026-7KX4-M9PD."
    )
    topic = _query("topic", "Only those of this topic (its slug).", WORDS)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "QIST Consult API",
            "version": "1.0.0",
            "summary": "Open data and response submission for the US–UK quantum partnership's calls for input.",
            "description": (
                "Read everything public: topics, calls for input with their questions, sessions "
                "with their dates, published responses (exactly as the public pages show them: "
                "never a commercially sensitive answer or a redacted span) and approved comments. "
                "Organisations submit responses with an API token from their account page.\n\n"
                "Reads need no key, answer with an ETag (send If-None-Match for a 304) and allow "
                "any origin (CORS). Errors are RFC 9457 problem details. Times are RFC 3339 in UTC."
            ),
            "license": {"name": "Open Government Licence v3.0", "identifier": "OGL-UK-3.0"},
        },
        "servers": [{"url": server_url.rstrip("/") + "/api/v1"}],
        "tags": [
            {"name": "Topics"},
            {"name": "Calls"},
            {"name": "Published responses"},
            {"name": "Comments"},
            {"name": "Sessions"},
            {"name": "Responding", "description": "For organisations with an API token."},
        ],
        "paths": {
            "/topics": {
                "get": _read(
                    "List topics",
                    "Every topic, in the site's order.",
                    "TopicList",
                    [],
                    "Topics",
                    op="listTopics",
                )
            },
            "/topics/{slug}": {
                "get": _read(
                    "One topic", "A topic and its links.", "Topic", [slug], "Topics", op="getTopic"
                )
            },
            "/calls": {
                "get": _read(
                    "List calls",
                    "Public calls for input, newest first.",
                    "CallList",
                    [
                        topic,
                        _query(
                            "status",
                            "Only calls in this phase now.",
                            {"enum": _values(CallPhase, skip=(CallPhase.DRAFT,))},
                        ),
                        *_page_params(),
                    ],
                    "Calls",
                    op="listCalls",
                )
            },
            "/calls/{slug}": {
                "get": _read(
                    "One call",
                    "A call with its questions (their ids are what answers name) and documents.",
                    "CallDetail",
                    [call_slug],
                    "Calls",
                    op="getCall",
                )
            },
            "/calls/{slug}/responses": {
                "get": _read(
                    "Published responses",
                    "The call's published responses, oldest first, filtered like the public page.",
                    "PublishedResponseList",
                    [
                        call_slug,
                        _query(
                            "sector",
                            "Only this sector (empty: any).",
                            {"enum": ["", *_values(Sector)]},
                        ),
                        _query(
                            "country",
                            "Only this country, ISO 3166-1 alpha-2 (empty: any).",
                            {"enum": ["", *COUNTRY_CODES]},
                        ),
                        _query(
                            "type",
                            "Only individuals or organisations (empty: any).",
                            {"enum": ["", *_values(RespondentType)]},
                        ),
                        _query("q", "Words to search for in the published text.", WORDS),
                        *_page_params(),
                    ],
                    "Published responses",
                    op="listPublishedResponses",
                ),
                "post": _write(
                    "submitResponse",
                    "Submit your organisation's response",
                    "Validated by the same rules as the web form; the call must be open. One "
                    "response per organisation account per call: change it with PUT.",
                    "201",
                    [call_slug],
                    body,
                ),
            },
            "/calls/{slug}/comments": {
                "get": _read(
                    "Approved comments",
                    "The call's approved comments, oldest first; replies name their parent.",
                    "CommentList",
                    [call_slug],
                    "Comments",
                    op="listComments",
                )
            },
            "/sessions": {
                "get": _read(
                    "List sessions",
                    "Public sessions with their occurrences inside the range (series expanded, "
                    "moved and cancelled dates marked).",
                    "SessionList",
                    [*_range_params(), topic],
                    "Sessions",
                    op="listSessions",
                    errors={**READ_ERRORS, "422": "BadRange"},
                )
            },
            "/sessions/{slug}": {
                "get": _read(
                    "One session",
                    "A public session with its occurrences inside the range.",
                    "SessionDetail",
                    [slug, *_range_params()],
                    "Sessions",
                    op="getSession",
                    errors={**READ_ERRORS, "422": "BadRange"},
                )
            },
            "/responses/{tracking}": {
                "get": _read(
                    "Your organisation's response",
                    "Everything you submitted, sensitive answers included, and its state.",
                    "OwnResponse",
                    [tracking],
                    "Responding",
                    op="getOwnResponse",
                    errors={"304": "NotModified", "401": "Unauthorised", "404": "NotFound"},
                    secured=True,
                ),
                "put": _write(
                    "replaceResponse",
                    "Change your organisation's response",
                    "Replaces the answers and submits again (before the deadline). It goes back "
                    "to moderation before it is published again.",
                    "200",
                    [tracking],
                    body,
                ),
            },
        },
        "components": {
            "schemas": _schemas(),
            "responses": _responses(),
            "securitySchemes": {
                "apiToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token from your account page (Account → API tokens).",
                }
            },
        },
    }
