"""Uploaded files: the type is decided by content (magic bytes), never by the name the browser sent.

Files are stored under DATA_DIR/uploads with a random name, outside anything served statically,
and are only ever sent back as attachments by views that check who is asking.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
TEXT = "text/plain"
ACCEPTED = {PDF: ".pdf", DOCX: ".docx", ODT: ".odt", TEXT: ".txt"}
ACCEPTED_DESCRIPTION = "PDF, Word (DOCX), OpenDocument text (ODT) or plain text"


class UploadRefused(Exception):
    """The file cannot be accepted; the message says why in words for the form."""


@dataclass(frozen=True)
class StoredFile:
    original_name: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def detect_type(data: bytes) -> str | None:
    """The accepted type these bytes really are, or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    return TEXT if _is_plain_text(data) else None


def _office_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT
            if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
                return DOCX
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    return None


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
    """Check and store one file; raise UploadRefused with the reason."""
    if len(data) > max_bytes:
        raise UploadRefused(f"The file must be smaller than {max_bytes // (1024 * 1024)} MB.")
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


def upload_path(upload_dir: Path, stored_name: str) -> Path:
    if not stored_name.isalnum():
        raise ValueError("not a stored name")
    return upload_dir / stored_name
