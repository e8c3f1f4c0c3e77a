"""Full-text search over published responses: SQLite FTS5 or PostgreSQL's GIN-indexed tsvector.

The searchable text lives in `response_search` (one row per published response, written by
`consult.moderation.public.refresh_public_text`). On SQLite an FTS5 table with external content
mirrors it through triggers; on PostgreSQL an expression index on `to_tsvector('english', body)`
serves `websearch_to_tsquery`. Either way a search is one indexed query, whatever the number of
responses.
"""

from __future__ import annotations

import re
from typing import Any

from pypika_tortoise.context import SqlContext
from pypika_tortoise.enums import Dialects
from pypika_tortoise.terms import Term, ValueWrapper
from tortoise.backends.base.client import BaseDBAsyncClient

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS response_search_fts USING fts5("
    "body, content='response_search', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS response_search_ai AFTER INSERT ON response_search BEGIN "
    "INSERT INTO response_search_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS response_search_ad AFTER DELETE ON response_search BEGIN "
    "INSERT INTO response_search_fts(response_search_fts, rowid, body) "
    "VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS response_search_au AFTER UPDATE ON response_search BEGIN "
    "INSERT INTO response_search_fts(response_search_fts, rowid, body) "
    "VALUES ('delete', old.id, old.body); "
    "INSERT INTO response_search_fts(rowid, body) VALUES (new.id, new.body); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS response_search_au",
    "DROP TRIGGER IF EXISTS response_search_ad",
    "DROP TRIGGER IF EXISTS response_search_ai",
    "DROP TABLE IF EXISTS response_search_fts",
)
POSTGRES_CREATE = (
    "CREATE INDEX IF NOT EXISTS response_search_body_fts "
    "ON response_search USING GIN (to_tsvector('english', body))",
)
POSTGRES_DROP = ("DROP INDEX IF EXISTS response_search_body_fts",)

# Words only: FTS5 and tsquery both have their own syntax, which a visitor must not be able to use.
WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 12


def is_sqlite(client: BaseDBAsyncClient) -> bool:
    return client.capabilities.dialect == "sqlite"


async def create_search_index(apps: Any, schema_editor: Any) -> None:
    """The migration's step: build the index that fits the database it runs on."""
    client = schema_editor.client
    for statement in SQLITE_CREATE if is_sqlite(client) else POSTGRES_CREATE:
        await client.execute_script(statement)


async def drop_search_index(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    for statement in SQLITE_DROP if is_sqlite(client) else POSTGRES_DROP:
        await client.execute_script(statement)


def search_terms(text: str) -> list[str]:
    """The words of a visitor's search, at most MAX_TERMS of them, without any query syntax."""
    return WORD.findall(text.lower())[:MAX_TERMS]


# The ids of responses whose public text has every term; {param} is the one query parameter.
SQLITE_MATCHING = (
    "SELECT response_id FROM response_search WHERE id IN "
    "(SELECT rowid FROM response_search_fts WHERE response_search_fts MATCH {param})"
)
POSTGRES_MATCHING = (
    "SELECT response_id FROM response_search "
    "WHERE to_tsvector('english', body) @@ plainto_tsquery('english', {param})"
)


def _query(sqlite: bool, terms: list[str]) -> str:
    # Each term quoted for FTS5: it reads it as a plain string, never as an operator or column
    # filter. plainto_tsquery ignores any syntax itself.
    return " ".join(f'"{term}"' for term in terms) if sqlite else " ".join(terms)


def match_sql(client: BaseDBAsyncClient, terms: list[str]) -> tuple[str, list[Any]]:
    """A condition on `response.id` that is true for responses whose public text has every term.

    Returns SQL to put in a WHERE clause (referring to the `response` table) and its parameters.
    """
    sqlite = is_sqlite(client)
    matching = (SQLITE_MATCHING if sqlite else POSTGRES_MATCHING).format(
        param="?" if sqlite else "$1"
    )
    return f'"response"."id" IN ({matching})', [_query(sqlite, terms)]


class Matching(Term):
    """The same condition for the ORM: `Response.filter(id__in=Matching(terms))`.

    The query builder numbers the parameter itself (`?` on SQLite, `$n` on PostgreSQL), so the
    search combines with any other filter, count, order and page in one indexed query. A term
    of pypika-tortoise, Tortoise's query builder, like Tortoise's own `Subquery`.
    """

    def __init__(self, terms: list[str]) -> None:
        super().__init__()
        self.terms = terms

    def get_sql(self, ctx: SqlContext) -> str:
        sqlite = ctx.dialect == Dialects.SQLITE
        param = ValueWrapper(_query(sqlite, self.terms)).get_sql(ctx)
        return "(" + (SQLITE_MATCHING if sqlite else POSTGRES_MATCHING).format(param=param) + ")"
