"""The OpenAPI 3.1 description of /api/v1, built from the same enums the code uses.

It must say what the API really does: the test suite runs schemathesis against it (every
operation, the write ones with a real token) and fails on any response the document does not
allow. Change a view, change this document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from consult.api.http import CURSOR_DIGITS, DATE_TIME, DEFAULT_LIMIT, MAX_LIMIT
from consult.api.http import DATE as DATE_PATTERN
from consult.api.idempotency import KEY_MAX
from consult.calls.models import CallPhase, Question, QuestionKind
from consult.responses.models import Consent, Publication, RespondentType, ResponseStatus
from core.vocabulary import Sector, countries
from events.models import Recurrence, SessionKind, SessionStatus

Schema = dict[str, Any]

# The patterns consult.api.http accepts for `from` and `to`, anchored for JSON Schema.
RFC3339 = f"^{DATE_TIME.pattern}$"
DATE = f"^{DATE_PATTERN.pattern}$"


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _values(enum: Any, *, skip: tuple[Any, ...] = ()) -> list[str]:
    return [member.value for member in enum if member not in skip]


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Schema], *, required: list[str] | None = None) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }


STRING: Schema = {"type": "string"}
# What a query or path value may hold: anything but NUL, which no stored value can hold (400).
# (Lone surrogates cannot arrive there: percent-escapes are decoded as UTF-8.)
NO_NUL = "^[^\\u0000]*$"
WORDS: Schema = {"type": "string", "pattern": NO_NUL}
# What a string in a JSON body may hold: no NUL and no unpaired surrogate (JSON's escapes can write
# both; no database column can hold them), else 422 naming the member.
STORABLE = "^[^\\u0000\\uD800-\\uDFFF]*$"
TEXT: Schema = {"type": "string", "pattern": STORABLE}
URL: Schema = {"type": "string", "format": "uri"}
TIME: Schema = {"type": "string", "format": "date-time"}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}
ID: Schema = {"type": "integer", "minimum": 1}


COUNTRY_CODES = [code for code, _ in countries()]


def _schemas() -> dict[str, Schema]:
    links_list = _object({"self": STRING, "next": _nullable(STRING)})
    return {
        "Problem": {
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
                    "items": _object(
                        {
                            "pointer": {
                                "type": "string",
                                "description": "JSON Pointer (RFC 6901) into the request body.",
                            },
                            "detail": STRING,
                        }
                    ),
                },
                "tracking_number": {
                    "type": "string",
                    "description": "With 409 on a second submission: the response that exists.",
                },
            },
            "required": ["type", "title", "status"],
        },
        "Topic": _object(
            {
                "slug": STRING,
                "name": STRING,
                "summary": STRING,
                "description": STRING,
                "links": _object({"self": URL, "page": URL, "calendar": URL}),
            }
        ),
        "TopicList": _object({"data": {"type": "array", "items": _ref("Topic")}}),
        "Call": _object(
            {
                "slug": STRING,
                "title": STRING,
                "summary": STRING,
                "topic": {"type": "string", "description": "The topic's slug."},
                "status": {"enum": _values(CallPhase, skip=(CallPhase.DRAFT,))},
                "opens_at": TIME,
                "closes_at": TIME,
                "timezone": {"type": "string", "description": "IANA zone the organisers work in."},
                "accepts_responses": BOOLEAN,
                "updated_at": TIME,
                "links": _object({"self": URL, "page": URL, "responses": URL, "comments": URL}),
            }
        ),
        "CallList": _object(
            {"data": {"type": "array", "items": _ref("Call")}, "links": links_list}
        ),
        "Question": _object(
            {
                "id": ID,
                "position": INTEGER,
                "kind": {"enum": _values(QuestionKind)},
                "prompt": STRING,
                "help_text": STRING,
                "required": BOOLEAN,
                "word_limit": _nullable(INTEGER),
                "options": {"type": "array", "items": STRING},
            }
        ),
        "Document": _object(
            {
                "title": STRING,
                "file_name": STRING,
                "content_type": STRING,
                "size": INTEGER,
                "url": _nullable(URL),
            }
        ),
        "CallDetail": {
            "allOf": [
                _ref("Call"),
                _object(
                    {
                        "body": {"type": "string", "description": "Markdown."},
                        "outcome": STRING,
                        "outcome_published_at": _nullable(TIME),
                        "published_responses": INTEGER,
                        "questions": {"type": "array", "items": _ref("Question")},
                        "documents": {"type": "array", "items": _ref("Document")},
                    }
                ),
            ]
        },
        "PublishedAnswer": _object(
            {
                "question_id": ID,
                "prompt": STRING,
                "kind": {"enum": _values(QuestionKind, skip=(QuestionKind.FILE,))},
                "text": {
                    "type": "string",
                    "description": "With every redacted span replaced by “[redacted]”.",
                },
                "choices": {"type": "array", "items": STRING},
                "scale": _nullable({"type": "integer", "minimum": 1, "maximum": 5}),
            }
        ),
        "PublishedResponse": _object(
            {
                "id": ID,
                "call": STRING,
                "author": {
                    "type": "string",
                    "description": "“Anonymous respondent” unless its author chose to be named.",
                },
                "respondent_type": {"enum": _values(RespondentType)},
                "sector": {"enum": _values(Sector)},
                "country": {"type": "string", "description": "ISO 3166-1 alpha-2."},
                "submitted_at": _nullable(TIME),
                "answers": {"type": "array", "items": _ref("PublishedAnswer")},
                "links": _object({"call_responses_page": URL, "not_me": URL}),
            }
        ),
        "PublishedResponseList": _object(
            {
                "data": {"type": "array", "items": _ref("PublishedResponse")},
                "total": {"type": "integer", "minimum": 0},
                "links": links_list,
            }
        ),
        "Comment": _object(
            {
                "id": ID,
                "parent_id": _nullable(ID),
                "author": STRING,
                "body": {"type": "string", "description": "Markdown as written."},
                "body_html": {"type": "string", "description": "The Markdown rendered, sanitised."},
                "created_at": TIME,
            }
        ),
        "CommentList": _object({"data": {"type": "array", "items": _ref("Comment")}}),
        "Occurrence": _object(
            {
                "starts_at": TIME,
                "ends_at": TIME,
                "original_start": {
                    "type": "string",
                    "format": "date-time",
                    "description": "The start the series rule gave it (its RECURRENCE-ID).",
                },
                "cancelled": BOOLEAN,
                "moved": BOOLEAN,
            }
        ),
        "Session": _object(
            {
                "slug": STRING,
                "title": STRING,
                "description": STRING,
                "kind": {"enum": _values(SessionKind)},
                "topics": {"type": "array", "items": STRING},
                "call": _nullable(STRING),
                "timezone": STRING,
                "location": STRING,
                "online": {
                    "type": "boolean",
                    "description": "Whether it can be joined online (the link goes to registered people).",
                },
                "capacity": _nullable(INTEGER),
                "status": {"enum": _values(SessionStatus)},
                "sequence": INTEGER,
                "recurrence": _nullable(
                    _object(
                        {
                            "frequency": {"enum": _values(Recurrence, skip=(Recurrence.NONE,))},
                            "count": _nullable(INTEGER),
                            "until": _nullable(TIME),
                        }
                    )
                ),
                "occurrences": {"type": "array", "items": _ref("Occurrence")},
                "links": _object({"self": URL, "page": URL, "calendar": URL}),
            }
        ),
        "SessionList": _object(
            {"data": {"type": "array", "items": _ref("Session")}, "from": TIME, "to": TIME}
        ),
        "SessionDetail": {"allOf": [_ref("Session"), _object({"from": TIME, "to": TIME})]},
        "ResponseSubmission": {
            "type": "object",
            "description": (
                "A whole response: it replaces any earlier answers. The organisation is the one "
                "the token's account names; the response is submitted at once. No string may "
                "hold a NUL character or an unpaired surrogate (422, naming the member)."
            ),
            "properties": {
                "respondent": {
                    "type": "object",
                    "properties": {
                        "sector": {"enum": _values(Sector)},
                        "country": {
                            "enum": COUNTRY_CODES,
                            "description": "ISO 3166-1 alpha-2, e.g. GB or US.",
                        },
                        "consent": {"enum": _values(Consent)},
                    },
                    "required": ["sector", "country", "consent"],
                    "additionalProperties": False,
                },
                "answers": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "description": (
                            "One question's answer, in the member its kind takes: `text` (long "
                            "and short text), `choices` (single: one item; multiple), `scale` "
                            "(1–5) or `file`."
                        ),
                        "properties": {
                            "question_id": ID,
                            "text": TEXT,
                            "choices": {"type": "array", "items": TEXT},
                            "scale": {"type": "integer", "minimum": 1, "maximum": 5},
                            "sensitive": {
                                "type": "boolean",
                                "description": "Commercially sensitive: never published.",
                            },
                            "file": {
                                "type": "object",
                                "properties": {
                                    "file_name": {
                                        "type": "string",
                                        "minLength": 1,
                                        "maxLength": 255,
                                    },
                                    "content_base64": {
                                        "type": "string",
                                        "contentEncoding": "base64",
                                    },
                                },
                                "required": ["file_name", "content_base64"],
                                "additionalProperties": False,
                            },
                        },
                        "required": ["question_id"],
                        "additionalProperties": False,
                    },
                },
            },
            "required": ["respondent", "answers"],
            "additionalProperties": False,
        },
        "OwnResponse": _object(
            {
                "tracking_number": STRING,
                "call": STRING,
                "status": {"enum": _values(ResponseStatus)},
                "revision": INTEGER,
                "submitted_at": _nullable(TIME),
                "last_submitted_at": _nullable(TIME),
                "publication": {"enum": _values(Publication)},
                "respondent": _object(
                    {
                        "respondent_type": {"enum": _values(RespondentType)},
                        "organisation_name": STRING,
                        "sector": {"enum": _values(Sector)},
                        "country": STRING,
                        "consent": {"enum": _values(Consent)},
                    }
                ),
                "answers": {
                    "type": "array",
                    "items": _object(
                        {
                            "question_id": ID,
                            "text": STRING,
                            "choices": {"type": "array", "items": STRING},
                            "scale": _nullable(INTEGER),
                            "sensitive": BOOLEAN,
                            "files": {
                                "type": "array",
                                "items": _object(
                                    {"file_name": STRING, "content_type": STRING, "size": INTEGER}
                                ),
                            },
                        }
                    ),
                },
                "links": _object({"self": URL, "receipt": URL}),
            }
        ),
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
    kind = QuestionKind(question.kind)
    values: dict[QuestionKind, dict[str, Any]] = {
        QuestionKind.LONG_TEXT: {"text": "Shared cryogenic test beds, measured the same way."},
        QuestionKind.SHORT_TEXT: {"text": "Head of standards"},
        QuestionKind.SINGLE_CHOICE: {"choices": list(question.options or [])[:1]},
        QuestionKind.MULTIPLE_CHOICE: {"choices": list(question.options or [])[:1]},
        QuestionKind.SCALE: {"scale": 4, "sensitive": False},
        QuestionKind.FILE: {"file": EXAMPLE_FILE},
    }
    return {"question_id": question.id, **values[kind]}


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
    media: Schema = {"schema": _ref("Problem")}
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


def _read(
    summary: str,
    description: str,
    schema: str,
    parameters: list[Schema],
    tag: str,
    *,
    op: str,
    ranged: bool = False,
) -> Schema:
    return {
        "get": {
            "operationId": op,
            "summary": summary,
            "description": description,
            "tags": [tag],
            "parameters": parameters,
            "responses": {
                "200": {
                    "description": "OK",
                    "headers": ETAG,
                    "content": {"application/json": {"schema": _ref(schema)}},
                },
                "304": {"$ref": "#/components/responses/NotModified"},
                "400": {"$ref": "#/components/responses/BadRequest"},
                "404": {"$ref": "#/components/responses/NotFound"},
                "429": {"$ref": "#/components/responses/ReadLimited"},
                **({"422": {"$ref": "#/components/responses/BadRange"}} if ranged else {}),
            },
        }
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


def _write(
    op: str,
    summary: str,
    description: str,
    status: str,
    parameters: list[Schema],
    example: dict[str, Any] | None,
) -> Schema:
    body: Schema = {"schema": _ref("ResponseSubmission")}
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
                "content": {"application/json": {"schema": _ref("OwnResponse")}},
            },
            "400": {"$ref": "#/components/responses/BadRequest"},
            "401": {"$ref": "#/components/responses/Unauthorised"},
            "403": {"$ref": "#/components/responses/Forbidden"},
            "404": {"$ref": "#/components/responses/NotFound"},
            "409": {"$ref": "#/components/responses/Conflict"},
            "413": {"$ref": "#/components/responses/TooLarge"},
            "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
            "422": {"$ref": "#/components/responses/Invalid"},
            "429": {"$ref": "#/components/responses/WriteLimited"},
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
            "/topics": _read(
                "List topics",
                "Every topic, in the site's order.",
                "TopicList",
                [],
                "Topics",
                op="listTopics",
            ),
            "/topics/{slug}": _read(
                "One topic", "A topic and its links.", "Topic", [slug], "Topics", op="getTopic"
            ),
            "/calls": _read(
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
            ),
            "/calls/{slug}": _read(
                "One call",
                "A call with its questions (their ids are what answers name) and documents.",
                "CallDetail",
                [call_slug],
                "Calls",
                op="getCall",
            ),
            "/calls/{slug}/responses": {
                **_read(
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
            "/calls/{slug}/comments": _read(
                "Approved comments",
                "The call's approved comments, oldest first; replies name their parent.",
                "CommentList",
                [call_slug],
                "Comments",
                op="listComments",
            ),
            "/sessions": _read(
                "List sessions",
                "Public sessions with their occurrences inside the range (series expanded, "
                "moved and cancelled dates marked).",
                "SessionList",
                [*_range_params(), topic],
                "Sessions",
                op="listSessions",
                ranged=True,
            ),
            "/sessions/{slug}": _read(
                "One session",
                "A public session with its occurrences inside the range.",
                "SessionDetail",
                [slug, *_range_params()],
                "Sessions",
                op="getSession",
                ranged=True,
            ),
            "/responses/{tracking}": {
                "get": {
                    "operationId": "getOwnResponse",
                    "summary": "Your organisation's response",
                    "description": "Everything you submitted, sensitive answers included, and its state.",
                    "tags": ["Responding"],
                    "security": [{"apiToken": []}],
                    "parameters": [tracking],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "headers": ETAG,
                            "content": {"application/json": {"schema": _ref("OwnResponse")}},
                        },
                        "304": {"$ref": "#/components/responses/NotModified"},
                        "401": {"$ref": "#/components/responses/Unauthorised"},
                        "404": {"$ref": "#/components/responses/NotFound"},
                    },
                },
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
