"""Text helpers for Vietnamese ("tiếng Việt") search."""

from __future__ import annotations

import unicodedata


def search_fold(text: str) -> str:
    """Case- and accent-insensitive form, so "nguyen thi" finds "Nguyễn Thị" and "qđ" finds "QĐ".

    đ/Đ is a letter of its own, not a d with a mark, so NFD does not split it: map it by hand."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
