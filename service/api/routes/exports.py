"""Exports: decided awards for the national database (docs/national-export.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from service import national_export
from service.api.deps import SessionDep, require_roles
from service.api.errors import ErrorResponse
from service.api.params import Year
from service.errors import InvalidInput

router = APIRouter(prefix="/exports", tags=["exports"], responses={
    401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})


@router.get("/national-awards", dependencies=[require_roles("admin", "board_officer")],
            responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
def national_awards(
    session: SessionDep,
    format: Annotated[Literal["csv", "json"], Query(description="csv or json")] = "json",
    year: Year = None,
    decided_from: date | None = None,
    decided_to: date | None = None,
) -> Response:
    """Standing awards (decided, not revoked): unit code, person identifier, award code, decision
    number, date and issuer. Field table: docs/national-export.md."""
    if decided_from and decided_to and decided_from > decided_to:
        raise InvalidInput("Ngày bắt đầu (decided_from) phải trước ngày kết thúc (decided_to).",
                           "decided_from must not be after decided_to.")
    rows = national_export.export_rows(session, year=year, decided_from=decided_from, decided_to=decided_to)
    if format == "csv":
        return Response(national_export.to_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="khen-thuong-quoc-gia.csv"'})
    return JSONResponse(national_export.to_json(rows))
