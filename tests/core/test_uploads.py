"""Uploads are typed by their bytes and stored under a random name; names are made safe."""

from __future__ import annotations

import io
import os
import random
import string
import zipfile
from pathlib import Path

import pytest

from core.uploads import (
    DOCX,
    MAX_PARTS,
    ODT,
    PACKED_TOO_TIGHTLY,
    PDF,
    TEXT,
    TOO_LARGE_UNPACKED,
    TOO_MANY_PARTS,
    UploadRefused,
    detect_type,
    safe_display_name,
    store_upload,
)
from tests.archives import ODT_MIMETYPE, MiB, Part, deflated, odt_bomb, zeros_part, zip_of
from tests.factories import TINY_PDF, docx_bytes, odt_bytes
from tests.support import PeakMemory


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


def _prose(megabytes: float) -> str:
    """Paragraphs of made-up words, which pack about as well as real prose (about 5:1)."""
    rng = random.Random(15)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 10))) for _ in range(800)]
    paragraphs: list[str] = []
    while sum(map(len, paragraphs)) < megabytes * MiB:
        sentence = " ".join(rng.choices(words, k=rng.randint(8, 30)))
        paragraphs.append(f"<w:p><w:r><w:t>{sentence}.</w:t></w:r></w:p>")
    return "".join(paragraphs)


def _table(rows: int) -> str:
    """A long table, the most a real document's text packs (about 45:1 for 20,000 rows)."""
    cell = '<w:tc><w:tcPr><w:tcW w:w="2000" w:type="dxa"/></w:tcPr><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>'
    return "".join(
        f"<w:tr>{cell.format(f'Item {row}')}{cell.format(row * 37 % 1000)}</w:tr>"
        for row in range(rows)
    )


def test_documents_of_a_few_mb_with_pictures_long_text_and_tables_pass_the_limits(
    tmp_path: Path,
) -> None:
    picture = os.urandom(3 * MiB)  # a photograph: already compressed
    body = f"<w:document><w:body>{_prose(1)}<w:tbl>{_table(20_000)}</w:tbl></w:body></w:document>"
    docx, odt = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", body)
        archive.writestr("word/media/image1.jpeg", picture)
    with zipfile.ZipFile(odt, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", ODT, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", body)
        archive.writestr("Pictures/1.jpeg", picture)
        for number in range(200):
            archive.writestr(f"Pictures/{number:040}.png", os.urandom(100))

    for data, expected in ((docx.getvalue(), DOCX), (odt.getvalue(), ODT)):
        assert len(data) > 3 * MiB
        stored = store_upload(tmp_path, "response", data, max_bytes=10 * MiB)
        assert stored.content_type == expected
        assert (tmp_path / stored.stored_name).read_bytes() == data


def test_an_archive_that_expands_past_the_limit_is_refused_before_anything_is_unpacked(
    tmp_path: Path,
) -> None:
    bomb = odt_bomb(1024)  # 1 MB that unpacks to 1 GiB
    assert len(bomb) < 1.1 * MiB

    with PeakMemory() as peak, pytest.raises(UploadRefused) as refused:
        store_upload(tmp_path, "response.odt", bomb, max_bytes=10 * MiB)

    assert str(refused.value) == TOO_LARGE_UNPACKED
    assert "expands to more than 100 MB when unpacked" in TOO_LARGE_UNPACKED
    assert peak.mb < 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "parts",
    [
        # One part: 50 MiB, under the size limit, from 50 KB.
        [deflated("[Content_Types].xml", b"<Types/>"), zeros_part("word/document.xml", 50)],
        # Many parts, each small enough to pass alone: the whole archive is 1,000:1.
        [zeros_part(f"word/media/{number}.xml", 1) for number in range(60)],
    ],
    ids=["one part", "the whole archive"],
)
def test_an_archive_that_expands_far_more_than_a_document_is_refused(
    tmp_path: Path, parts: list[Part]
) -> None:
    with pytest.raises(UploadRefused) as refused:
        store_upload(tmp_path, "response.docx", zip_of(parts), max_bytes=10 * MiB)

    assert str(refused.value) == PACKED_TOO_TIGHTLY
    assert "expands more than 200 times" in PACKED_TOO_TIGHTLY
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("count", "name_length"),
    [(MAX_PARTS + 1, 8), (300, 1000)],
    ids=["too many parts", "a directory too large to read"],
)
def test_an_archive_with_more_parts_than_a_document_is_refused_before_they_are_listed(
    tmp_path: Path, count: int, name_length: int
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for number in range(count):
            archive.writestr(f"word/{number:0{name_length}}", b"")

    with PeakMemory() as peak, pytest.raises(UploadRefused) as refused:
        store_upload(tmp_path, "response.docx", buffer.getvalue(), max_bytes=10 * MiB)

    assert str(refused.value) == TOO_MANY_PARTS
    assert peak.mb < 2
    assert list(tmp_path.iterdir()) == []


def test_a_part_that_unpacks_to_more_than_it_declares_is_read_only_to_a_bound() -> None:
    # Declares the 39 bytes of its type, holds them and 1 GiB of zeros: the sizes pass the limits.
    liar = odt_bomb(1024, declared=len(ODT_MIMETYPE))

    with PeakMemory() as peak:
        found = detect_type(liar)

    assert found is None  # its checksum, of the whole, does not match what was read
    assert peak.mb < 1


def test_a_mimetype_packed_with_a_method_documents_do_not_use_is_not_read() -> None:
    # zipfile unpacks BZIP2 and LZMA a whole chunk at a time, without a bound.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("mimetype", ODT)

    assert detect_type(buffer.getvalue()) is None
