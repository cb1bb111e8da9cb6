"""Bounds of path and query parameters that reach the database.

Ids and offsets are stored as 32-bit integers on PostgreSQL (and SQLite takes at most 64 bits):
a larger number is bad input, answered with 422 by validation, never a driver overflow (500).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

DB_INT_MAX = 2_147_483_647

NominationId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="id of the nomination")]
AttachmentId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="id of the attachment")]
Offset = Annotated[int, Query(ge=0, le=DB_INT_MAX, description="how many items to skip")]
RowId = Annotated[int | None, Query(ge=1, le=DB_INT_MAX)]
Year = Annotated[int | None, Query(ge=1990, le=2100)]
