"""Sending a stored upload back: always as an attachment, never rendered by the browser."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse

from consult.calls.models import Attachment
from core.uploads import upload_path


def attachment_response(
    upload_dir: Path, attachment: Attachment, *, personal: bool
) -> FileResponse:
    """The stored file as a download. A `personal` one (a file in someone's response) is never
    kept by any cache, like every page with personal data; a call's public document may be
    kept and is revalidated."""
    path = upload_path(upload_dir, attachment.stored_name)
    if not path.is_file():
        raise HTTPException(404)
    ascii_name = attachment.original_name.encode("ascii", "replace").decode().replace("?", "_")
    disposition = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(attachment.original_name)}"
    )
    return FileResponse(
        path,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": disposition,
            "Cache-Control": "no-store" if personal else "private, no-cache",
        },
    )
