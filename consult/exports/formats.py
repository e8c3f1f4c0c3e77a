"""Tables written as CSV, JSON Lines or XLSX, a batch at a time, as chunks of bytes.

Each writer consumes the table's batches as it goes and yields bytes, so however many responses a
call has, memory holds one batch plus the writer's own buffer.

- CSV is UTF-8 with a byte-order mark: Excel, which most people open a CSV with, reads a CSV
  without one in the computer's legacy code page and garbles every name with an accent; Python
  (`utf-8-sig`), pandas, R and LibreOffice all read the mark and drop it. Rows end in CRLF as
  RFC 4180 says. Any text cell that begins with = + - @, a tab or a carriage return gets a
  leading apostrophe, so no spreadsheet runs it as a formula (CSV injection).
- JSON Lines: one JSON object per line, keys in column order; numbers stay numbers.
- XLSX is written by openpyxl in write-only mode, which streams each row into a temporary file
  and writes strings inline (no shared-strings table growing in memory); the finished workbook
  is a zip that can only be assembled at the end, so it is saved to an anonymous temporary file
  and streamed from there in chunks. Memory stays constant; disk holds the file meanwhile.
  Text cells are typed as strings, so "=1+1" is stored as the text it is, never a formula.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from consult.exports.tables import Cell, Table

UTF8_BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_MAX = 32_767  # characters Excel keeps in one cell
XLSX_TRUNCATED = " […]"
READ_SIZE = 64 * 1024


def neutralise(value: str) -> str:
    """The cell text a spreadsheet will show as text, never evaluate (OWASP "CSV injection")."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return neutralise(value)


async def csv_chunks(table: Table) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(UTF8_BOM)
    writer.writerow([neutralise(name) for name in table.names])
    async for batch in table.batches:
        writer.writerows([_csv_cell(value) for value in row] for row in batch)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # a table without rows: the header alone
        yield buffer.getvalue().encode("utf-8")


async def jsonl_chunks(table: Table) -> AsyncIterator[bytes]:
    names = table.names
    async for batch in table.batches:
        lines = [
            json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) for row in batch
        ]
        yield ("\n".join(lines) + "\n").encode("utf-8")


def _xlsx_cell(sheet: Any, value: Cell, *, bold: bool = False) -> Any:
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(text) > XLSX_CELL_MAX:
            text = text[: XLSX_CELL_MAX - len(XLSX_TRUNCATED)] + XLSX_TRUNCATED
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # openpyxl would make "=…" a formula: keep it text
    else:
        cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = Font(bold=True)
    return cell


async def xlsx_chunks(table: Table, *, sheet_title: str = "Responses") -> AsyncIterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.append([_xlsx_cell(sheet, name, bold=True) for name in table.names])
    async for batch in table.batches:
        for row in batch:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    with tempfile.TemporaryFile() as file:
        # Zipping is CPU work of seconds for a large call: off the event loop.
        await asyncio.to_thread(workbook.save, file)
        file.seek(0)
        while chunk := await asyncio.to_thread(file.read, READ_SIZE):
            yield chunk


@dataclass(frozen=True)
class Format:
    extension: str
    media_type: str
    label: str


FORMATS = {
    "csv": Format("csv", "text/csv; charset=utf-8; header=present", "CSV"),
    "jsonl": Format("jsonl", "application/jsonl; charset=utf-8", "JSON Lines"),
    "xlsx": Format(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel (XLSX)",
    ),
}
WRITERS = {"csv": csv_chunks, "jsonl": jsonl_chunks, "xlsx": xlsx_chunks}


def encode(table: Table, extension: str) -> AsyncIterator[bytes]:
    """The table as bytes in the format named by its file extension (a key of FORMATS)."""
    return WRITERS[extension](table)
