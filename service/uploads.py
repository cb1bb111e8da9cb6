"""Checks on an uploaded file ("tệp đính kèm") before anything is stored: its size, a bare file
name, and a declared type that the file's first bytes confirm. The API and the pages call the same
checks, so a file refused over HTTP is refused on the page too."""

from __future__ import annotations

from collections.abc import Iterable

from service.errors import InvalidInput, ServiceError

# The first bytes each accepted type must start with: a renamed .exe is not a PDF.
MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
}


class FileTooLarge(ServiceError):
    http_status = 413


class InvalidRequest(InvalidInput):
    """Bad bytes in a field (e.g. NUL) that no database should be asked to store."""


class InvalidFileName(InvalidInput):
    pass


class UnsupportedFileType(ServiceError):
    http_status = 415


def human_size(n: int) -> str:
    """A byte count for people: 20 MB, 512 KB, 900 byte (a limit under 1 MB is not "0 MB")."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    return f"{n / 1024:g} KB" if n >= 1024 else f"{n} byte"


def safe_filename(name: str) -> bool:
    """A bare file name: no directory part, no "." or ".." and no control characters, so no
    later export or download can turn it into a path outside its folder."""
    return (bool(name.strip()) and "/" not in name and "\\" not in name and name.strip() not in (".", "..")
            and not name.startswith(".") and not any(ord(c) < 32 or ord(c) == 127 for c in name))


def check_upload(
    *, filename: str | None, content_type: str | None, data: bytes, document_kind: str | None, limit: int,
    accepted: Iterable[str],
) -> str:
    """Refuse the file (typed error, nothing stored) or return its bare content type.

    ``data`` should be read up to ``limit + 1`` bytes, so an oversized file is seen as such
    without reading all of it."""
    if len(data) > limit:
        error = FileTooLarge(f"Tệp vượt quá giới hạn {human_size(limit)}.", f"The file exceeds the {human_size(limit)} limit.")
        error.details = {"limit_bytes": limit}
        raise error
    if "\x00" in (filename or "") or "\x00" in (document_kind or ""):
        raise InvalidRequest("Tên tệp và loại tài liệu không được chứa ký tự NUL.",
                             "The file name and document kind must not contain the NUL character.")
    if not safe_filename(filename or "tep"):
        error = InvalidFileName("Tên tệp không hợp lệ: không được chứa đường dẫn (/, \\, ..) hay ký tự điều khiển.",
                                "Invalid file name: it must not contain a path (/, \\, ..) or control characters.")
        error.details = {"filename": filename}
        raise error
    bare_type = (content_type or "").split(";")[0].strip()
    accepted = list(accepted)
    if bare_type not in accepted or not data.startswith(MAGIC.get(bare_type, (b"\0\0never",))):
        error = UnsupportedFileType("Chỉ nhận tệp PDF, DOCX, XLSX, JPEG hoặc PNG (đúng định dạng khai báo).",
                                    "Only PDF, DOCX, XLSX, JPEG or PNG files are accepted (matching their declared type).")
        error.details = {"content_type": bare_type, "accepted": accepted}
        raise error
    return bare_type
