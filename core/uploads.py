"""Uploaded files: the type is decided by content (magic bytes), never by the name the browser sent.

Files are stored under DATA_DIR/uploads with a random name, outside anything served statically,
and are only ever sent back as attachments by views that check who is asking.
"""

from __future__ import annotations

import hashlib
import io
import lzma
import secrets
import zipfile
import zlib
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import anyio.to_thread

from core.errors import Refused

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
TEXT = "text/plain"
ACCEPTED = {PDF: ".pdf", DOCX: ".docx", ODT: ".odt", TEXT: ".txt"}
ACCEPTED_DESCRIPTION = "PDF, Word (DOCX), OpenDocument text (ODT) or plain text"

MB = 1024 * 1024
# DOCX and ODT files are ZIP archives. We never unpack one (its bytes are stored and sent back as
# they came), but the people who open it do, and the type check reads inside it; so an archive
# that would unpack to far more than a document does is refused by what its directory declares,
# before any part is read, and the one part read (ODT's `mimetype`) is read only to a bound.
#
# Pictures, the bulk of a large document, are already compressed and unpack to about their packed
# size; text unpacks to 5-45 times its size but is rarely more than a MB or two packed. A DOCX or
# ODT of a few MB therefore unpacks to a few tens of MB, and one at the 10 MB limit to under 100.
MAX_UNPACKED_BYTES = 100 * MB
# Deflate cannot pack more than about 1,030:1, and bombs sit near that; a document's prose packs
# at about 5:1 and a table of 20,000 rows at about 45:1 (see the tests). Parts (or whole archives)
# that unpack to less than RATIO_FLOOR are never refused for their ratio: they cost nothing.
MAX_RATIO = 200
RATIO_FLOOR = 1 * MB
# A DOCX has 10-50 parts and an ODT one more per picture; thousands mean something else. zipfile
# builds an object of about 500 bytes per part from the central directory, which it reads in one
# piece, so that piece is bounded too: 2,000 entries with names of 80 characters fit in 256 KiB.
MAX_PARTS = 2_000
MAX_DIRECTORY_BYTES = 256 * 1024
# More than "application/vnd.oasis.opendocument.text" with any whitespace around it.
MIMETYPE_READ_BYTES = 64

TOO_MANY_PARTS = (
    f"This file holds more parts than a document would (at most {MAX_PARTS:,}); "
    "save it again, or as PDF, and try again."
)
TOO_LARGE_UNPACKED = (
    f"This file expands to more than {MAX_UNPACKED_BYTES // MB} MB when unpacked; "
    "make it smaller (for example with smaller pictures) or save it as PDF, and try again."
)
PACKED_TOO_TIGHTLY = (
    f"This file expands more than {MAX_RATIO} times when unpacked, far more than a document "
    "does; save it again, or as PDF, and try again."
)


class UploadRefused(Refused):
    """The file cannot be accepted; the message says why in words for the form."""


@dataclass(frozen=True)
class StoredFile:
    original_name: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def too_large(max_bytes: int) -> str:
    """The refusal for a file over the upload limit, the same from the form and the API."""
    return f"The file must be smaller than {max_bytes // MB} MB."


def detect_type(data: bytes) -> str | None:
    """The accepted type these bytes really are, or None; UploadRefused for an archive that would
    unpack past the limits above."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    return TEXT if _is_plain_text(data) else None


class _DirectoryTooLarge(Exception):
    pass


class _BoundedReads(io.BytesIO):
    """The archive for zipfile, which may not read more than MAX_DIRECTORY_BYTES at once.

    zipfile reads the central directory in one read and builds every entry before we can count
    them; refusing the long read refuses the archive before that. Every other read it makes is
    small: the end record (at most 64 KiB) and, for a part, at most 4 KiB at a time.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(data)  # shares `data` rather than copying it, as long as nothing writes
        self._size = len(data)

    def read(self, size: int | None = -1) -> bytes:
        left = self._size - self.tell()
        if (left if size is None or size < 0 else min(size, left)) > MAX_DIRECTORY_BYTES:
            raise _DirectoryTooLarge
        return super().read(size)


def _office_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(_BoundedReads(data)) as archive:
            parts = archive.infolist()
            _check_unpacked_size(parts)
            names = {part.filename for part in parts}
            if "mimetype" in names and _mimetype(archive) == ODT.encode():
                return ODT
            if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
                return DOCX
    except _DirectoryTooLarge:
        raise UploadRefused(TOO_MANY_PARTS) from None
    except (
        zipfile.BadZipFile,
        KeyError,
        OSError,
        ValueError,
        EOFError,
        RuntimeError,  # an encrypted part
        NotImplementedError,  # a compression method zipfile does not know
        zlib.error,
        lzma.LZMAError,
    ):
        return None
    return None


def _check_unpacked_size(parts: list[zipfile.ZipInfo]) -> None:
    """Refuse an archive by the sizes its directory declares, before any part is read."""
    if len(parts) > MAX_PARTS:
        raise UploadRefused(TOO_MANY_PARTS)
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        raise UploadRefused(TOO_LARGE_UNPACKED)
    packed = sum(part.compress_size for part in parts)
    sizes = [(part.file_size, part.compress_size) for part in parts] + [(unpacked, packed)]
    if any(size > RATIO_FLOOR and size > MAX_RATIO * max(on_disk, 1) for size, on_disk in sizes):
        raise UploadRefused(PACKED_TOO_TIGHTLY)


def _mimetype(archive: zipfile.ZipFile) -> bytes:
    """The start of the `mimetype` part, read to a bound whatever size the part declares."""
    part = archive.getinfo("mimetype")
    # Only these two methods inflate to a bound in zipfile (BZIP2 and LZMA inflate a whole
    # chunk at once), and they are the only ones documents use.
    if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return b""
    with archive.open(part) as member:
        return member.read(MIMETYPE_READ_BYTES).strip()


def _is_plain_text(data: bytes) -> bool:
    if not data or b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch in "\t\n\r\f" or ord(ch) >= 32 for ch in text)


def safe_display_name(name: str) -> str:
    """The file's own name, reduced to something safe to show and to put in a header."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>:|?*;')
    return cleaned[:200] or "file"


def store_upload(upload_dir: Path, name: str, data: bytes, *, max_bytes: int) -> StoredFile:
    """Check and store one file; raise UploadRefused with the reason. It blocks: from a request,
    use `store_upload_in_thread`."""
    if len(data) > max_bytes:
        raise UploadRefused(too_large(max_bytes))
    if not data:
        raise UploadRefused("The file is empty.")
    content_type = detect_type(data)
    if content_type is None:
        raise UploadRefused(f"The file must be a {ACCEPTED_DESCRIPTION} file.")
    display = safe_display_name(name)
    if not display.lower().endswith(ACCEPTED[content_type]):
        display = display.rsplit(".", 1)[0] + ACCEPTED[content_type]
    stored_name = secrets.token_hex(16)
    upload_dir.mkdir(parents=True, exist_ok=True)
    (upload_dir / stored_name).write_bytes(data)
    return StoredFile(
        display, stored_name, content_type, len(data), hashlib.sha256(data).hexdigest()
    )


async def store_upload_in_thread(
    upload_dir: Path, name: str, data: bytes, *, max_bytes: int
) -> StoredFile:
    """`store_upload` in a worker thread, so that checking, hashing and writing a file of
    several MB never holds up the other requests on the event loop."""
    return await anyio.to_thread.run_sync(
        partial(store_upload, upload_dir, name, data, max_bytes=max_bytes)
    )


def upload_path(upload_dir: Path, stored_name: str) -> Path:
    if not stored_name.isalnum():
        raise ValueError("not a stored name")
    return upload_dir / stored_name
