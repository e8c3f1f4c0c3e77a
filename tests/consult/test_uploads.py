"""Uploads are typed by their bytes and stored under a random name; names are made safe."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from consult.uploads import (
    DOCX,
    ODT,
    PDF,
    TEXT,
    UploadRefused,
    detect_type,
    safe_display_name,
    store_upload,
)
from tests.factories import TINY_PDF, docx_bytes, odt_bytes


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TINY_PDF, PDF),
        (docx_bytes(), DOCX),
        (odt_bytes(), ODT),
        ("Plain notes, with ünïcode and\ttabs.\n".encode(), TEXT),
        (b"MZ\x90\x00executable", None),
        (b"\x89PNG\r\n\x1a\n", None),
        (b"PK\x03\x04 broken zip", None),
        (b"text with a NUL \x00 byte", None),
        ("caf\xe9".encode("latin-1"), None),
    ],
)
def test_detect_type_reads_content_not_names(data: bytes, expected: str | None) -> None:
    assert detect_type(data) == expected


def test_a_zip_that_is_neither_docx_nor_odt_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", b"MZ")

    with pytest.raises(UploadRefused):
        store_upload(tmp_path, "letter.docx", buffer.getvalue(), max_bytes=1_000_000)
    assert list(tmp_path.iterdir()) == []


def test_stored_files_get_random_names_and_the_right_extension(tmp_path: Path) -> None:
    stored = store_upload(tmp_path, "../../etc/passwd.txt", TINY_PDF, max_bytes=1_000_000)

    assert stored.original_name == "passwd.pdf"
    assert stored.content_type == PDF
    assert (tmp_path / stored.stored_name).read_bytes() == TINY_PDF
    assert len(stored.stored_name) == 32 and stored.stored_name.isalnum()


def test_display_names_lose_paths_and_header_breaking_characters() -> None:
    assert safe_display_name('C:\\Users\\me\\re"port";\r\n.pdf') == "report.pdf"
    assert safe_display_name("") == "file"
