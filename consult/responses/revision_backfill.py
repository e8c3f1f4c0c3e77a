"""The migration step that gives every response submitted before revisions existed its revision.

Each submitted response gets one `ResponseRevision` (numbered as its `revision` was) holding its
details and a copy of its answers; the copies keep the answers' ids, so the redactions made on
those answers stay attached to the same words. Publication moves to the revision, and response
files learn which response owns them.
"""

from __future__ import annotations

import json
from typing import Any

from tortoise.migrations import operations as ops

REVISIONS = """
INSERT INTO response_revision (response_id, number, submitted_at, respondent_type,
    organisation_name, sector, country, consent, publication, publication_decided_by_id,
    publication_decided_at)
SELECT id, revision, COALESCE(last_submitted_at, submitted_at, updated_at), respondent_type,
    organisation_name, sector, country, consent, publication, publication_decided_by_id,
    publication_decided_at
FROM response WHERE tracking_number IS NOT NULL AND revision > 0
"""
ANSWERS = """
INSERT INTO revision_answer (id, revision_id, question_id, text, choices, scale, sensitive, file_ids)
SELECT answer.id, response_revision.id, answer.question_id, answer.text, answer.choices,
    answer.scale, answer.sensitive, {empty}
FROM answer JOIN response_revision ON response_revision.response_id = answer.response_id
"""
POINTERS = """
UPDATE response SET latest_revision_id =
    (SELECT id FROM response_revision WHERE response_revision.response_id = response.id)
"""
PUBLISHED = """
UPDATE response SET published_revision_id = latest_revision_id
WHERE publication = 'published' AND status = 'submitted'
"""
OWNERS = """
UPDATE attachment SET response_id =
    (SELECT response_id FROM answer WHERE answer.id = attachment.answer_id)
WHERE answer_id IS NOT NULL
"""
FILES = "SELECT id, answer_id FROM attachment WHERE answer_id IS NOT NULL ORDER BY id"


async def backfill_revisions(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    sqlite = client.capabilities.dialect == "sqlite"
    await client.execute_script(REVISIONS)
    await client.execute_script(ANSWERS.format(empty="'[]'" if sqlite else "'[]'::jsonb"))
    if not sqlite:
        # The copies took the answers' ids: move the sequence past them.
        await client.execute_script(
            "SELECT setval(pg_get_serial_sequence('revision_answer', 'id'), "
            "COALESCE((SELECT MAX(id) FROM revision_answer), 0) + 1, false)"
        )
    for statement in (POINTERS, PUBLISHED, OWNERS):
        await client.execute_script(statement)
    by_answer: dict[int, list[int]] = {}
    for row in (await client.execute_query(FILES))[1]:
        by_answer.setdefault(row["answer_id"], []).append(row["id"])
    update = (
        "UPDATE revision_answer SET file_ids = ? WHERE id = ?"
        if sqlite
        else "UPDATE revision_answer SET file_ids = $1::jsonb WHERE id = $2"
    )
    for answer_id, ids in by_answer.items():
        await client.execute_query(update, [json.dumps(ids, separators=(",", ":")), answer_id])


async def forget_revisions(apps: Any, schema_editor: Any) -> None:
    """Backwards: the tables go with the migration; nothing to undo in the kept rows."""


SQLITE_REPOINT = (
    """CREATE TABLE "redaction_new" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "start" INT NOT NULL,
    "end" INT NOT NULL,
    "original" TEXT NOT NULL,
    "reason" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "answer_id" INT NOT NULL REFERENCES "revision_answer" ("id") ON DELETE CASCADE,
    "created_by_id" INT REFERENCES "person" ("id") ON DELETE SET NULL
)""",
    'INSERT INTO "redaction_new" SELECT "id", "start", "end", "original", "reason", "created_at",'
    ' "answer_id", "created_by_id" FROM "redaction"',
    'DROP TABLE "redaction"',
    'ALTER TABLE "redaction_new" RENAME TO "redaction"',
)
POSTGRES_OLD_KEY = (
    "SELECT conname FROM pg_constraint WHERE conrelid = 'redaction'::regclass "
    "AND contype = 'f' AND confrelid = 'answer'::regclass"
)


class RepointRedactions(ops.AlterField):
    """Redactions now belong to the answers of a revision (`revision_answer`), not the working copy.

    Tortoise's AlterField cannot change a foreign key's table on SQLite, so the table is rebuilt
    there (the classic way: new table, copy, drop, rename); PostgreSQL swaps the constraint.
    """

    async def database_forward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if not state_editor:
            return
        client = state_editor.client
        if client.capabilities.dialect == "sqlite":
            for statement in SQLITE_REPOINT:
                await client.execute_script(statement)
            return
        for row in (await client.execute_query(POSTGRES_OLD_KEY))[1]:
            await client.execute_script(f'ALTER TABLE redaction DROP CONSTRAINT "{row["conname"]}"')
        await client.execute_script(
            "ALTER TABLE redaction ADD CONSTRAINT fk_redaction_revision_answer "
            "FOREIGN KEY (answer_id) REFERENCES revision_answer (id) ON DELETE CASCADE"
        )


class DropSubmitToken(ops.RemoveField):
    """`response.submit_token` goes: submitting now claims (revision, edits) instead.

    Tortoise's RemoveField rebuilds the table on SQLite and loses its UNIQUE (call_id,
    respondent_id) on the way; both engines drop a column in place (SQLite since 3.35)."""

    async def database_forward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if state_editor:
            await state_editor.client.execute_script(
                'ALTER TABLE "response" DROP COLUMN "submit_token"'
            )
